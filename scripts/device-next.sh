#!/usr/bin/env bash
# The measurements session 14 left for the next GPU (docs/performance.md, steps 67-68 and Open measurements), one
# device command of ~7 minutes on a fresh machine (after scripts/prepare-device.sh and rm -rf
# .device/testdata/tokenizer; carry [".device"]):
# - the GPU tests with both candidates on (TEST_OPTS): the Q8 matvecs' weights loaded without L1 lines and with
#   256-byte L2 fetches (-Dwebllm.mv.weightLoad=4, quants.cl; session 14 measured +3% for 8B Q4_0) and the
#   tensor-core kernels' group sums turned into floats without I2F (-Dwebllm.mma.magicSums=true, mul_mm_q8.cl; not
#   yet measured: prefill and the 16-stream products convert 128 sums an MMA), among them Q8ActivationKernelTests,
#   Q8MatrixMatrixKernelTests, Q8SmallBatchKernelTests and ForwardPassTests' tiny-wide models;
# - 8B Q4_0 (decode and pp512) and the 0.5B with each against the defaults. 8B Q8_0 and 16 streams with them
#   open scripts/device-open-measurements.sh, the command after this one (the builds are cached by then).
# Each new define set rebuilds every kernel (~75 s); the driver caches a build for the runs after it. If the tests
# pass and a gain holds, make it the default (Tuning.WEIGHT_LOAD, Tuning.MMA_MAGIC_SUMS). Output in $OUT/next.txt.
set -uo pipefail
w=-Dwebllm.mv.weightLoad=4
m=-Dwebllm.mma.magicSums=true
{
TEST_OPTS="$w $m" TEST_SECONDS=240 VARIANT_SECONDS=90 EXTRA_TESTS="--select-class io.webllm.engine.model.Q8ActivationKernelTests --select-class io.webllm.engine.model.Q8MatrixMatrixKernelTests --select-class io.webllm.engine.model.Q8SmallBatchKernelTests --select-method io.webllm.engine.model.ForwardPassTests#wideModelsMatchTheReference(io.webllm.engine.tensor.GgmlType)" \
  VARIANTS="wl4=$w mg=$m both=$w,$m main2" SMALL_VARIANTS="both=$w,$m" NO_STREAMS=1 bash scripts/device-quick-check.sh
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
