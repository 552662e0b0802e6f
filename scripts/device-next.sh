#!/usr/bin/env bash
# What session 15 leaves for the next lent GPU, in one device command of at most ~10 minutes (after
# scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry [".device"]), most important first, each
# part under a timeout so that a command cut short still returns what it measured (docs/performance.md, steps 70-74
# and Open measurements):
# - kernel-bench on the 8B's shapes (gate/up 14336 x 4096, down its transpose) and the 0.5B's (4864 x 896): the Q8
#   products on device events at every split, as walking kernels (-Dwebllm.mv.walk) and against their weight loads
#   alone; the first build of the kernels (~75 s) happens here;
# - the GPU tests (Q8ActivationKernelTests runs the walking and pair kernels, ChainedLayerTests the new chain);
# - 8B Q4_0: the defaults against walking products (8 work-groups an SM; session 15 measured them once, 7% ahead,
#   on a card whose runs of the same build differed by 5%) and the gated product a warp a matrix
#   (-Dwebllm.mv.gatedPairs) and the gated product, its quantize and down as one chained launch
#   (-Dwebllm.chain.launchedNorms=2: 64 launches a token fewer), twice in alternation (the pair kernel once: kernel-bench times it too), five greedy runs each (bench
#   --repeat: the median and each run's host enqueue time, which the speed followed in session 15);
# - Qwen2.5-0.5B: the defaults, phase stamps (a rebuild), and the stamps with the short products split 4 ways.
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
ss4=-Dwebllm.mv.splitShort=4
stamps=-Dwebllm.chain.timing=true,-Dwebllm.attention.timing=true
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "kernel-bench, 8B shapes (the first build of the kernels)"
timeout 170 kb
T "kernel-bench, 0.5B shapes"
timeout 30 kb --rows 4864 --cols 896
T "GPU tests"
timeout 80 $java -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:.device/classes:.device/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.Q8ActivationKernelTests --select-class io.webllm.engine.model.ChainedLayerTests \
  --select-class io.webllm.engine.model.DeviceDecodeTests --select-class io.webllm.engine.model.StoriesGreedyTests \
  2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
T "8B Q4_0: defaults, walking products, the gated product a warp a matrix, in alternation (host-side switches: no rebuilds)"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 220 bash scripts/device-compare.sh main w8=$w8 gp=$gp lc=$lc main2 w8b=$w8 lc2=$lc
T "0.5B Q8_0: defaults, the short products split 4 ways, both with phase stamps (a rebuild)"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 90 bash scripts/device-compare.sh main stamps=$stamps stampsSs4=$stamps,$ss4
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
