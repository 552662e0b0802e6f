#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for the lent GPU machine, which has no Java: a jlinked Java 25 runtime, the
# engine's classes and runtime jars, its test classes with the JUnit console launcher, and stories260K.
# Then run scripts/device-run.sh there with carry [".device"].
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -B -q -pl webllm-engine -am -DskipTests install
rm -rf .device/lib .device/classes .device/test-classes .device/testdata
mkdir -p .device/lib .device/testdata/models
./mvnw -B -q -pl webllm-engine dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$root/.device/lib"
# the console launcher bundles JUnit itself; byte-buddy only serves AssertJ features the tests do not use
rm -f .device/lib/junit-*.jar .device/lib/byte-buddy-*.jar
./mvnw -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:6.0.3 -DoutputDirectory="$root/.device/lib"
cp -r webllm-engine/target/classes .device/classes
cp -r webllm-engine/target/test-classes .device/test-classes
cp ../shared/testdata/models/stories260K.gguf .device/testdata/models/
# a real vocabulary for synthetic models whose text must tokenize like a real model's (serve-bench)
mkdir -p .device/testdata/tokenizer && cp ../shared/testdata/tokenizer/ggml-vocab-qwen2.gguf .device/testdata/tokenizer/
if [ ! -x .device/jre/bin/java ]; then
  "$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.unsupported,java.logging,java.net.http,jdk.httpserver,java.xml \
    --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output .device/jre
  # libjvm.so's symbol table: 5 of its 30 MB, room under the device tool's 64 MiB for a baseline's classes
  strip --strip-unneeded .device/jre/lib/server/libjvm.so
fi
du -sh .device
