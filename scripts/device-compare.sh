#!/usr/bin/env bash
# A/B comparison on the lent GPU in one device command (after scripts/prepare-device.sh; carry [".device"]): the same
# benchmark for each variant on the same machine, with the per-kernel decode profile, so that what a change did is
# measured against its baseline rather than against numbers from another card.
# Usage: scripts/device-compare.sh VARIANT...   where VARIANT is
#   LABEL                  the current classes, default options
#   LABEL=OPT[,OPT...]     the current classes with these JVM options (-Dwebllm.fuse.norm=false,-Dwebllm.mv.prefetch=1)
#   old                    the baseline classes in .device/classes-old (any LABEL with a .device/classes-LABEL runs those
#                          classes: prev for .device/classes-prev, and so on; LABEL=OPTS adds options to them)
# MODEL (default llama-3.1-8b:q4_0) and BENCH_ARGS (default "-p 512 -n 128"; with --streams N the step profile and
# the streams' line are printed; with --repeat N each greedy run's tokens/s and enqueue time, and their median) pick
# the benchmark; CHECK=1 runs the GPU correctness tests first.
# The speeds come from an ordinary queue: a profiling queue (-Dwebllm.opencl.profile=true) cost the 0.5B decode 17%
# on the H100 (442 against 531 tok/s), 8B nothing. So the profile's per-kernel times are host-clock times around each
# launch unless DEVICE_PROFILE=1, which times kernels on the device and measures every speed on the profiling queue.
set -uo pipefail
R=scripts/device-run.sh
# puts back classes a run killed mid-variant (a timeout) left swapped in
restore() {
  if [ -f .device/swapped ]; then
    mv .device/classes ".device/classes-$(cat .device/swapped)" && mv .device/classes-current .device/classes && rm .device/swapped
  fi
}
restore
model="${MODEL:-llama-3.1-8b:q4_0}"
args="${BENCH_ARGS:--p 512 -n 128} --profile"
[ -z "${CHECK:-}" ] || bash $R "$model" 2>&1 | grep -E "tests (successful|failed)|MethodSource|=>" | cut -c1-300
for variant in "$@"; do
  label="${variant%%=*}"
  opts=""
  [ "$label" = "$variant" ] || opts="$(echo "${variant#*=}" | tr ',' ' ')"
  if [ -d ".device/classes-$label" ]; then
    mv .device/classes .device/classes-current && mv ".device/classes-$label" .device/classes && echo "$label" > .device/swapped
  fi
  profiling=""
  [ -z "${DEVICE_PROFILE:-}" ] || profiling="-Dwebllm.opencl.profile=true"
  run_log=$(SKIP_CHECK=1 JAVA_OPTS="$profiling $opts" BENCH_ARGS="$args" bash $R "$model" 2>&1)
  line=$(echo "$run_log" | grep '"model' | tail -1)
  restore
  echo "== $label ${opts:-(defaults)}"
  # a run without a result (session 18: twice, quickly, after a run with another build define): its last lines say why
  [ -n "$line" ] || echo "$run_log" | tail -12 | cut -c1-300
  echo "$line" | grep -o '"prefillTokensPerSecond[^,]*\|"decodeTokensPerSecond[^,]*\|"decodeEnqueueMillisPerToken[^,]*\|"bandwidthFraction[^,]*\|"hostPickTokensPerSecond[^,]*\|"devicePicksMatchingHost[^,]*\|"sampledTokensPerSecond[^,]*\|"topKTopP[A-Za-z]*[^,]*\|"decodeLaunchesPerToken[^,]*' | tr '\n' ' '; echo
  echo "$line" | grep -o '"decodeProfile":{[^}]*}\|"streams":{[^}]*}\|"stepProfile":{[^}]*}\|"attentionPhaseMicros":{[^}]*}\|"chainPhaseMicros":{[^}]*}\|"decodeRuns":{[^}]*}' | cut -c1-1200
done
