#!/usr/bin/env bash
# The public read benchmark (see bench/README.md): Bureau against a bare
# net/http server that replays Bureau's exact answers, with the demo content
# and then with a large dataset (1,000 offices, 20,000 departments).
#
#   bash bench/run.sh            # or: make bench
#
# Knobs (environment): BENCH_DURATION (10s), BENCH_WARMUP (3s),
# BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_KEEP=1 keeps the temp dir
# (binaries, data dirs, server logs). All traffic goes to 127.0.0.1; every
# process started here is stopped on exit. Raw wrk output and the summary go
# to bench/results/<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-3s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}

started=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="bench/results/$stamp"
mkdir -p "$results"
tmp=$(mktemp -d /tmp/bureau-bench.XXXXXX)
pids=()

stop_pid() { # stop_pid PID: TERM, then KILL after 10s
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local pid
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	if [ "${BENCH_KEEP:-}" = 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" | tee -a "$results/summary.txt" >&2; }

# ---- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	echo "installing wrk" >&2
	if [ "$(id -u)" != 0 ]; then
		echo "wrk is missing: run as root or apt-get install wrk" >&2
		exit 1
	fi
	apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
echo "building" >&2
go build -o "$tmp/bureau" ./cmd/bureau
go build -o "$tmp/bare" ./bench/bare
go build -o "$tmp/seed" ./bench/seed

# ---- processes -------------------------------------------------------------
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_bureau NAME DATADIR [VAR=VALUE...]: starts Bureau on a free port and
# waits for /readyz. Sets BUREAU_PID, BUREAU_URL, BUREAU_READY_MS.
start_bureau() {
	local name=$1 dir=$2
	shift 2
	local t0
	t0=$(now_ms)
	env BUREAU_ADDR=127.0.0.1:0 BUREAU_DATABASE_URL="sqlite:$dir/bureau.db" "$@" \
		"$tmp/bureau" serve >"$tmp/$name.out" 2>"$tmp/$name.log" &
	BUREAU_PID=$!
	pids+=("$BUREAU_PID")
	BUREAU_URL=
	for _ in $(seq 1 3000); do # 60 s at most
		kill -0 "$BUREAU_PID" 2>/dev/null || { cat "$tmp/$name.log" >&2; echo "bureau ($name) exited" >&2; exit 1; }
		if [ -z "$BUREAU_URL" ]; then
			BUREAU_URL=$(sed -n 's|^Bureau is serving \(http://[^ ]*\) .*|\1|p' "$tmp/$name.out")
		fi
		if [ -n "$BUREAU_URL" ] && curl -sf -o /dev/null --max-time 2 "$BUREAU_URL/readyz"; then
			BUREAU_READY_MS=$(( $(now_ms) - t0 ))
			return 0
		fi
		sleep 0.02
	done
	echo "bureau ($name) not ready after 60 s" >&2
	exit 1
}

# start_bare FROM URI...: sets BARE_PID, BARE_URL.
start_bare() {
	local from=$1
	shift
	"$tmp/bare" -from "$from" -addr 127.0.0.1:0 "$@" >"$tmp/bare.out" 2>"$tmp/bare.log" &
	BARE_PID=$!
	pids+=("$BARE_PID")
	BARE_URL=
	for _ in $(seq 1 500); do
		kill -0 "$BARE_PID" 2>/dev/null || { cat "$tmp/bare.log" >&2; echo "bare exited" >&2; exit 1; }
		BARE_URL=$(sed -n 's|^bare is serving \(http://[^ ]*\) .*|\1|p' "$tmp/bare.out")
		[ -n "$BARE_URL" ] && return 0
		sleep 0.02
	done
	echo "bare did not start" >&2
	exit 1
}

stop_server() { # stop_server PID
	stop_pid "$1"
	local keep=() p
	for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
	pids=("${keep[@]+"${keep[@]}"}")
}

kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck=$(getconf CLK_TCK)

# ---- measurements ----------------------------------------------------------
rows="$results/rows.tsv"
printf 'phase\tscenario\tserver\trps\tp50_ms\tp99_ms\tcpu_us_per_req\tbytes\tbad\n' >"$rows"

to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else print "?" }'
}

