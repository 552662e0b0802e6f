#!/usr/bin/env bash
# One device command that answers issue 7's questions in under 10 minutes on the lent GPU (after
# scripts/prepare-device.sh; carry [".device"], without .device/testdata/tokenizer to stay under 64 MiB):
# the GPU correctness tests, then compact lines of
#   - decode/prefill at 512 positions for 8B Q4_0, 0.5B Q8_0 and 8B Q4_K_M (RECORDED=1: again with recorded passes),
#   - long context (4,000 positions) against short (128) for 8B Q4_0,
#   - 16 streams a pass (bench --streams) with a per-kernel profile,
#   - the per-kernel decode profile of 8B Q4_0 at 512 positions.
# A baseline build can run in the same command: put its classes in .device/classes-old (BASELINE=1). EXTRA=1 adds
# the open questions: 16 streams through narrow tensor-core tiles, longer attention chunks.
set -uo pipefail
R=scripts/device-run.sh
summary() { grep -o '"model[^,]*\|"prefillTokensPerSecond[^,]*\|"decodeTokensPerSecond[^,]*\|"decodeEnqueueMillisPerToken[^,]*\|"bandwidthFraction[^,]*' | tr '\n' ' '; echo; }
source scripts/device-lib.sh
echo "== whether the GPU records passes (cl_khr_command_buffer; NVIDIA's 580 driver does not offer it)"
$java -cp ".device/classes:.device/lib/*" io.webllm.engine.cli.Main devices --json | grep -o '"commandBuffers":{[^}]*}'
first=$(mktemp)
bash $R llama-3.1-8b:q4_0 qwen2.5-0.5b:q8_0 llama-3.1-8b:q4_k_m > "$first" 2>&1
grep -E "tests (successful|failed)|MethodSource|=>" "$first" | cut -c1-300
grep '"model' "$first" | while read -r line; do echo "$line" | summary; done
if [ -n "${RECORDED:-}" ]; then
echo "== recorded passes (-Dwebllm.commandBuffers=true)"
SKIP_CHECK=1 JAVA_OPTS=-Dwebllm.commandBuffers=true bash $R llama-3.1-8b:q4_0 qwen2.5-0.5b:q8_0 llama-3.1-8b:q4_k_m 2>&1 | grep '"model' | while read -r line; do echo "$line" | summary; done
fi
echo "== 8B Q4_0 at 4,000 and at 128 positions"
SKIP_CHECK=1 BENCH_ARGS="-p 4000 -n 64 --batch 512" bash $R llama-3.1-8b:q4_0 2>&1 | grep '"model' | while read -r line; do echo "$line" | summary; done
SKIP_CHECK=1 BENCH_ARGS="-p 128 -n 128" bash $R llama-3.1-8b:q4_0 2>&1 | grep '"model' | while read -r line; do echo "$line" | summary; done
echo "== 16 streams, 8B Q4_0"
SKIP_CHECK=1 BENCH_ARGS="-p 128 -n 32 --streams 16" bash $R llama-3.1-8b:q4_0 2>&1 | grep -o '"streams":{.*' | cut -c1-300
SKIP_CHECK=1 JAVA_OPTS=-Dwebllm.opencl.profile=true BENCH_ARGS="-p 128 -n 32 --streams 16 --profile" bash $R llama-3.1-8b:q4_0 2>&1 | grep -o '"stepProfile":{.*' | cut -c1-1500
echo "== decode profile, 8B Q4_0 at 512 positions"
SKIP_CHECK=1 JAVA_OPTS=-Dwebllm.opencl.profile=true BENCH_ARGS="-p 512 -n 32 --profile" bash $R llama-3.1-8b:q4_0 2>&1 | grep -o '"decodeProfile":{[^}]*}' | cut -c1-1500
if [ -n "${EXTRA:-}" ]; then
  echo "== 16 streams through 32 x 32 tensor-core tiles from 9 tokens on"
  SKIP_CHECK=1 JAVA_OPTS="-Dwebllm.mm.minTokens=9 -Dwebllm.mmq.tokens=32 -Dwebllm.mmq.rows=32" BENCH_ARGS="-p 128 -n 32 --streams 16" \
    bash $R llama-3.1-8b:q4_0 2>&1 | grep -o '"streams":{.*' | cut -c1-300
  for m in 64 128; do
    echo "== attention chunks of at least $m positions"
    SKIP_CHECK=1 JAVA_OPTS=-Dwebllm.attention.minSpan=$m bash $R llama-3.1-8b:q4_0 2>&1 | grep '"model' | while read -r line; do echo "$line" | summary; done
  done
fi
echo "== registers and stack a kernel (NVIDIA's build log, -cl-nv-verbose): occupancy of the decode kernels"
SKIP_CHECK=1 JAVA_OPTS=-Dwebllm.opencl.buildLog=true BENCH_ARGS="-p 16 -n 8" bash $R qwen2.5-0.5b:q8_0 2>&1 \
  | grep -A2 -E "Compiling entry function 'kernel_(mul_mv|attention_split|mul_mmq_q4_0)" \
  | grep -o "entry function '[a-z_0-9]*'\|[0-9]* bytes stack frame\|Used [0-9]* registers" | paste - - -
if [ -n "${BASELINE:-}" ] && [ -d .device/classes-old ]; then
  echo "== baseline (.device/classes-old)"
  mv .device/classes .device/classes-new && mv .device/classes-old .device/classes
  SKIP_CHECK=1 bash $R llama-3.1-8b:q4_0 2>&1 | grep '"model' | while read -r line; do echo "$line" | summary; done
  mv .device/classes .device/classes-old && mv .device/classes-new .device/classes
fi
