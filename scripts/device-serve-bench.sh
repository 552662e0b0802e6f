#!/usr/bin/env bash
# Serving benchmark on the lent GPU machine (after scripts/prepare-device.sh, carry [".device"]): a synthetic
# llama-3.1-8b Q4_0 carrying the real Qwen2 vocabulary (so prompts tokenize like a real model's), then N greedy
# streams started together. Usage: scripts/device-serve-bench.sh [CONCURRENCY, default 1,4,16]
set -euo pipefail
mkdir -p /tmp/models
source scripts/device-lib.sh
java=($java -cp ".device/classes:.device/lib/*")
model=/tmp/models/llama-3.1-8b-q4_0-qwen2-vocab.gguf
[ -f "$model" ] || "${java[@]}" io.webllm.engine.cli.Main synth --shape llama-3.1-8b --type q4_0 --seed 1 \
  --vocab .device/testdata/tokenizer/ggml-vocab-qwen2.gguf -o "$model" > /dev/null
"${java[@]}" io.webllm.engine.cli.Main serve-bench -m "$model" --concurrency "${1:-1,4,16}" -n 128 -p 128 --device gpu