# measure PHASE SCENARIO SERVER PID BASE URI [LUA]: a warm-up, then the
# measured run; appends a row.
measure() {
	local phase=$1 scenario=$2 server=$3 pid=$4 base=$5 uri=$6 lua=${7:-}
	local script=() out="$results/$phase-$scenario-$server.txt"
	[ -n "$lua" ] && script=(-s "$lua")
	local bytes
	if [ -n "$lua" ] && [ "$lua" = bench/wrk/inm.lua ]; then
		bytes=$(curl -s -o /dev/null -w '%{http_code}:%{size_download}' -H "If-None-Match: $ETAG" "$base$uri")
	else
		bytes=$(curl -s -o /dev/null -w '%{http_code}:%{size_download}' "$base$uri")
	fi
	timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "${script[@]}" "$base$uri" >/dev/null
	local c0 c1
	c0=$(cpu_ticks "$pid")
	timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s --latency "${script[@]}" "$base$uri" >"$out"
	c1=$(cpu_ticks "$pid")
	local rps p50 p99 reqs bad cpu
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
	reqs=$(awk '/requests in/ {print $1}' "$out")
	bad=$(awk '/Non-2xx or 3xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
	cpu=$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$scenario" "$server" "$rps" "$p50" "$p99" "$cpu" "$bytes" "$bad" >>"$rows"
	printf '  %-26s %-12s %8s req/s  p50 %7s ms  p99 %7s ms  %6s µs CPU/req  (%s, errors %s)\n' \
		"$scenario" "$server" "$rps" "$p50" "$p99" "$cpu" "$bytes" "$bad" >&2
}

# pair PHASE SCENARIO URI [LUA]: Bureau, then bare.
pair() {
	measure "$1" "$2" bureau "$BUREAU_PID" "$BUREAU_URL" "$3" "${4:-}"
	measure "$1" "$2" bare "$BARE_PID" "$BARE_URL" "$3" "${4:-}"
}

etag_of() { curl -sI "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}'; }

say "# Bureau public read benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; $(go version | awk '{print $3}'); $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}')"
say "load: wrk -t$THREADS -c$CONNS -d$DURATION --latency after a $WARMUP warm-up; wrk and the server share the machine; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- cmd handlers models 2>/dev/null || echo ' (with uncommitted changes)')"

# ---- phase 1: the demo content ----------------------------------------------
say ""
say "## demo content (1 office, 7 departments)"
start_bureau demo "$tmp/demo"
demo_ready=$BUREAU_READY_MS
demo_uris=(/api/v1/offices/occs '/api/v1/departments?limit=20')
start_bare "$BUREAU_URL" "${demo_uris[@]}"
ETAG=$(etag_of "$BUREAU_URL/api/v1/offices/occs")
export ETAG
for base in "$BUREAU_URL" "$BARE_URL"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$base/api/v1/offices/occs")
	[ "$code" = 304 ] || { echo "$base: If-None-Match answered $code, want 304" >&2; exit 1; }
	cmp -s <(curl -s "$BUREAU_URL/api/v1/offices/occs") <(curl -s "$base/api/v1/offices/occs") || { echo "bare body differs" >&2; exit 1; }
done
pair demo occs-200 /api/v1/offices/occs
pair demo occs-304 /api/v1/offices/occs bench/wrk/inm.lua
pair demo departments-20 '/api/v1/departments?limit=20'
demo_hwm=$(kb "$BUREAU_PID" VmHWM)
n304=$(grep -c 'status=304' "$tmp/demo.log" || true)
nlines=$(wc -l <"$tmp/demo.log")
log_bytes=$(stat -c %s "$tmp/demo.log")
stop_server "$BUREAU_PID"
# The same, with the per-request log line off (BUREAU_LOG_LEVEL=warn), to
# price the logging.
start_bureau quiet "$tmp/demo" BUREAU_LOG_LEVEL=warn
measure demo occs-200 bureau-nolog "$BUREAU_PID" "$BUREAU_URL" /api/v1/offices/occs
measure demo occs-304 bureau-nolog "$BUREAU_PID" "$BUREAU_URL" /api/v1/offices/occs bench/wrk/inm.lua
stop_server "$BUREAU_PID"
stop_server "$BARE_PID"
say "demo: ready in ${demo_ready} ms; peak RSS (VmHWM) ${demo_hwm} kB; log: $nlines lines, $((log_bytes / nlines)) bytes each; $n304 answers were 304"

# ---- phase 2: the large dataset ---------------------------------------------
say ""
say "## large dataset"
seed_out=$(BUREAU_DATABASE_URL="sqlite:$tmp/big/bureau.db" "$tmp/seed")
echo "$seed_out" >"$results/seed.txt"
val() { echo "$seed_out" | sed -n "s/^$1=//p"; }
office=$(val sample_office)
say "seeded $(val offices) offices, $(val departments) departments, $(val contacts) contacts in $(val seconds) s (models.CreateOffice/CreateDepartment/Publish, one transaction each); database $(du -m "$tmp/big/bureau.db" | cut -f1) MB"
start_bureau big "$tmp/big"
big_ready=$BUREAU_READY_MS
big_rss_ready=$(kb "$BUREAU_PID" VmRSS)
big_uris=('/api/v1/departments?limit=20' '/api/v1/departments?limit=20&offset=10000'
	"/api/v1/departments?office=$office" '/api/v1/offices?limit=100' "/api/v1/offices/$office")
start_bare "$BUREAU_URL" "${big_uris[@]}"
pair big departments-20 "${big_uris[0]}"
pair big departments-20-at-10000 "${big_uris[1]}"
pair big departments-of-office "${big_uris[2]}"
pair big offices-100 "${big_uris[3]}"
pair big office "${big_uris[4]}"
big_hwm_fixed=$(kb "$BUREAU_PID" VmHWM)
# Random offsets miss the page cache: the cost of building a page.
measure big departments-20-random bureau "$BUREAU_PID" "$BUREAU_URL" '/api/v1/departments?limit=20' bench/wrk/random-offset.lua
big_hwm=$(kb "$BUREAU_PID" VmHWM)
big_rss=$(kb "$BUREAU_PID" VmRSS)
say "large: ready in ${big_ready} ms; RSS at ready ${big_rss_ready} kB; peak RSS (VmHWM) ${big_hwm_fixed} kB after the fixed pages, ${big_hwm} kB after the random-offset run (RSS now ${big_rss} kB)"
stop_server "$BUREAU_PID"
stop_server "$BARE_PID"

# ---- the table --------------------------------------------------------------
say ""
say "## results (req/s; latency p50/p99 in ms; server CPU per request in µs)"
awk -F'\t' '
	NR == 1 { next }
	{ key = $1 "/" $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	  rps[key, $3] = $4; p50[key, $3] = $5; p99[key, $3] = $6; cpu[key, $3] = $7; bytes[key] = $8 }
	END {
		printf "%-30s %9s %9s %7s %15s %15s %8s %8s %6s %14s\n", "scenario", "bureau", "bare", "ratio", "bureau p50/p99", "bare p50/p99", "cpu bur", "cpu bare", "cpu x", "status:bytes"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if ((k, "bureau") in rps) b = rps[k, "bureau"]; else b = ""
			if ((k, "bare") in rps) {
				printf "%-30s %9s %9s %6.0f%% %15s %15s %8s %8s %6.2f %14s\n", k, b, rps[k, "bare"], 100 * b / rps[k, "bare"],
					p50[k, "bureau"] "/" p99[k, "bureau"], p50[k, "bare"] "/" p99[k, "bare"], cpu[k, "bureau"], cpu[k, "bare"],
					cpu[k, "bureau"] / cpu[k, "bare"], bytes[k]
			} else if (b != "") {
				printf "%-30s %9s %9s %7s %15s %15s %8s %8s %6s %14s\n", k, b, "-", "-", p50[k, "bureau"] "/" p99[k, "bureau"], "-", cpu[k, "bureau"], "-", "-", bytes[k]
			}
			if ((k, "bureau-nolog") in rps)
				printf "%-30s %9s %9s %7s %15s %15s %8s %8s %6s %14s\n", k " (no request log)", rps[k, "bureau-nolog"], "-", "-",
					p50[k, "bureau-nolog"] "/" p99[k, "bureau-nolog"], "-", cpu[k, "bureau-nolog"], "-", "-", bytes[k]
		}
	}' "$rows" | tee -a "$results/summary.txt"

# ---- the targets --------------------------------------------------------------
get() { awk -F'\t' -v p="$1" -v s="$2" -v v="$3" '$1 == p && $2 == s && $3 == v {print $4}' "$rows"; }
check() { # check DESCRIPTION CONDITION-AWK-EXPR
	if awk "BEGIN {exit !($2)}"; then say "  met:    $1"; else say "  MISSED: $1"; fi
}
say ""
say "## targets"
b200=$(get demo occs-200 bureau); r200=$(get demo occs-200 bare); b304=$(get demo occs-304 bureau)
check "GET /api/v1/offices/occs at >= 70% of bare: $b200 vs $r200 req/s ($(awk -v a="$b200" -v b="$r200" 'BEGIN {printf "%.0f%%", 100 * a / b}'))" "$b200 >= 0.7 * $r200"
check "304s at least as many req/s as 200s: $b304 vs $b200 req/s" "$b304 >= $b200"
d0=$(get big departments-20 bureau); d1=$(get big departments-20-at-10000 bureau)
dd=$(get demo departments-20 bureau); ddb=$(get demo departments-20 bare); bd0=$(get big departments-20 bare)
check "large list page costs what the first page costs: offset 10000 $d1 vs offset 0 $d0 req/s" "$d1 >= 0.9 * $d0"
check "large list pages as fast as demo ones, relative to bare: $(awk -v a="$d0" -v b="$bd0" 'BEGIN {printf "%.0f%%", 100 * a / b}') with 20,000 vs $(awk -v a="$dd" -v b="$ddb" 'BEGIN {printf "%.0f%%", 100 * a / b}') with 7" "$d0 / $bd0 >= 0.9 * $dd / $ddb"
check "peak RSS bounded: ${big_hwm} kB with the large dataset (< 1 GiB)" "$big_hwm < 1048576"
say ""
say "total time $(( $(date +%s) - started )) s; raw wrk output in $results/"
