# Sourced by scripts/check-ptx-syntax.sh and scripts/ptx-registers.sh: the kernels as KernelLibrary builds them for
# NVIDIA, compiled offline through clang's OpenCL front end for nvptx64 (needs clang-15; ptxas for the PTX steps).
PTX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# opencl/Tuning.java's defaults; later -D options on a command line override them (clang: the last one wins)
PTX_DEFINES="-DPK_ROWS=4 -DPK_WARPS=8 -DPK_TOKENS=8 -DPK_MAGIC=1 -DMMQ_ROWS=64 -DMMQ_TOKENS=64 -DMMQ_STEP=4 -DWEBLLM_MMA=1 -DPK_PREFETCH=0 -DAT_COMBINE_UNROLL=8 -DAT_PREFETCH_V=0 -DMMV_WARPS=8 -DMMV_TILES=2 -DMMV_UNROLL=4 -DMV_WEIGHT_LOAD=0 -DWEBLLM_PTX"
# what the single-token program (KernelLibrary.SINGLE_TOKEN_SOURCES) adds
PTX_SINGLE_TOKEN="-DPK_TOKENS=1 -DPKQ_SINGLE_TOKEN"

# kernel_source LIST: the resource files of KernelLibrary.LIST (SOURCES or SINGLE_TOKEN_SOURCES), concatenated in order
kernel_source() {
  local kernels="$PTX_ROOT/webllm-engine/src/main/resources/io/webllm/engine/opencl/kernels" f
  for f in $(sed -n "/ $1 = List.of(/,/);/p" "$PTX_ROOT/webllm-engine/src/main/java/io/webllm/engine/opencl/KernelLibrary.java" \
      | grep -o '"[a-z0-9_]*\.cl"' | tr -d '"'); do
    cat "$kernels/$f"; echo
  done
}

# compile_ptx SOURCE OUT [OPTION...]: clang's PTX of SOURCE with the default defines, then OPTIONs
compile_ptx() {
  local source="$1" out="$2"; shift 2
  clang-15 -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header -Dasm=__asm__ \
    $PTX_DEFINES "$@" -Wno-macro-redefined -S -o "$out" "$source"
}

# assemblable_ptx SOURCE OUT [OPTION...]: PTX ptxas can assemble for sm_90 (H100/H200): inline functions made static
# (clang leaves C99 inline definitions it does not inline undefined, and their asm would never reach ptxas), the
# OpenCL built-ins the driver supplies stubbed
assemblable_ptx() {
  local source="$1" out="$2"; shift 2
  compile_ptx "$source" "$out.raw" '-Dinline=static inline' -O2 -Wno-pass-failed "$@"
  python3 "$PTX_ROOT/scripts/ptx-stub-builtins.py" "$out.raw" "$out"
  rm -f "$out.raw"
  sed -i 's/^\.target sm_[0-9]*/.target sm_90/; s/^\.version [0-9.]*/.version 8.0/' "$out"
}
