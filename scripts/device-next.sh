#!/usr/bin/env bash
# The measurement session 14 left for the next GPU (docs/performance.md, step 67 and Open measurements), one device
# command of ~5 minutes on a fresh machine (after scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer;
# carry [".device"]): the GPU tests with the Q8 matvecs' weights loaded without L1 lines and with 256-byte L2
# fetches (-Dwebllm.mv.weightLoad=4, quants.cl), among them Q8ActivationKernelTests and ForwardPassTests' tiny-wide
# models (the 8B's kernel path); then 8B Q4_0, Qwen2.5-0.5B and 8B Q8_0 with it against the defaults. Session 14
# measured +3% for 8B Q4_0 (three pairs on one H100). If the tests pass and it holds, make 4 the default
# (Tuning.WEIGHT_LOAD). The value is a build define, so the first run of each value rebuilds every kernel (~75 s);
# the driver caches the build for the runs after it. Output in $OUT/next.txt as well.
set -uo pipefail
w=-Dwebllm.mv.weightLoad
{
TEST_OPTS="$w=4" EXTRA_TESTS="--select-class io.webllm.engine.model.Q8ActivationKernelTests --select-method io.webllm.engine.model.ForwardPassTests#wideModelsMatchTheReference(io.webllm.engine.tensor.GgmlType)" \
  VARIANTS="wl4=$w=4 main2 wl4b=$w=4" SMALL_VARIANTS="wl4=$w=4" NO_STREAMS=1 Q8=1 bash scripts/device-quick-check.sh
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
