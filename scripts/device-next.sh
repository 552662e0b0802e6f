#!/usr/bin/env bash
# What session 18 leaves for the next lent GPU, in one device command of about 8 minutes (after
# scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry [".device"]), most important first, each part
# under a timeout so that a command cut short still returns what it measured (docs/performance.md, step 78 and Open
# measurements):
# - the GPU tests (MixedTypeModelTests: step 80), the first build of the kernels, with the small-batch tensor-core matvecs at 4 warps (step 78, the
#   default since session 18, measured but not yet checked against the reference on a GPU): Q8SmallBatchKernelTests
#   and ForwardPassTests run them;
# - 8B Q4_K_M: step 80 (mixed q/k/v apply the rope) against 70f69bf (.device/classes-prev), and the chain off;
# - 0.5B Q8_0 with 8 rows a warp (cut short twice by the command's time).
# Output in $OUT/next.txt.
set -uo pipefail
source scripts/device-lib.sh
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 240 model.Q8SmallBatchKernelTests model.MixedTypeModelTests model.ForwardPassTests model.ChainedLayerTests model.DeviceDecodeTests model.StoriesGreedyTests
T "8B Q4_K_M: main (step 80: mixed q/k/v apply the rope) against prev (70f69bf) and the chain off, in alternation"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 200 bash scripts/device-compare.sh main prev off=-Dwebllm.chain.launchedNorms=0 main2 prev
T "0.5B Q8_0: 8 rows a warp (a rebuild)"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 140 bash scripts/device-compare.sh main r8=-Dwebllm.mv.rows=8 main2
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
