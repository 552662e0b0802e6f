#!/usr/bin/env bash
# For a session left with little device time (about 6 minutes; after scripts/prepare-device.sh,
# scripts/prepare-baseline.sh 70f69bf prev and rm -rf .device/testdata/tokenizer; carry [".device"]): the GPU tests of
# session 19's steps (ChainedLayerTests: the chain with its norms, step 81; MixedTypeModelTests: the mixed q/k/v rope
# products, step 80; Q8SmallBatchKernelTests: 4 warps, step 78), then 8B Q4_0 with the chained norms (and warmed,
# step 82) and without, and 8B Q4_K_M against 70f69bf, medians of three decodes. scripts/device-next.sh is the full
# version. Output in $OUT/slim.txt.
set -uo pipefail
source scripts/device-lib.sh
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 220 model.ChainedLayerTests model.MixedTypeModelTests model.Q8SmallBatchKernelTests
T "8B Q4_0: the chain with its norms (step 81) against without, and warmed (step 82), in alternation"
cn=-Dwebllm.chain.norms=true
BENCH_ARGS="-p 512 -n 128 --repeat 3" timeout 150 bash scripts/device-compare.sh main cn=$cn cnw=$cn,-Dwebllm.chain.warmFirst=true main2 cn2=$cn
T "8B Q4_K_M: main (step 80) against 70f69bf"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 3" timeout 80 bash scripts/device-compare.sh main prev
T end
} 2>&1 | tee "${OUT:-/tmp/out}/slim.txt"
