#!/usr/bin/env bash
# The open measurements of docs/performance.md in one device command (after scripts/prepare-device.sh; carry
# [".device"]): the GPU tests, then steps 35-39 against their baselines, most important first, each part under a
# timeout so that the whole fits one 600 s command (device starts are scarce: one command a session is typical).
# Most important first: a run cut short by the session's device time still returns what it measured.
# Timestamps show what each part cost; the output is also in $OUT/open-measurements.txt.
# classes = main (step 38, deferred norms; step 39, chained layers, off unless -Dwebllm.chain=true), classes-prev =
# 0c75e02 (steps 35-37), classes-old = 2a6bfa1 (step 34)
t0=$(date +%s); T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors; [ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dwebllm.opencl.requirePtx=true"
{
T "GPU tests, then 0.5B"
CHECK=1 MODEL=qwen2.5-0.5b:q8_0 timeout 180 bash scripts/device-compare.sh deferred chain=-Dwebllm.chain=true prev
T "chained layers on the GPU (ChainedLayerTests; a wrong wait would hang, hence its own timeout)"
timeout 40 $java -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:.device/classes:.device/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.ChainedLayerTests 2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
T "8B tg"
timeout 100 bash scripts/device-compare.sh deferred chain=-Dwebllm.chain=true prev
T "16 streams"
BENCH_ARGS="-p 128 -n 32 --streams 16" timeout 90 bash scripts/device-compare.sh streams
T "kernel-bench"
timeout 20 .device/jre/bin/java --enable-native-access=ALL-UNNAMED -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main kernel-bench --json | cut -c1-700
T "0.5B: step 34, norms launched, kernel times on the device"
MODEL=qwen2.5-0.5b:q8_0 timeout 40 bash scripts/device-compare.sh old nonorm=-Dwebllm.fuse.norm=false
DEVICE_PROFILE=1 MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 64" timeout 25 bash scripts/device-compare.sh deferred
T "8B tg from a short prompt (llama-bench's tg128 starts at an empty context)"
BENCH_ARGS="-p 16 -n 128" timeout 40 bash scripts/device-compare.sh short
T "ctx"
BENCH_ARGS="-p 4000 -n 64 --batch 512" timeout 40 bash scripts/device-compare.sh ctx unroll2=-Dwebllm.attention.combineUnroll=2
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
