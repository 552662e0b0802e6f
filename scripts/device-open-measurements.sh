#!/usr/bin/env bash
# The open measurements of docs/performance.md after scripts/device-next.sh, in one device command of ~9 minutes
# (after scripts/prepare-device.sh; carry [".device"]), most important first, each part under a timeout so that a
# command cut short by the session's device time still returns what it measured. Timestamps show what each part
# cost; the output is also in $OUT/open-measurements.txt. Variants that change a build define rebuild every kernel
# (~75 s each); the host-side ones (-Dwebllm.mv.split, -Dwebllm.mv.walk) do not.
set -uo pipefail
source scripts/device-lib.sh
{
w8=-Dwebllm.mv.walk=8
s1=-Dwebllm.mv.split=1
ss1=-Dwebllm.mv.splitShort=1
T "8B Q4_0 with the launched-norm chain: walking products (step 72), split 1 (+4.5% once without the chain) and split 1 for o and q/k/v alone (splitShort), in alternation"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 220 bash scripts/device-compare.sh main w8=$w8 s1=$s1 ss1=$ss1 main2 s1b=$s1 ss1b=$ss1
T "8B Q4_K_M: down in Q6_K loading ahead too (-Dwebllm.mv.aheadPlain=true; auto leaves Q6_K out since session 12), in alternation"
MODEL=llama-3.1-8b:q4_k_m BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 130 bash scripts/device-compare.sh main ah=-Dwebllm.mv.aheadPlain=true main2 ah2=-Dwebllm.mv.aheadPlain=true
T "0.5B Q8_0: 8 rows a warp (a rebuild; cut short in sessions 17 and 18)"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 140 bash scripts/device-compare.sh main r8=-Dwebllm.mv.rows=8 main2
T "8B Q4_0 at 4,000 positions (long context: within 20% of 128 positions)"
BENCH_ARGS="-p 4000 -n 64" timeout 60 bash scripts/device-compare.sh main
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
