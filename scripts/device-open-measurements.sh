#!/usr/bin/env bash
# The open measurements of docs/performance.md after scripts/device-next.sh, in one device command of up to ~10 minutes
# (after scripts/prepare-device.sh; carry [".device"]), most important first, each part under a timeout so that a
# command cut short by the session's device time still returns what it measured. Timestamps show what each part
# cost; the output is also in $OUT/open-measurements.txt. Variants that change a build define rebuild every kernel
# (~75 s each); the host-side ones (-Dwebllm.mv.split) do not.
set -uo pipefail
source scripts/device-lib.sh
{
w8=-Dwebllm.mv.walk=8
s1=-Dwebllm.mv.split=1
gp=-Dwebllm.mv.gatedPairs=true
lc=-Dwebllm.chain.launchedNorms=2
T "8B Q4_0: the gated product a warp a matrix (step 73) against the defaults; kernel-bench on the 8B's shapes (the products alone on device events, the launched-norm chain against its separate launches)"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 70 bash scripts/device-compare.sh main gp=$gp
kb 100
T "16 streams of 8B Q4_0: the small-batch tensor-core matvecs' rounds (-Dwebllm.mmv.unroll=2 gave 8.28x against 7.86x once in session 15; a rebuild) and warps"
BENCH_ARGS="-p 64 -n 64 --streams 16" timeout 280 bash scripts/device-compare.sh main u2=-Dwebllm.mmv.unroll=2 main2 u2b=-Dwebllm.mmv.unroll=2 w4=-Dwebllm.mmv.warps=4
T "0.5B Q8_0: 8 rows a warp (its rows are 28 groups, one round a warp: twice the bytes a round for the same fixed work; a rebuild)"
MODEL=qwen2.5-0.5b:q8_0 timeout 150 bash scripts/device-compare.sh main r8=-Dwebllm.mv.rows=8 main2
T "8B Q4_0 split 1 and the launched-norm chain at 1 and 4 work-groups an SM; Q8_0 and Q4_K_M with device-next.sh's candidates"
BENCH_ARGS="-p 512 -n 128 --repeat 5" timeout 150 bash scripts/device-compare.sh main s1=$s1 lc1=-Dwebllm.chain.launchedNorms=1 main2 s1b=$s1 lc4=-Dwebllm.chain.launchedNorms=4
MODEL=llama-3.1-8b:q8_0 timeout 150 bash scripts/device-compare.sh main w8=$w8 gp=$gp lc=$lc main2
MODEL=llama-3.1-8b:q4_k_m timeout 150 bash scripts/device-compare.sh main w8=$w8 gp=$gp lc=$lc main2
T "8B Q4_0 at 4,000 positions with them"
BENCH_ARGS="-p 4000 -n 64" timeout 120 bash scripts/device-compare.sh main w8=$w8 gp=$gp lc=$lc
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
