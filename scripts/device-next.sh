#!/usr/bin/env bash
# The measurements session 13 left for the next GPU (docs/performance.md, Open measurements), one device command of
# ~3 minutes on a fresh machine (after scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry
# [".device"]): the GPU tests of the gated kernel with warming work-groups (Q8ActivationKernelTests) with the usual
# quick-check set, then 8B Q4_0 with the L2 warm-up set apart for attention and the norms, the down product warmed from
# the gated product's tail, and the gated product without its quantizing tail, each against the defaults in one build.
# Output in $OUT/next.txt as well.
set -uo pipefail
w=-Dwebllm.warm
{
EXTRA_TESTS="--select-class io.webllm.engine.model.Q8ActivationKernelTests --select-class io.webllm.engine.model.AttentionKernelTests" \
  VARIANTS="a8n2=$w.attentionMB=8,$w.normMB=2 a12n0=$w.attentionMB=12,$w.normMB=0 a4n8=$w.attentionMB=4,$w.normMB=8 g4=$w.gatedMB=4 g12=$w.gatedMB=12 qt=-Dwebllm.gated.quantizeTail=false main2" \
  NO_STREAMS=1 bash scripts/device-quick-check.sh
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
