#!/usr/bin/env bash
# What session 19 leaves for the next lent GPU, in one device command of about 9 minutes (after
# scripts/prepare-device.sh, scripts/prepare-baseline.sh 70f69bf prev and rm -rf .device/testdata/tokenizer; carry
# [".device"]), most important first, each part under a timeout so that a command cut short still returns what it
# measured (docs/performance.md, steps 78, 80 and 81):
# - the GPU tests, the first build of the kernels: the small-batch tensor-core matvecs at 4 warps (step 78;
#   Q8SmallBatchKernelTests, ForwardPassTests), the mixed q/k/v rope products (step 80; MixedTypeModelTests) and the
#   chain with its norms (step 81; ChainedLayerTests);
# - 8B Q4_0: the chain with the norms (-Dwebllm.chain.norms=true) against without, and with its walkers warming L2;
# - 8B Q4_K_M: main (step 80) against prev (70f69bf) and with the chained norms, in alternation;
# - kernel-bench: the chain with the norms launched around it, against the norms as its stages (steps 81-82).
# Output in $OUT/next.txt.
set -uo pipefail
source scripts/device-lib.sh
cn=-Dwebllm.chain.norms=true
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 240 model.Q8SmallBatchKernelTests model.MixedTypeModelTests model.ForwardPassTests model.ChainedLayerTests model.DeviceDecodeTests model.StoriesGreedyTests
T "8B Q4_0: the launched-norm chain with its norms (step 81) against without, and with its first rounds warmed (step 82), in alternation"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 190 bash scripts/device-compare.sh main cn=$cn cnw=$cn,-Dwebllm.chain.warmFirst=true main2 cn2=$cn cnw2=$cn,-Dwebllm.chain.warmFirst=true
T "8B Q4_K_M: main (step 80: mixed q/k/v apply the rope) against prev (70f69bf), and with the chained norms, in alternation"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 160 bash scripts/device-compare.sh main prev cn=$cn main2
T "kernel-bench: the 8B's chain with the norms launched around it against the norms as its stages, and warmed (host clock a pass, 200 back to back)"
kb 120
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
