#!/usr/bin/env bash
# What session 18 measures first on a lent GPU, in one device command of about 9 minutes (after
# scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry [".device"]), most important first, each part
# under a timeout so that a command cut short still returns what it measured (docs/performance.md, steps 74 and 77):
# - the GPU tests, the first build of the kernels: ChainedLayerTests decodes with the layer chain (step 77) and the
#   launched-norm chain (step 74, on by default since session 17) against the separate launches, bit for bit;
# - 8B Q4_0: the layer chain (-Dwebllm.chain.layer=true) against the default, in alternation, five decodes each;
# - 8B Q8_0 and Q4_K_M: the default against the launched-norm chain off and the layer chain on.
# Then, on the warm machine, scripts/device-open-measurements.sh. Output in $OUT/next.txt.
set -uo pipefail
source scripts/device-lib.sh
layer=-Dwebllm.chain.layer=true
off=-Dwebllm.chain.launchedNorms=0
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 240 model.ChainedLayerTests model.ForwardPassTests model.DeviceDecodeTests model.StoriesGreedyTests
T "8B Q4_0: the layer chain against the default (the launched-norm chain), in alternation"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 150 bash scripts/device-compare.sh main layer=$layer main2 layer2=$layer
T "8B Q8_0: the default, the layer chain, the launched-norm chain off"
MODEL=llama-3.1-8b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 120 bash scripts/device-compare.sh main layer=$layer off=$off main2
T "8B Q4_K_M: the same"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 130 bash scripts/device-compare.sh main layer=$layer off=$off main2
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
