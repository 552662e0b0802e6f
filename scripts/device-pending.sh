#!/usr/bin/env bash
# The measurements sessions 12-13 left pending (docs/performance.md steps 58-64), in one device command of ~5 minutes
# (after scripts/prepare-device.sh; carry [".device"]): the GPU tests of the new kernels and the quick check with the
# switches that are off until measured as variants of one build, and the defaults again (PENDING_EXTRA=prev: instead
# 36f17bf, before the norm, greedy, first-draw-pass and store loads of steps 60-63, after
# scripts/prepare-baseline.sh 36f17bf prev). FULL=1 adds the device tests with the candidates on and device events at
# short context with and without them, and then with STAMPS=1 the clamped kernel's phase stamps (a rebuild: last,
# under its own timeout).
# Output in $OUT/pending.txt as well.
set -uo pipefail
clamp=-Dwebllm.attention.clampLoads=true
gated=-Dwebllm.mv.aheadGated=true
warm16=-Dwebllm.warm.l2MB=16
warm32=-Dwebllm.warm.l2MB=32
# LEAN=1 (~4 minutes): only the three candidates against the defaults, without ForwardPassTests
variants="clamp=$clamp gated=$gated w16=$warm16"
[ -n "${LEAN:-}" ] || variants="$variants w32=$warm32 ${PENDING_EXTRA:-main2}"
{
tests="--select-class io.webllm.engine.model.AttentionKernelTests --select-class io.webllm.engine.model.Q8ActivationKernelTests"
[ -n "${LEAN:-}" ] || tests="$tests --select-class io.webllm.engine.model.ForwardPassTests"
EXTRA_TESTS="$tests" \
  VARIANTS="$variants" SMALL_VARIANTS="clamp=$clamp w16=$warm16" \
  NO_STREAMS=1 bash scripts/device-quick-check.sh
[ -n "${FULL:-}" ] || exit 0
echo "## GPU tests with the candidates on"
timeout 90 .device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dwebllm.opencl.requirePtx=true \
  $clamp $gated $warm16 -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:.device/classes:.device/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.StoriesGreedyTests --select-class io.webllm.engine.model.DeviceDecodeTests \
  --select-class io.webllm.engine.model.ChainedLayerTests 2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
echo "## device events, 8B Q4_0 at 16-80 positions"
DEVICE_PROFILE=1 BENCH_ARGS="-p 16 -n 64" timeout 120 bash scripts/device-compare.sh p16 "c16=$clamp" "g16=$gated" "w16=$warm16"
[ -n "${STAMPS:-}" ] || exit 0
echo "## phase stamps of the clamped attention kernel (a rebuild)"
JAVA_OPTS="-Dwebllm.attention.timing=true $clamp" SKIP_CHECK=1 BENCH_ARGS="-p 16 -n 32" timeout 120 \
  bash scripts/device-run.sh llama-3.1-8b:q4_0 2>&1 | grep -o '"decodeTokensPerSecond[^,]*\|"attentionPhaseMicros":{[^}]*}'
} 2>&1 | tee "${OUT:-/tmp/out}/pending.txt"
