#!/usr/bin/env bash
# Measures the packaged service as the launcher starts it (./domainkeeper serve) and prints every
# figure as a ratio to the same server's /health, driven by the same load tool: wrk (HTTP/1.1, 16
# connections) for HTTP/JSON, h2load (HTTP/2, 16 connections, one stream each) for gRPC. Each ratio
# is the median of three alternating runs (/health, then the figure). Benchmarks are not tests: this
# never fails on timing. Needs wrk and h2load (Debian: apt-get install wrk nghttp2-client), curl, and
# psql for the PostgreSQL rows (skipped when PostgreSQL does not answer at 127.0.0.1:5432).
#
# Before its three runs, each figure and /health are driven for BENCH_WARMUP seconds each: the JIT
# compiler takes 20-30 s of load to settle on the HTTP/JSON path (GetDomain triples over that time),
# and a figure taken before that measures the compiler, not the service.
#
# Environment: BENCH_SECONDS (per run, default 5), BENCH_WARMUP (per figure, default 30),
# BENCH_CONNECTIONS (default 16), JAVA_OPTS (handed to the launcher as it is).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${BENCH_SECONDS:-5}"
warmup="${BENCH_WARMUP:-30}"
conns="${BENCH_CONNECTIONS:-16}"
key="dk_benchmarkkey000000000000000000"
work="$(mktemp -d /tmp/dk-bench.XXXXXX)"
log="target/bench-service.log"
: >"$log"
pid=""
trap 'stop_server; rm -rf "$work"' EXIT

for tool in wrk h2load curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/service.sh: $tool is missing (Debian: apt-get install wrk nghttp2-client curl)" >&2
    exit 1
  fi
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

# choose_port: picks a free port for the next start_server; sets port and base. Called before a start
# is timed: asking Python for a port takes about 0.1 s, which is no part of the service's start.
choose_port() {
  port="$(free_port)"
  base="http://127.0.0.1:$port"
}

# start_server ENV... : starts ./domainkeeper serve on $port with these extra variables; sets pid.
start_server() {
  env DOMAINKEEPER_PORT="$port" DOMAINKEEPER_BOOTSTRAP_API_KEY="$key" "$@" ./domainkeeper serve >>"$log" 2>&1 &
  pid=$!
}

stop_server() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}

# Waits until /health answers 200; prints the seconds since $1 (date +%s%N at launch).
wait_healthy() {
  local t0="$1"
  for _ in $(seq 1 3000); do
    if curl -sf -o /dev/null "$base/health"; then
      echo "scale=3; ($(date +%s%N) - $t0) / 1000000000" | bc -l
      return 0
    fi
    sleep 0.01
  done
  echo "server did not become healthy; see $log" >&2
  return 1
}

# The JVM's pid: the launcher execs java (after writing the class-data archive, when it does).
java_pid() {
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ]; then
    echo "$pid"
  else
    ps -o pid= --ppid "$pid" | head -1 | tr -d ' '
  fi
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

# wrk_rps URL [wrk args...]: requests per second (every answer counts, 401s included).
wrk_rps() {
  local url="$1"
  shift
  wrk -t2 -c"$conns" -d"${secs}s" "$@" "$url" 2>>"$log" | tee -a "$log" | awk '/^Requests\/sec:/ {print $2}'
}

# h2_rps URL [h2load args...]: requests per second over HTTP/2 (prior knowledge).
h2_rps() {
  local url="$1"
  shift
  h2load -c"$conns" -m1 -t2 -D"$secs" --warm-up-time=1 "$@" "$url" 2>>"$log" | tee -a "$log" \
    | awk '/^finished in/ {gsub(",", "", $0); for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") print $i}'
}

# warm CMD: drives CMD for $warmup seconds and forgets the figure.
warm() {
  local secs="$warmup"
  if [ "$secs" -gt 0 ]; then
    eval "$1" >/dev/null
  fi
}

# ratio NAME HEALTH_CMD FIGURE_CMD: a warm-up of each, then three alternating runs; prints the median
# ratio and both rates.
ratio() {
  local name="$1" health_cmd="$2" figure_cmd="$3" h f rs=() hs=() fs=()
  warm "$health_cmd"
  warm "$figure_cmd"
  for _ in 1 2 3; do
    h="$(eval "$health_cmd")"
    f="$(eval "$figure_cmd")"
    hs+=("$h")
    fs+=("$f")
    rs+=("$(echo "scale=4; $f / $h" | bc -l)")
  done
  printf '%-52s %8.2f   (%s vs %s req/s)\n' "$name" "$(median "${rs[@]}")" \
    "$(printf '%.0f' "$(median "${fs[@]}")")" "$(printf '%.0f' "$(median "${hs[@]}")")"
}

