#!/usr/bin/env bash
# Runs every benchmark and prints its figures and ratios. Benchmarks are not tests: they never fail
# on timing. Usage: bench/run.sh [domains]  (ListDomains at that many domains; default 100000)
# The service figures first (bench/service.sh: every figure as a ratio to the same server's /health,
# start-up and idle memory of ./domainkeeper serve), then the in-process benchmarks.
# Extra Maven flags go in MAVEN_ARGS (e.g. MAVEN_ARGS=-o for an offline build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q ${MAVEN_ARGS:-} -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
mvn -B -q ${MAVEN_ARGS:-} test-compile >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
run() { java -Xmx2g -cp "$cp" "$@" 2>>target/bench.log; }

bench/service.sh
echo
echo "== ListDomains at depth, GetDomain vs /health (LifecycleBench)"
run dev.domainkeeper.bench.LifecycleBench "${1:-100000}"
echo
echo "== DNS validation snapshot with 100 ms per lookup (DnsSnapshotBench)"
run dev.domainkeeper.bench.DnsSnapshotBench
echo
echo "== Staleness, start-up, idle memory, verifier SES rate (PlatformBench)"
run dev.domainkeeper.bench.PlatformBench
