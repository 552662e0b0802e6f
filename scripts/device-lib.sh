# What the device command scripts share (device-run.sh and every other device-*.sh that runs Java), sourced on the
# lent GPU from the repository root after scripts/prepare-device.sh: a timestamp line, NVIDIA's OpenCL driver
# registered, the carried Java, the GPU tests and kernel-bench in short.
t0=$(date +%s)
# a part's heading with the seconds since the command started: what each part cost
T() { echo "## t=$(( $(date +%s) - t0 ))s $*"; }
mkdir -p /etc/OpenCL/vendors
[ -f /etc/OpenCL/vendors/nvidia.icd ] || echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
# -Dwebllm.opencl.requirePtx: fail if the NVIDIA build with inline PTX fails instead of measuring the fallback
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dwebllm.opencl.requirePtx=true"

# gpu_tests SECONDS CLASS...: the engine's test classes (model.ChainedLayerTests: names under io.webllm.engine) on the
# GPU under a timeout, TEST_OPTS added to their JVM; prints the summary and each failure. The first run on a fresh
# machine compiles the kernels (~60-170 s).
gpu_tests() {
  local seconds=$1 selects=() class
  shift
  for class in "$@"; do selects+=(--select-class "io.webllm.engine.$class"); done
  local log
  log=$(mktemp)
  timeout "$seconds" $java ${TEST_OPTS:-} -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata \
    -cp ".device/test-classes:.device/classes:.device/lib/*" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=summary "${selects[@]}" > "$log" 2>&1
  echo "exit status $?"
  # no summary (sessions 17 and 18 each had a run print nothing): what the run printed last says why
  if grep -qE "tests (successful|failed)" "$log"; then
    grep -E "tests (successful|failed)|MethodSource|=>" "$log" | cut -c1-300
  else
    tail -15 "$log" | cut -c1-300
  fi
  rm -f "$log"
}

# kb SECONDS [kernel-bench options]: kernel-bench under a timeout, its copy rate, the products' weight rates on
# device events and the launched-norm chain's timings on one line (the first run on a fresh machine builds the
# kernels: give it ~100 s)
kb() {
  local seconds=$1
  shift
  timeout "$seconds" $java -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main kernel-bench --device gpu --json "$@" \
    | tr -d '\n ' | grep -o '"copyGBps[^,]*\|"[a-zA-Z0-9]*WeightGBps[^,]*\|"gatedQuantizeDown[A-Za-z0-9]*Micros[^,}]*' \
    | sed 's/WeightGBps//' | tr '\n' ' '
  echo
}
