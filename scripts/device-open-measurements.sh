#!/usr/bin/env bash
# The open measurements of docs/performance.md after scripts/device-next.sh, in one device command of up to ~10 minutes
# (after scripts/prepare-device.sh; carry [".device"]), most important first, each part under a timeout so that a
# command cut short by the session's device time still returns what it measured. Timestamps show what each part
# cost; the output is also in $OUT/open-measurements.txt. Variants that change a build define rebuild every kernel
# (~75 s each); the host-side ones (-Dwebllm.mv.split) do not.
t0=$(date +%s); T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors; [ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
{
w=-Dwebllm.mv.weightLoad=4
m=-Dwebllm.mma.magicSums=true
T "kernel-bench with weightLoad 4 (device-next.sh ran the defaults)"
for opts in "$w"; do
  timeout 90 .device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dwebllm.opencl.requirePtx=true $opts -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main kernel-bench --device gpu --json \
    | tr -d '\n ' | grep -o '"copyGBps[^,]*\|"[a-zA-Z0-9]*WeightGBps[^,]*' | tr '\n' ' '; echo
done
T "8B Q8_0 and 16 streams of 8B Q4_0 with device-next.sh's candidates (steps 67-68)"
MODEL=llama-3.1-8b:q8_0 timeout 130 bash scripts/device-compare.sh main wl4=$w mg=$m both=$w,$m w4=-Dwebllm.mv.walk=4
BENCH_ARGS="-p 64 -n 64 --streams 16" timeout 100 bash scripts/device-compare.sh main mg=$m both=$w,$m main2
T "8B Q4_0 (host-side switches): the short products split further (o, q/k/v, down fill too few warps); the column split with the plain gated kernel; the rope launched again, so that the q/k/v product loses its arrival tail and takes the loads-ahead kernel (step 65's lesson)"
timeout 150 bash scripts/device-compare.sh main ss4=-Dwebllm.mv.splitShort=4 ss8=-Dwebllm.mv.splitShort=8 w2=-Dwebllm.mv.walk=2 w8=-Dwebllm.mv.walk=8 \
  nr=-Dwebllm.fuse.rope=false s1=-Dwebllm.mv.split=1 s4=-Dwebllm.mv.split=4 main2 ss4b=-Dwebllm.mv.splitShort=4 nr2=-Dwebllm.fuse.rope=false
T "0.5B Q8_0: the short products split further (its o, q/k/v and down)"
MODEL=qwen2.5-0.5b:q8_0 timeout 100 bash scripts/device-compare.sh main ss4=-Dwebllm.mv.splitShort=4 ss8=-Dwebllm.mv.splitShort=8 main2
T "16 streams of 8B Q4_0: the small-batch tensor-core matvecs' rounds and warps (mul_mv_mma.cl; the gated one ran at ~0.7 TB/s)"
BENCH_ARGS="-p 64 -n 64 --streams 16" timeout 260 bash scripts/device-compare.sh main u2=-Dwebllm.mmv.unroll=2 \
  u8=-Dwebllm.mmv.unroll=8 w4=-Dwebllm.mmv.warps=4 main2
T end
} 2>&1 | tee "${OUT:-/tmp/out}/open-measurements.txt"
