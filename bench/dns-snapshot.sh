#!/usr/bin/env sh
# Prints how long a DNS validation snapshot takes with 100 ms injected per lookup, divided by 100 ms.
# Extra Maven flags go in MAVEN_ARGS (e.g. MAVEN_ARGS=-o for an offline build).
set -eu
cd "$(dirname "$0")/.."
mvn -B -q ${MAVEN_ARGS:-} test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.domainkeeper.bench.DnsSnapshotBench "$@"
