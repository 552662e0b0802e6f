#!/usr/bin/env bash
# What session 15 asks of the first lent GPU, in one device command of at most ~10 minutes (after
# scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry [".device"]), most important first, each
# part under a timeout so that a command cut short still returns what it measured:
# - the GPU tests with both of session 14's candidates on (TEST_OPTS): the Q8 matvecs' weights loaded without L1
#   lines and with 256-byte L2 fetches (-Dwebllm.mv.weightLoad=4, quants.cl; +3% measured for 8B Q4_0) and the
#   tensor-core kernels' group sums turned into floats without I2F (-Dwebllm.mma.magicSums=true, mul_mm_q8.cl);
# - 8B Q4_0, defaults against both, twice in alternation: the candidates touch different kernels (the weight loads
#   single-token decode, the conversion-free sums prefill and batched passes), so decode's difference is the first's
#   and pp512's the second's; and the tail-free products as resident grids of walking work-groups (-Dwebllm.mv.walk=4,
#   host-side);
# - kernel-bench: the 8B's gated and down products against their weight loads alone (and warps walking more row
#   sets), to find what holds the products at ~1.65 TB/s;
# - Qwen2.5-0.5B with phase stamps in its chained layers and attention (a rebuild) against its defaults.
# Each new define set rebuilds every kernel (~75 s); the driver caches a build for the runs after it. If the tests
# pass and a gain holds, make it the default (Tuning.WEIGHT_LOAD, Tuning.MMA_MAGIC_SUMS). Output in $OUT/next.txt.
set -uo pipefail
t0=$(date +%s); T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors; [ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dwebllm.opencl.requirePtx=true"
both=-Dwebllm.mv.weightLoad=4,-Dwebllm.mma.magicSums=true
{
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
T "GPU tests with both candidates (a fresh machine spends ~75 s compiling kernels first)"
timeout 170 $java ${both//,/ } -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:.device/classes:.device/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.Q8ActivationKernelTests --select-class io.webllm.engine.model.Q8MatrixMatrixKernelTests \
  --select-class io.webllm.engine.model.Q8SmallBatchKernelTests --select-class io.webllm.engine.model.DeviceDecodeTests \
  --select-class io.webllm.engine.model.StoriesGreedyTests --select-class io.webllm.engine.model.ChainedLayerTests \
  --select-method "io.webllm.engine.model.ForwardPassTests#wideModelsMatchTheReference(io.webllm.engine.tensor.GgmlType)" \
  2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
T "8B Q4_0: defaults against both candidates, in alternation, and walking products (the defaults build ~75 s)"
timeout 260 bash scripts/device-compare.sh main both=$both w4=-Dwebllm.mv.walk=4 main2 both2=$both
T "0.5B Q8_0: defaults, phase stamps (a rebuild)"
MODEL=qwen2.5-0.5b:q8_0 timeout 130 bash scripts/device-compare.sh main stamps=-Dwebllm.chain.timing=true,-Dwebllm.attention.timing=true
T "kernel-bench (defaults)"
timeout 50 $java -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main kernel-bench --device gpu --json \
  | tr -d '\n ' | grep -o '"copyGBps[^,]*\|"[a-zA-Z0-9]*WeightGBps[^,]*' | tr '\n' ' '; echo
T end
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
