#!/usr/bin/env bash
# The open measurements of docs/performance.md after scripts/device-next.sh, in one device command of ~9 minutes
# (after scripts/prepare-device.sh; carry [".device"]), most important first, each part under a timeout so that a
# command cut short by the session's device time still returns what it measured. Timestamps show what each part
# cost; the output is also in $OUT/open-measurements.txt. Variants that change a build define rebuild every kernel
# (~75 s each); the host-side ones (-Dwebllm.mv.split, -Dwebllm.mv.walk) do not.
set -uo pipefail
source scripts/device-lib.sh
{
T "16 streams of 8B Q4_0: the small-batch tensor-core matvecs with 4 warps (2,697 tok/s aggregate against 2,465 once in session 17; a rebuild), in alternation"
BENCH_ARGS="-p 64 -n 64 --streams 16" timeout 300 bash scripts/device-compare.sh main w4=-Dwebllm.mmv.warps=4 main2 w4b=-Dwebllm.mmv.warps=4
T "8B Q4_0 at 4,000 positions: the default against the layer chain (step 77)"
BENCH_ARGS="-p 4000 -n 64" timeout 100 bash scripts/device-compare.sh main layer=-Dwebllm.chain.layer=true
T "0.5B Q8_0: 8 rows a warp (a rebuild; session 17's run ran out of time before it)"
MODEL=qwen2.5-0.5b:q8_0 BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 150 bash scripts/device-compare.sh main r8=-Dwebllm.mv.rows=8 main2
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
