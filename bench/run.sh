#!/usr/bin/env bash
# Runs the benchmarks (not tests: they print figures and ratios and never fail on timing).
# Usage: bench/run.sh [domains]   (default 100000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java -Xmx2g -cp "$cp" dev.domainkeeper.bench.LifecycleBench "${1:-100000}" 2>target/bench.log
