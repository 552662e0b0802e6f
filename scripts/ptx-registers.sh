#!/usr/bin/env bash
# Registers and stack a kernel as ptxas (sm_90: H100/H200) allocates them for clang's PTX of the engine's kernels:
# an offline estimate of occupancy before a device run (NVIDIA's own OpenCL compiler can allocate differently; on
# the GPU, -Dwebllm.opencl.buildLog=true prints its numbers). Needs clang-15 and ptxas.
# Usage: scripts/ptx-registers.sh [-s] [DEFINE...]   DEFINEs override the default build's (-DPK_ROWS=8 ...);
#   -s: the single-token program (KernelLibrary.SINGLE_TOKEN_SOURCES, -DPK_TOKENS=1 -DPKQ_SINGLE_TOKEN).
# FILTER (a kernel-name prefix, default kernel_) picks the kernels printed; MAXREG=N caps the registers (ptxas
# -maxrregcount, what NVIDIA's -cl-nv-maxrregcount build option does; spills then show).
set -euo pipefail
source "$(dirname "$0")/ptx-lib.sh"
list=SOURCES
extra=""
if [ "${1:-}" = -s ]; then list=SINGLE_TOKEN_SOURCES; extra="$PTX_SINGLE_TOKEN"; shift; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kernel_source "$list" > "$work/all.cl"
assemblable_ptx "$work/all.cl" "$work/all.ptx" $extra "$@"
ptxas -arch=sm_90 -v ${MAXREG:+-maxrregcount=$MAXREG} "$work/all.ptx" -o /dev/null 2>&1 \
  | grep -A3 "Compiling entry function '${FILTER:-kernel_}" \
  | grep -o "entry function '[a-z_0-9]*'\|[0-9]* bytes stack frame, [0-9]* bytes spill stores\|Used [0-9]* registers" | paste - - - \
  | sed "s/entry function '\([a-z_0-9]*\)'/\1/" | column -t -s $'\t'
