#!/usr/bin/env bash
# Memory and startup of Bureau on the large data set (bench/seed: 1,000
# offices, 20,000 departments, 60,000 contacts): time to a 200 from
# /readyz, process CPU and RSS at ready, and peak RSS (VmHWM) after each
# load below.
#
#   bash bench/memory.sh                 # seeds a new database first (~2 min)
#   BENCH_DB=/tmp/big/bureau.db bash bench/memory.sh   # reuse one (copied, not changed)
#   BENCH_STARTUP_ONLY=1 BENCH_DB=... bash bench/memory.sh
#
# Env: BENCH_DURATION per load (default 20s); BENCH_DEPARTMENTS (20000) and
# BENCH_OFFICES (1000) for the seed, to see how memory grows with size.
# BENCH_STARTUP_ONLY=1 runs no load: it waits for the background work after
# startup (the search terms and indexes, the compression of every document)
# and reports CPU, RSS and the Go heap once it is done; the server then logs
# at info, for the "documents compressed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-20s}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

go build -o "$tmp/bureau" ./cmd/bureau
mkdir -p "$tmp/data"
if [ -n "${BENCH_DB:-}" ]; then
	cp "$BENCH_DB" "$tmp/data/bureau.db"
else
	go build -o "$tmp/seed" ./bench/seed
	BUREAU_DATABASE_URL="sqlite:$tmp/data/bureau.db" "$tmp/seed" -batch 200 \
		-offices "${BENCH_OFFICES:-1000}" -departments "${BENCH_DEPARTMENTS:-20000}" >"$tmp/seed.out"
fi
departments=$(sqlite3 "$tmp/data/bureau.db" 'SELECT count(*) FROM departments' 2>/dev/null || echo "${BENCH_DEPARTMENTS:-20000}")

now_ms() { echo $(($(date +%s%N) / 1000000)); }
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
mb() { echo $(($(kb "$1") / 1024)); }
# cpu: the process's user+system CPU time so far (fields 14 and 15 of
# /proc/PID/stat, after the parenthesised name), in seconds.
cpu() { sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($12 + $13) / hz}'; }
metric() { curl -s "$url/metrics" | awk -v m="$1" '$1 == m {printf "%d", $2 / 1048576}'; }
startup_only=${BENCH_STARTUP_ONLY:-}
log_level=warn
[ -n "$startup_only" ] && log_level=info

t0=$(now_ms)
BUREAU_ADDR=127.0.0.1:0 BUREAU_DATABASE_URL="sqlite:$tmp/data/bureau.db" BUREAU_LOG_LEVEL=$log_level \
	"$tmp/bureau" serve >"$tmp/out" 2>"$tmp/log" &
pid=$!
url=
for _ in $(seq 1 3000); do
	kill -0 "$pid" 2>/dev/null || { tail -5 "$tmp/log" >&2; exit 1; }
	[ -n "$url" ] || url=$(sed -n 's|^Bureau is serving \(http://[^ ]*\) .*|\1|p' "$tmp/out")
	if [ -n "$url" ] && curl -sf -o /dev/null --max-time 2 "$url/readyz"; then break; fi
	sleep 0.01
done
ready=$(($(now_ms) - t0))
echo "departments: $departments"
echo "startup to a 200 from /readyz: $ready ms"
echo "process CPU at ready: $(cpu) s"
echo "RSS at ready: $(mb VmRSS) MB (peak so far $(mb VmHWM) MB)"
sleep 2
echo "RSS 2 s after ready: $(mb VmRSS) MB"
if [ -n "$startup_only" ]; then
	for _ in $(seq 1 1200); do
		grep -q "catalog: documents compressed" "$tmp/log" && break
		sleep 0.5
	done
	grep -q "catalog: documents compressed" "$tmp/log" || { echo "documents not compressed after 10 min" >&2; exit 1; }
	sleep 1
	echo "once compressed: $(sed -n 's/.*documents compressed.*took=\([^ ]*\).*/\1/p' "$tmp/log") of compression;" \
		"process CPU $(cpu) s, RSS $(mb VmRSS) MB (peak $(mb VmHWM) MB), Go heap in use $(metric go_memstats_heap_inuse_bytes) MB," \
		"collector's goal $(metric go_memstats_next_gc_bytes) MB (twice the live heap after the last collection, under GOGC=100)"
	exit 0
fi

load() { # load NAME WRK-ARGS...
	local name=$1
	shift
	wrk -t2 -c32 -d"$duration" "$@" >"$tmp/wrk-$name" 2>&1 || true
	echo "after $name: $(awk '/Requests\/sec/ {print $2}' "$tmp/wrk-$name") req/s, RSS $(mb VmRSS) MB, peak $(mb VmHWM) MB"
}
curl -s -o /dev/null "$url/api/v1/departments?limit=20"
load "the fixed pages" "$url/api/v1/departments?limit=20"
TOTAL=$departments LIMIT_MIN=10 LIMIT_MAX=30 load "random pages of 10 to 30" -s bench/wrk/random-offset.lua "$url"
TOTAL=$departments LIMIT=100 load "random pages of 100" -s bench/wrk/random-offset.lua "$url"
load "unique long q= searches" -s bench/wrk/unique-q.lua "$url"
heap=$(curl -s "$url/metrics" | awk '$1 == "go_memstats_heap_inuse_bytes" {printf "%d", $2 / 1048576}')
echo "Go heap in use at the end: $heap MB"
