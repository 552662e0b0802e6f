#!/usr/bin/env bash
# Registers and stack a kernel as ptxas (sm_90: H100/H200) allocates them for clang's PTX of the engine's kernels:
# an offline estimate of occupancy before a device run (NVIDIA's own OpenCL compiler can allocate differently; on
# the GPU, -Dwebllm.opencl.buildLog=true prints its numbers). Needs clang-15 and ptxas.
# Usage: scripts/ptx-registers.sh [-s] [DEFINE...]   DEFINEs override the default build's (-DPK_ROWS=8 ...);
#   -s: the single-token program (KernelLibrary.SINGLE_TOKEN_SOURCES, -DPK_TOKENS=1 -DPKQ_SINGLE_TOKEN).
# FILTER (a kernel-name prefix, default kernel_) picks the kernels printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kernels="$root/webllm-engine/src/main/resources/io/webllm/engine/opencl/kernels"
list=SOURCES
extra=""
if [ "${1:-}" = -s ]; then list=SINGLE_TOKEN_SOURCES; extra="-DPK_TOKENS=1 -DPKQ_SINGLE_TOKEN"; shift; fi
files=$(sed -n "/ $list = List.of(/,/);/p" "$root/webllm-engine/src/main/java/io/webllm/engine/opencl/KernelLibrary.java" \
  | grep -o '"[a-z0-9_]*\.cl"' | tr -d '"')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in $files; do cat "$kernels/$f"; echo; done > "$work/all.cl"
# the defaults of opencl/Tuning.java; later definitions on the command line win (clang: last -D wins)
defines="-DPK_ROWS=4 -DPK_WARPS=8 -DPK_TOKENS=8 -DPK_MAGIC=1 -DMMQ_ROWS=64 -DMMQ_TOKENS=64 -DMMQ_STEP=4 -DWEBLLM_MMA=1 -DPK_PREFETCH=0 -DAT_COMBINE_UNROLL=8 -DAT_PREFETCH_V=0 $extra $*"
# inline functions as static inline: clang leaves C99 inline definitions it does not inline undefined
clang-15 -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header -Dasm=__asm__ \
  '-Dinline=static inline' $defines -DWEBLLM_PTX -O2 -Wno-pass-failed -Wno-macro-redefined -S -o "$work/all.ptx" "$work/all.cl"
python3 "$root/scripts/ptx-stub-builtins.py" "$work/all.ptx" "$work/all.stub.ptx"
sed -i 's/^\.target sm_[0-9]*/.target sm_90/; s/^\.version [0-9.]*/.version 8.0/' "$work/all.stub.ptx"
ptxas -arch=sm_90 -v "$work/all.stub.ptx" -o /dev/null 2>&1 \
  | grep -A3 "Compiling entry function '${FILTER:-kernel_}" \
  | grep -o "entry function '[a-z_0-9]*'\|[0-9]* bytes stack frame\|Used [0-9]* registers" | paste - - - \
  | sed "s/entry function '\([a-z_0-9]*\)'/\1/" | column -t -s $'\t'
