#!/usr/bin/env bash
# The open measurements of docs/performance.md in one device command (after scripts/prepare-device.sh; carry
# [".device"]), most important first, each part under a timeout so that a command cut short by the session's device
# time still returns what it measured. Timestamps show what each part cost; the output is also in
# $OUT/open-measurements.txt. classes = main; classes-prev = 0c75e02 (before steps 38-45).
t0=$(date +%s); T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors; [ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
{
T "GPU tests, then 8B Q4_0: step 45 against 0c75e02 on one card, and deferred norms on the new kernels"
CHECK=1 timeout 240 bash scripts/device-compare.sh main prev deferred=-Dwebllm.fuse.norm=true
T "8B Q8_0 and Q4_K_M on the defaults"
MODEL=llama-3.1-8b:q8_0 timeout 90 bash scripts/device-compare.sh main
MODEL=llama-3.1-8b:q4_k_m timeout 90 bash scripts/device-compare.sh main
T "0.5B: chained (the default) against separate launches"
MODEL=qwen2.5-0.5b:q8_0 timeout 40 bash scripts/device-compare.sh main nochain=-Dwebllm.chain=false
T "0.5B attention chunks (19 us a layer at 512 positions: fewer, longer chunks shorten the combine)"
MODEL=qwen2.5-0.5b:q8_0 timeout 60 bash scripts/device-compare.sh span64=-Dwebllm.attention.minSpan=64 \
  span128=-Dwebllm.attention.minSpan=128 span256=-Dwebllm.attention.minSpan=256 noprefetch=-Dwebllm.attention.prefetchV=false
T "16 streams"
BENCH_ARGS="-p 128 -n 32 --streams 16" timeout 60 bash scripts/device-compare.sh streams
T "8B device events (where a token's time goes now)"
DEVICE_PROFILE=1 BENCH_ARGS="-p 512 -n 32" timeout 70 bash scripts/device-compare.sh main \
  noprefetch=-Dwebllm.attention.prefetchV=false span64=-Dwebllm.attention.minSpan=64
T "0.5B device events"
MODEL=qwen2.5-0.5b:q8_0 DEVICE_PROFILE=1 BENCH_ARGS="-p 512 -n 32" timeout 40 bash scripts/device-compare.sh main
T "ctx"
BENCH_ARGS="-p 4000 -n 64 --batch 512" timeout 40 bash scripts/device-compare.sh ctx unroll2=-Dwebllm.attention.combineUnroll=2
T "kernel-bench (crashed the JVM inside NVIDIA's compiler in session 10: last on purpose)"
timeout 30 .device/jre/bin/java --enable-native-access=ALL-UNNAMED -Dwebllm.opencl.buildLog=true -cp ".device/classes:.device/lib/*" \
  io.webllm.engine.cli.Main kernel-bench --json 2>&1 | grep -v "^WARNING" | cut -c1-700 | tail -30
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
