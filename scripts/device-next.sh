#!/usr/bin/env bash
# The measurement session 14 left for the next GPU (docs/performance.md, Open measurements), one device command of
# ~6 minutes on a fresh machine (after scripts/prepare-device.sh and rm -rf .device/testdata/tokenizer; carry
# [".device"]): 8B Q4_0 and then Q8_0 with the Q8 matvecs' weight loads through each PTX load flavour
# (-Dwebllm.mv.weightLoad=1..4, quants.cl), against the defaults, then the split of the columns again. Each
# weightLoad value is a build define, so each rebuilds every kernel (~75 s the first time; the driver caches the
# build, so the Q8_0 run reuses it). Output in $OUT/next.txt as well.
set -uo pipefail
w=-Dwebllm.mv.weightLoad
{
for m in llama-3.1-8b:q4_0 llama-3.1-8b:q8_0; do
  echo "### $m $(date +%T)"
  v="main wl1=$w=1 wl2=$w=2 wl3=$w=3 wl4=$w=4 main2"
  [ "$m" = llama-3.1-8b:q4_0 ] && v="$v s1=-Dwebllm.mv.split=1 s4=-Dwebllm.mv.split=4"
  MODEL=$m timeout "$([ "$m" = llama-3.1-8b:q4_0 ] && echo 420 || echo 140)" bash scripts/device-compare.sh $v 2>&1 \
    | grep -E '^==|decodeTokensPerSecond|decodeProfile|rror|xception' \
    | sed -E 's/"hostPick.*//; s/"timing.*//; s/"sampledTokensPerSecond[^ ]* //; s/"topK[^ ]* //' | cut -c1-700
done
} 2>&1 | tee "${OUT:-/tmp/out}/next.txt"
