#!/usr/bin/env bash
# What session 16 leaves for the next lent GPU, in one device command of at most ~10 minutes (after
# scripts/prepare-device.sh, rm -rf .device/testdata/tokenizer and scripts/prepare-baseline.sh b4bfead prev; carry
# [".device"]), most important first, each part under a timeout so that a command cut short still returns what it
# measured (docs/performance.md, steps 72-75 and Open measurements):
# - the GPU tests, the first build of the kernels (ChainedLayerTests runs step 75's chain and step 74's, and
#   Q8ActivationKernelTests the walking and pair kernels);
# - Qwen2.5-0.5B: session 15's build (prev) against step 75 (the chain's later products load their first round of
#   weights before they wait) and step 75 with step 76's register cap (-Dwebllm.mv.maxRegisters=80: three chained
#   work-groups an SM instead of two, a rebuild of the single-token program), twice in alternation, five greedy runs
#   each (bench --repeat: the median and each run's host enqueue time);
# - 8B Q4_0: the defaults against walking products (-Dwebllm.mv.walk=8), the launched-norm chain
#   (-Dwebllm.chain.launchedNorms=2: 64 launches a token fewer), in alternation, five runs each.
# The gated product a warp a matrix (step 73) and kernel-bench are in scripts/device-open-measurements.sh.
# Output in $OUT/next.txt.
set -uo pipefail
source scripts/device-lib.sh
w8=-Dwebllm.mv.walk=8
lc=-Dwebllm.chain.launchedNorms=2
r80=-Dwebllm.mv.maxRegisters=80
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
gpu_tests 120 model.ChainedLayerTests model.Q8ActivationKernelTests model.DeviceDecodeTests model.StoriesGreedyTests
T "0.5B Q8_0: session 15's build (prev, its own kernel build) against step 75, and step 75 with step 76's cap, in alternation"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 210 bash scripts/device-compare.sh prev main r80=$r80 prev main r80=$r80
T "8B Q4_0: defaults, walking products, the launched-norm chain, in alternation"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 170 bash scripts/device-compare.sh main w8=$w8 lc=$lc main w8=$w8 lc=$lc
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