add_domains() { # add_domains COUNT PREFIX
  for i in $(seq 1 "$1"); do
    curl -sf -o /dev/null -H "authorization: Bearer $key" -H 'content-type: application/json' \
      -d "{\"domain\":\"$2-$i.example.com\"}" "$base/domains"
  done
}

# A gRPC message: 5-byte frame header, then GetDomainRequest { id = 1 }.
grpc_get_body() {
  local id="$1" file="$2"
  printf '\x00\x00\x00\x00'"$(printf '\\x%02x' $((${#id} + 2)))"'\x0a'"$(printf '\\x%02x' ${#id})"'%s' "$id" >"$file"
}

cat >"$work/add.lua" <<'LUA'
local n = 0
local nonce = ""

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  nonce = os.getenv("BENCH_NONCE") or "x"
end
request = function()
  n = n + 1
  local body = '{"domain":"add-' .. nonce .. '-' .. tid .. '-' .. n .. '.example.com"}'
  return wrk.format("POST", "/domains", nil, body)
end
LUA

store_figures() { # store_figures LABEL ENV...
  local label="$1"
  shift
  choose_port
  start_server DOMAINKEEPER_BACKGROUND_WORKERS=false "$@"
  wait_healthy "$(date +%s%N)" >/dev/null
  if [ "$label" = sqlite ]; then
    # Room for the AddDomain runs (the default quota is 1,000 domains).
    env "$@" ./domainkeeper accounts set-quota default --domains 1000000 >>"$log" 2>&1
  fi
  add_domains 60 "seed"
  local id
  id="$(curl -sf -H "authorization: Bearer $key" "$base/domains?page_size=1" | sed -E 's/.*"id": *"([^"]+)".*/\1/')"
  grpc_get_body "$id" "$work/get.bin"
  local auth="authorization: Bearer $key"
  local wrk_health="wrk_rps $base/health"
  local h2_health="h2_rps $base/health"
  ratio "$label: GetDomain HTTP/JSON / health" "$wrk_health" "wrk_rps $base/domains/$id -H '$auth'"
  ratio "$label: GetDomain gRPC / health (h2)" "$h2_health" \
    "h2_rps $base/domains.v1.DomainsService/GetDomain -d $work/get.bin -H 'content-type: application/grpc' -H 'te: trailers' -H '$auth'"
  if [ "$label" = sqlite ]; then
    ratio "$label: unknown API key / health" "$wrk_health" \
      "wrk_rps $base/domains/$id -H 'authorization: Bearer dk_unknownkey00000000000000000000'"
    ratio "$label: ListDomains page of 50 / health" "$wrk_health" \
      "wrk_rps '$base/domains?page_size=50' -H '$auth'"
    ratio "$label: AddDomain (sandbox) / health" "$wrk_health" \
      "export BENCH_NONCE=\$(date +%s%N); wrk_rps $base/domains -H '$auth' -H 'content-type: application/json' -s $work/add.lua"
  fi
  stop_server
}

echo "== Service figures: ratios to the same server's /health ($conns connections, ${warmup} s warm-up, ${secs} s per run, median of 3)"
store_figures sqlite DOMAINKEEPER_DATABASE_URL="jdbc:sqlite:$work/sqlite/dk.db"
if psql -h 127.0.0.1 -U postgres -d test -qc 'SELECT 1' >/dev/null 2>&1; then
  schema="bench_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d test -qc "CREATE SCHEMA $schema" >/dev/null
  store_figures postgres DOMAINKEEPER_DATABASE_URL="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
    DOMAINKEEPER_DATABASE_USER=postgres
  psql -h 127.0.0.1 -U postgres -d test -qc "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE" >/dev/null
else
  echo "PostgreSQL not answering at 127.0.0.1:5432; skipped its figures"
fi

# Start-up and idle memory with the launcher's defaults (SQLite, background workers on), each on a
# fresh database. The first start makes what the launcher keeps between starts (the class-data
# archive, written by a throwaway run before the service starts); the figures are the median of the
# three starts after it.
rm -f target/domainkeeper.jsa target/domainkeeper.jsa.jvm
starts=()
rss=()
for i in 0 1 2 3; do
  choose_port
  t0="$(date +%s%N)"
  start_server DOMAINKEEPER_DATABASE_URL="jdbc:sqlite:$work/start$i/dk.db"
  s="$(wait_healthy "$t0")"
  sleep 5
  r="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$(java_pid)/status")"
  stop_server
  if [ "$i" = 0 ]; then
    first_start="$s"
    first_rss="$r"
  else
    starts+=("$s")
    rss+=("$r")
  fi
done
printf '%-52s %8.2f s   (first start %.2f s)\n' "service: start to healthy (./domainkeeper serve)" \
  "$(median "${starts[@]}")" "$first_start"
printf '%-52s %8d MiB (first start %d MiB)\n' "service: idle RSS 5 s after healthy" "$(median "${rss[@]}")" "$first_rss"
