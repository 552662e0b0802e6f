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
t0=$(date +%s); T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors; [ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dwebllm.opencl.requirePtx=true"
kb() { $java -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main kernel-bench --device gpu --json "$@" \
  | tr -d '\n ' | grep -o '"copyGBps[^,]*\|"[a-zA-Z0-9]*WeightGBps[^,]*\|"gatedQuantizeDown[A-Za-z0-9]*Micros[^,}]*' \
  | sed 's/WeightGBps//' | tr '\n' ' '; echo; }
w8=-Dwebllm.mv.walk=8
gp=-Dwebllm.mv.gatedPairs=true
lc=-Dwebllm.chain.launchedNorms=2
r80=-Dwebllm.mv.maxRegisters=80
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests (the first build of the kernels)"
timeout 120 $java -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:.device/classes:.device/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.ChainedLayerTests --select-class io.webllm.engine.model.Q8ActivationKernelTests \
  --select-class io.webllm.engine.model.DeviceDecodeTests --select-class io.webllm.engine.model.StoriesGreedyTests \
  2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
T "0.5B Q8_0: session 15's build (prev, its own kernel build) against step 75, and step 75 with step 76's cap, in alternation"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 210 bash scripts/device-compare.sh prev main r80=$r80 prev main r80=$r80
T "8B Q4_0: defaults, walking products, the launched-norm chain, in alternation"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 170 bash scripts/device-compare.sh main w8=$w8 lc=$lc main w8=$w8 lc=$lc
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
