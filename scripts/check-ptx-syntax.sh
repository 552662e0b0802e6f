#!/usr/bin/env bash
# Compiles the engine's kernels as NVIDIA's OpenCL compiler will (with -DWEBLLM_PTX, inline PTX included) through
# clang's OpenCL front end for nvptx64, so that code only the GPU build sees (shuffles, dp4a, mma, their helpers)
# is checked here before a device run: PoCL never compiles it. Needs clang-15. Exit status non-zero on any error.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kernels="$root/webllm-engine/src/main/resources/io/webllm/engine/opencl/kernels"
# the resource files in KernelLibrary.SOURCES order
files=$(sed -n '/ SOURCES = List.of(/,/);/p' "$root/webllm-engine/src/main/java/io/webllm/engine/opencl/KernelLibrary.java" \
  | grep -o '"[a-z0-9_]*\.cl"' | tr -d '"')
source=$(mktemp --suffix=.cl)
trap 'rm -f "$source" "${source%.cl}.ptx" "${source%.cl}.static.ptx" "${source%.cl}.static.ptx.stubbed"' EXIT
for f in $files; do cat "$kernels/$f"; echo; done > "$source"
defines="-DPK_ROWS=4 -DPK_WARPS=8 -DPK_TOKENS=8 -DPK_MAGIC=1 -DMMQ_ROWS=64 -DMMQ_TOKENS=64 -DMMQ_STEP=4 -DWEBLLM_MMA=1 -DPK_PREFETCH=${PK_PREFETCH:-0} -DAT_COMBINE_UNROLL=${AT_COMBINE_UNROLL:-8} -DAT_PREFETCH_V=${AT_PREFETCH_V:-0}"
clang-15 -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header -Dasm=__asm__ \
  $defines -DWEBLLM_PTX -S -o "${source%.cl}.ptx" "$source"
# the single-token build of the Q8 matvecs (KernelLibrary: the same sources, one token a pass)
clang-15 -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header -Dasm=__asm__ \
  ${defines/-DPK_TOKENS=8/-DPK_TOKENS=1} -DPKQ_SINGLE_TOKEN -DWEBLLM_PTX -S -o /dev/null "$source"
echo "kernels compile with -DWEBLLM_PTX ($(echo $files | wc -w) files; and the single-token build)"
# clang passes inline asm through unread: where ptxas is installed, assemble the PTX for sm_90 (the H100/H200) too,
# with the OpenCL built-ins the driver supplies stubbed, so a malformed PTX instruction fails here, not on the GPU
# (inline functions as static inline: clang leaves C99 inline definitions it does not inline undefined, and their
# bodies, asm included, would never reach ptxas)
if command -v ptxas >/dev/null; then
  ptx="${source%.cl}.static.ptx"
  clang-15 -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header -Dasm=__asm__ \
    '-Dinline=static inline' $defines -DWEBLLM_PTX -Wno-pass-failed -S -o "$ptx" "$source"
  python3 "$root/scripts/ptx-stub-builtins.py" "$ptx" "$ptx.stubbed"
  sed -i 's/^\.target sm_[0-9]*/.target sm_90/; s/^\.version [0-9.]*/.version 8.0/' "$ptx.stubbed"
  ptxas -arch=sm_90 "$ptx.stubbed" -o /dev/null
  rm -f "$ptx" "$ptx.stubbed"
  echo "inline PTX assembles for sm_90 (ptxas)"
fi
