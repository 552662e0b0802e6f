#!/usr/bin/env bash
# The least of scripts/device-next.sh, for a device budget of about three minutes (same preparation; carry
# [".device"]): step 75's chain checked on the GPU (ChainedLayerTests, the first build of the kernels), then the
# 0.5B with it against session 15's build (prev: its own kernel build), one median of three decodes each.
# Output in $OUT/slim.txt.
set -uo pipefail
source scripts/device-lib.sh
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "ChainedLayerTests on the GPU (the first build of the kernels)"
gpu_tests 100 model.ChainedLayerTests
T "0.5B Q8_0: step 75 against session 15's build (prev)"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 3" bash scripts/device-compare.sh main prev main
T end
} 2>&1 | tee "${OUT:-/tmp/out}/slim.txt"
