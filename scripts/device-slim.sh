#!/usr/bin/env bash
# For a session left with little device time (about 4 minutes; after scripts/prepare-device.sh and
# rm -rf .device/testdata/tokenizer; carry [".device"]): the GPU tests that check the launched-norm chain, on by
# default since session 17 (step 74), against the reference, then 8B Q8_0 with it and without, one median of three
# decodes each. scripts/device-next.sh is the full version. Output in $OUT/slim.txt.
set -uo pipefail
source scripts/device-lib.sh
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests: chained layers and the forward pass (the first build of the kernels)"
gpu_tests 240 model.ChainedLayerTests model.ForwardPassTests
T "8B Q8_0: the launched-norm chain (default) against launched apart"
MODEL=llama-3.1-8b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 3" timeout 120 bash scripts/device-compare.sh main off=-Dwebllm.chain.launchedNorms=0
T end
} 2>&1 | tee "${OUT:-/tmp/out}/slim.txt"
