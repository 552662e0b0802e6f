#!/usr/bin/env bash
# A short device command after a change to decoding (after scripts/prepare-device.sh; carry [".device"]): the device
# pick and draw tests and the engine's on the GPU, then 8B Q4_0 and Qwen2.5-0.5B Q8_0 (greedy, sampled on the device,
# and host-picked decode), and 16 streams; each part under a timeout, so that a command cut short still returns what
# it measured. VARIANTS adds device-compare variants to the 8B run (e.g. "s10=-Dwebllm.attention.prefetchV=false");
# SMALL_VARIANTS does the same for the 0.5B run. NO_STREAMS=1 leaves the 16 streams out. Q8=1 adds 8B Q8_0 (with VARIANTS). Variants that change a build define (-Dwebllm.mv.rows ...) rebuild every
# kernel, ~60 s each on an H100: compare switches the kernels read at launch where possible. TEST_OPTS adds JVM options
# to the GPU tests alone (a candidate default's switch, e.g. TEST_OPTS=-Dwebllm.mv.weightLoad=4); TEST_SECONDS (150)
# and VARIANT_SECONDS (40 a variant; ~90 where each rebuilds the kernels) set the parts' timeouts; EXTRA_TESTS adds
# test classes (names under io.webllm.engine: "model.Q8ActivationKernelTests model.ForwardPassTests").
source scripts/device-lib.sh
{
T "GPU tests (a fresh machine spends ~60 s compiling kernels first)"
gpu_tests ${TEST_SECONDS:-150} model.SampleKernelTests model.DeviceDecodeTests runtime.LocalEngineTests model.StoriesGreedyTests \
  ${EXTRA_TESTS:-}
T "8B Q4_0"
timeout $(( 70 + ${VARIANT_SECONDS:-40} * $(echo ${VARIANTS:-} | wc -w) )) bash scripts/device-compare.sh main ${VARIANTS:-}
T "0.5B"
MODEL=qwen2.5-0.5b:q8_0 timeout $(( 40 + 15 * $(echo ${SMALL_VARIANTS:-} | wc -w) )) bash scripts/device-compare.sh main ${SMALL_VARIANTS:-}
[ -n "${NO_STREAMS:-}" ] || { T "16 streams"; BENCH_ARGS="-p 128 -n 32 --streams 16" timeout 50 bash scripts/device-compare.sh streams; }
[ -z "${Q8:-}" ] || { T "8B Q8_0"; MODEL=llama-3.1-8b:q8_0 timeout $(( 80 + ${VARIANT_SECONDS:-40} * $(echo ${VARIANTS:-} | wc -w) )) bash scripts/device-compare.sh main ${VARIANTS:-}; }
T end
} 2>&1 | tee "${OUT:-/tmp/out}/quick-check.txt"
