#!/usr/bin/env bash
# Builds the engine classes of an earlier commit into .device/classes-LABEL (default prev), after
# scripts/prepare-device.sh, so that one device command measures that build against the current one
# (scripts/device-compare.sh: a variant named LABEL runs those classes). Usage: scripts/prepare-baseline.sh REV [LABEL]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:?usage: scripts/prepare-baseline.sh REV [LABEL]}"
label="${2:-prev}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/tree" "$rev" >/dev/null
(cd "$work/tree" && ./mvnw -B -q -o -pl webllm-engine -DskipTests compile)
rm -rf "$root/.device/classes-$label"
cp -r "$work/tree/webllm-engine/target/classes" "$root/.device/classes-$label"
echo "$(git -C "$root" rev-parse --short "$rev") -> .device/classes-$label ($(du -sh "$root/.device/classes-$label" | cut -f1))"
