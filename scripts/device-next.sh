#!/usr/bin/env bash
# What session 17 leaves for the next lent GPU, in one device command of about 8 minutes (after
# scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry [".device"]), most important first, each part
# under a timeout so that a command cut short still returns what it measured (docs/performance.md, steps 72-76 and
# Open measurements):
# - the GPU tests, the first build of the kernels. Session 17's run gave them 120 s and they printed nothing (the
#   first build on a fresh machine took longer), so the launched-norm chain, on by default since then (step 74), has
#   not been checked against the reference on a GPU: ChainedLayerTests and ForwardPassTests' tiny-wide models do;
# - 8B Q8_0 and Q4_K_M: the default (the launched-norm chain at 2) against it off (=0), in alternation, five decodes
#   each: session 17 measured it on Q4_0 only (+6%).
# Then, on the warm machine, scripts/device-open-measurements.sh. Output in $OUT/next.txt.
set -uo pipefail
source scripts/device-lib.sh
off=-Dwebllm.chain.launchedNorms=0
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 240 model.ChainedLayerTests model.Q8ActivationKernelTests model.DeviceDecodeTests model.StoriesGreedyTests model.ForwardPassTests
T "8B Q8_0: the launched-norm chain (default) against launched apart, in alternation"
MODEL=llama-3.1-8b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 150 bash scripts/device-compare.sh main off=$off main2 off2=$off
T "8B Q4_K_M: the same"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 150 bash scripts/device-compare.sh main off=$off main2 off2=$off
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
