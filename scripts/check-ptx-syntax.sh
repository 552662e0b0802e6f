#!/usr/bin/env bash
# Compiles the engine's kernels as NVIDIA's OpenCL compiler will (with -DWEBLLM_PTX, inline PTX included) through
# clang's OpenCL front end for nvptx64, so that code only the GPU build sees (shuffles, dp4a, mma, their helpers)
# is checked here before a device run: PoCL never compiles it. Both programs: the kernels and the single-token
# matvecs. PK_PREFETCH, AT_COMBINE_UNROLL, AT_PREFETCH_V, CH_TIMING override those defines. Needs clang-15; where ptxas is
# installed, the PTX is assembled for sm_90 too. Exit status non-zero on any error.
set -euo pipefail
source "$(dirname "$0")/ptx-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kernel_source SOURCES > "$work/kernels.cl"
kernel_source SINGLE_TOKEN_SOURCES > "$work/single.cl"
overrides="-DPK_PREFETCH=${PK_PREFETCH:-0} -DAT_COMBINE_UNROLL=${AT_COMBINE_UNROLL:-8} -DAT_PREFETCH_V=${AT_PREFETCH_V:-0} -DCH_TIMING=${CH_TIMING:-0}"
compile_ptx "$work/kernels.cl" /dev/null $overrides
compile_ptx "$work/single.cl" /dev/null $PTX_SINGLE_TOKEN $overrides
echo "kernels compile with -DWEBLLM_PTX (and the single-token build)"
# clang passes inline asm through unread: ptxas reads it, so a malformed PTX instruction fails here, not on the GPU
if command -v ptxas >/dev/null; then
  assemblable_ptx "$work/kernels.cl" "$work/kernels.ptx" $overrides
  assemblable_ptx "$work/single.cl" "$work/single.ptx" $PTX_SINGLE_TOKEN $overrides
  ptxas -arch=sm_90 "$work/kernels.ptx" -o /dev/null
  ptxas -arch=sm_90 "$work/single.ptx" -o /dev/null
  echo "inline PTX assembles for sm_90 (ptxas)"
fi
