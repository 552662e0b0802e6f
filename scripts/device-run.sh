#!/usr/bin/env bash
# Runs on the lent NVIDIA machine (see shared/device/README.md): correctness on the GPU first, then benchmarks of
# synthetic models generated there. Results land in $OUT. Usage: scripts/device-run.sh [MODELS...]
# where MODELS are shape:type pairs (default: qwen2.5-0.5b:q8_0 llama-3.1-8b:q4_0 llama-3.1-8b:q8_0); a type may be
# the mix q4_k_m (synth's WeightTypes).
# SKIP_CHECK=1 skips the correctness tests; BENCH_ARGS replaces the bench options (default "-p 512 -n 128");
# SWEEP="rows,warps,tokens[,magic[,split]] ..." benchmarks each packed-matvec shape instead of the defaults (split:
# warps sharing a row set's columns, -Dwebllm.mv.split; 0 lets the row length decide; left out, the default 2).
set -uo pipefail
OUT="${OUT:-/tmp/out}"
mkdir -p "$OUT" /tmp/models
# the driver's registration and the carried Java (scripts/check-ptx-syntax.sh catches most PTX errors before a run)
source scripts/device-lib.sh
java="$java ${JAVA_OPTS:-}"
cp=".device/classes:.device/lib/*"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
$java -cp "$cp" io.webllm.engine.cli.Main devices | tee "$OUT/devices.txt"

echo "== correctness on the GPU (reference tests with -Dwebllm.test.device=gpu)"
[ -n "${SKIP_CHECK:-}" ] || $java -Dwebllm.test.device=gpu -Dwebllm.testdata=.device/testdata -cp ".device/test-classes:$cp" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-class io.webllm.engine.model.StoriesGreedyTests --select-class io.webllm.engine.model.ForwardPassTests \
  --select-class io.webllm.engine.model.Q8ActivationKernelTests --select-class io.webllm.engine.model.KQuantKernelTests \
  --select-class io.webllm.engine.model.MixedTypeModelTests --select-class io.webllm.engine.model.RecordedPassTests \
  --select-class io.webllm.engine.model.Q8MatrixMatrixKernelTests --select-class io.webllm.engine.model.Q8SmallBatchKernelTests \
  --select-class io.webllm.engine.model.AttentionKernelTests --select-class io.webllm.engine.model.DeviceDecodeTests \
  2>&1 | tail -25 | tee "$OUT/correctness.txt"

models=("$@")
[ ${#models[@]} -gt 0 ] || models=(qwen2.5-0.5b:q8_0 llama-3.1-8b:q4_0 llama-3.1-8b:q8_0)
for spec in "${models[@]}"; do
  shape="${spec%%:*}"; type="${spec##*:}"
  file="/tmp/models/$shape-$type.gguf"
  [ -f "$file" ] || $java -cp "$cp" io.webllm.engine.cli.Main synth --shape "$shape" --type "$type" --seed 1 -o "$file" --json | tee -a "$OUT/synth.jsonl"
  if [ -z "${SWEEP:-}" ]; then
    $java -cp "$cp" io.webllm.engine.cli.Main bench -m "$file" ${BENCH_ARGS:--p 512 -n 128} --device gpu --json | tee -a "$OUT/bench.jsonl"
  else
    # SWEEP="rows,warps,tokens[,magic[,split]] ...": packed matvec shapes to compare (see opencl/Tuning.java)
    for shape_cfg in $SWEEP; do
      IFS=, read -r rows warps tokens magic split <<< "$shape_cfg"
      echo "== $spec rows=$rows warps=$warps tokens=$tokens magic=${magic:-1} split=${split:-default}"
      $java -Dwebllm.mv.rows="$rows" -Dwebllm.mv.warps="$warps" -Dwebllm.mv.tokens="$tokens" -Dwebllm.mv.magic="${magic:-1}" \
        ${split:+-Dwebllm.mv.split=$split} \
        -cp "$cp" \
        io.webllm.engine.cli.Main bench -m "$file" ${BENCH_ARGS:--p 512 -n 128} --device gpu --json | tee -a "$OUT/sweep.jsonl"
    done
  fi
done
