#!/usr/bin/env bash
# The public read benchmark (see bench/README.md): Bureau against a bare
# net/http server that replays Bureau's exact answers, with the demo content,
# then with 2,000 and with 20,000 departments.
#
#   bash bench/run.sh            # or: make bench
#
# Knobs (environment): BENCH_DURATION (4s per round), BENCH_ROUNDS (3),
# BENCH_WARMUP (2s), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_KEEP=1
# keeps the temp dir (binaries, data dirs, server logs), BENCH_PHASES
# ("demo mid big": the phases to run), BENCH_SERVER_CPU (0) and
# BENCH_WRK_CPU (1): every server thread is pinned at launch to the first,
# wrk to the second, so a server's CPU time is not shared with wrk's
# (no pinning on a 1-CPU machine or without taskset). The servers compared
# in a scenario take turns, round after round, so a change in the machine's
# background load falls on all of them alike; figures are the median round.
# All traffic goes to 127.0.0.1; every process started here is stopped on
# exit. Raw wrk output and the summary go to bench/results/<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-4s}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-2s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
PHASES=${BENCH_PHASES:-demo mid big}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
WRK_CPU=${BENCH_WRK_CPU:-1}
server_pin=() wrk_pin=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	server_pin=(taskset -c "$SERVER_CPU")
	wrk_pin=(taskset -c "$WRK_CPU")
fi
phase_on() { [[ " $PHASES " == *" $1 "* ]]; }

started=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="bench/results/$stamp"
mkdir -p "$results"
tmp=$(mktemp -d /tmp/bureau-bench.XXXXXX)
pids=()
declare -A URL PID READY

stop_pid() { # stop_pid PID: TERM, then KILL after 10 s
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
	for pid in "${pids[@]+"${pids[@]}"}"; do stop_pid "$pid"; done
	if [ "${BENCH_KEEP:-}" = 1 ]; then
		echo "kept $tmp" >&2
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
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_bureau NAME DATADIR [VAR=VALUE...]: Bureau on a free port, waited for
# until /readyz answers; sets URL[NAME], PID[NAME], READY[NAME] (ms).
start_bureau() {
	local name=$1 dir=$2
	shift 2
	local t0 pid url=
	t0=$(now_ms)
	env BUREAU_ADDR=127.0.0.1:0 BUREAU_DATABASE_URL="sqlite:$dir/bureau.db" "$@" \
		"${server_pin[@]+"${server_pin[@]}"}" "$tmp/bureau" serve >"$tmp/$name.out" 2>"$tmp/$name.log" &
	pid=$!
	pids+=("$pid")
	PID[$name]=$pid
	for _ in $(seq 1 3000); do # 60 s at most
		kill -0 "$pid" 2>/dev/null || { tail -5 "$tmp/$name.log" >&2; echo "bureau ($name) exited" >&2; exit 1; }
		[ -n "$url" ] || url=$(sed -n 's|^Bureau is serving \(http://[^ ]*\) .*|\1|p' "$tmp/$name.out")
		if [ -n "$url" ] && curl -sf -o /dev/null --max-time 2 "$url/readyz"; then
			URL[$name]=$url
			READY[$name]=$(($(now_ms) - t0))
			return 0
		fi
		sleep 0.02
	done
	echo "bureau ($name) not ready after 60 s" >&2
	exit 1
}

# start_bare NAME FROM URI...: the bare server replaying FROM's answers.
start_bare() {
	local name=$1 from=$2 pid url=
	shift 2
	"${server_pin[@]+"${server_pin[@]}"}" "$tmp/bare" -from "$from" -addr 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
	pid=$!
	pids+=("$pid")
	PID[$name]=$pid
	for _ in $(seq 1 500); do
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/$name.log" >&2; echo "bare exited" >&2; exit 1; }
		url=$(sed -n 's|^bare is serving \(http://[^ ]*\) .*|\1|p' "$tmp/$name.out")
		[ -n "$url" ] && { URL[$name]=$url; return 0; }
		sleep 0.02
	done
	echo "bare did not start" >&2
	exit 1
}

# wait_compressed NAME: a large directory is compressed in the background
# after ready (models/catalog/compress.go); measure only once that is over,
# and copy answers into bare only then.
wait_compressed() {
	local t0
	t0=$(now_ms)
	for _ in $(seq 1 3000); do # 5 min at most
		if grep -q 'catalog: documents compressed' "$tmp/$1.log"; then
			COMPRESSED_MS=$(($(now_ms) - t0))
			return 0
		fi
		sleep 0.1
	done
	echo "bureau ($1): documents not compressed after 5 min" >&2
	exit 1
}

stop_server() { # stop_server NAME
	local target=${PID[$1]} keep=() p
	stop_pid "$target"
	for p in "${pids[@]}"; do [ "$p" != "$target" ] && keep+=("$p"); done
	pids=("${keep[@]+"${keep[@]}"}")
}

kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/${PID[$1]}/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck=$(getconf CLK_TCK)

# ---- measurements ----------------------------------------------------------
rows="$results/rows.tsv"
printf 'phase\tscenario\tserver\tround\trps\tp50_ms\tp99_ms\trequests\tcpu_ticks\tstatus_bytes\terrors\n' >"$rows"

to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else print "?" }'
}

# run_wrk PHASE SCENARIO SERVER ROUND URI LUA: one measured wrk run; appends a row.
run_wrk() {
	local phase=$1 scenario=$2 server=$3 round=$4 uri=$5 lua=$6
	local base=${URL[$server]} pid=${PID[$server]} script=()
	local out="$results/$phase-$scenario-$server-$round.txt"
	[ -n "$lua" ] && script=(-s "$lua")
	[ -n "${WRK_HEADER:-}" ] && script+=(-H "$WRK_HEADER")
	local c0 c1
	c0=$(cpu_ticks "$pid")
	timeout 120 "${wrk_pin[@]+"${wrk_pin[@]}"}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s --latency "${script[@]}" "$base$uri" >"$out"
	c1=$(cpu_ticks "$pid")
	local rps p50 p99 reqs bad
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
	reqs=$(awk '/requests in/ {print $1}' "$out")
	bad=$(awk '/Non-2xx or 3xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$scenario" "$server" "$round" "$rps" "$p50" "$p99" \
		"$reqs" $((c1 - c0)) "$STATUS_BYTES" "$bad" >>"$rows"
	printf '  %-24s %-13s round %s %8s req/s  p50 %7s ms  p99 %8s ms  %6s µs CPU/req  errors %s\n' "$scenario" "$server" "$round" "$rps" "$p50" "$p99" \
		"$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')" "$bad" >&2
}

# compare PHASE SCENARIO URI LUA SERVER...: a warm-up on each server, then
# ROUNDS rounds in which each server in turn gets one measured run.
compare() {
	local phase=$1 scenario=$2 uri=$3 lua=$4 s r
	shift 4
	local script=() hdr=()
	[ -n "$lua" ] && script=(-s "$lua")
	[ -n "${WRK_HEADER:-}" ] && { script+=(-H "$WRK_HEADER"); hdr=(-H "$WRK_HEADER"); }
	local first=$1
	if [ "$lua" = bench/wrk/inm.lua ]; then
		STATUS_BYTES=$(curl -s -o /dev/null -w '%{http_code}:%{size_download}' "${hdr[@]+"${hdr[@]}"}" -H "If-None-Match: $ETAG" "${URL[$first]}$uri")
	else
		STATUS_BYTES=$(curl -s -o /dev/null -w '%{http_code}:%{size_download}' "${hdr[@]+"${hdr[@]}"}" "${URL[$first]}$uri")
	fi
	for s in "$@"; do
		timeout 120 "${wrk_pin[@]+"${wrk_pin[@]}"}" wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "${script[@]}" "${URL[$s]}$uri" >/dev/null
	done
	for r in $(seq 1 "$ROUNDS"); do
		for s in "$@"; do run_wrk "$phase" "$scenario" "$s" "$r" "$uri" "$lua"; done
	done
}

etag_of() { curl -sI "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}'; }

# wire NAME URI...: bytes on the wire per answer (status line and headers,
# then body) plain, gzip and br, into wire.tsv.
wire="$results/wire.tsv"
printf 'uri\tplain_headers\tplain_body\tgzip_headers\tgzip_body\tbr_headers\tbr_body\n' >"$wire"
wire() {
	local name=$1 uri line accept
	shift
	for uri in "$@"; do
		line=$uri
		for accept in "" gzip br; do
			line+=$'\t'$(curl -s -o /dev/null -w '%{size_header}\t%{size_download}' ${accept:+-H "Accept-Encoding: $accept"} "${URL[$name]}$uri")
		done
		printf '%s\n' "$line" >>"$wire"
	done
}

say "# Bureau public read benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; $(go version | awk '{print $3}'); $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}')"
say "load: $ROUNDS rounds of wrk -t$THREADS -c$CONNS -d$DURATION --latency per server, taking turns, after a $WARMUP warm-up; $([ ${#server_pin[@]} -gt 0 ] && echo "servers pinned to CPU $SERVER_CPU, wrk to CPU $WRK_CPU" || echo "wrk and the servers share the CPUs"); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- cmd handlers models 2>/dev/null || echo ' (with uncommitted changes)')"

# ---- phase 1: the demo content ----------------------------------------------
if phase_on demo; then
	say ""
	say "## demo content (1 office, 7 departments)"
	start_bureau bureau "$tmp/demo"
	demo_ready=${READY[bureau]}
	# The same content, with the per-request log line off, to price the logging.
	start_bureau bureau-nolog "$tmp/demo" BUREAU_LOG_LEVEL=warn
	start_bare bare "${URL[bureau]}" /api/v1/offices/occs '/api/v1/departments?limit=20'
	ETAG=$(etag_of "${URL[bureau]}/api/v1/offices/occs")
	export ETAG
	for s in bureau bureau-nolog bare; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "${URL[$s]}/api/v1/offices/occs")
		[ "$code" = 304 ] || { echo "$s: If-None-Match answered $code, want 304" >&2; exit 1; }
		cmp -s <(curl -s "${URL[bureau]}/api/v1/offices/occs") <(curl -s "${URL[$s]}/api/v1/offices/occs") || { echo "$s: the body differs" >&2; exit 1; }
	done
	compare demo occs-200 /api/v1/offices/occs "" bureau bare bureau-nolog
	compare demo occs-304 /api/v1/offices/occs bench/wrk/inm.lua bureau bare bureau-nolog
	compare demo departments-20 '/api/v1/departments?limit=20' "" bureau bare
	# The same document compressed, against bare replaying the same bytes.
	for coding in gzip br; do
		cmp -s <(curl -s -H "Accept-Encoding: $coding" "${URL[bureau]}/api/v1/offices/occs") \
			<(curl -s -H "Accept-Encoding: $coding" "${URL[bare]}/api/v1/offices/occs") || { echo "bare: the $coding body differs" >&2; exit 1; }
		[ "$(curl -s -o /dev/null -w '%{header_json}' -H "Accept-Encoding: $coding" "${URL[bureau]}/api/v1/offices/occs" | tr -d ' \n' | grep -o "\"content-encoding\":\[\"$coding\"\]")" ] ||
			{ echo "bureau: Accept-Encoding $coding is not answered $coding" >&2; exit 1; }
		WRK_HEADER="Accept-Encoding: $coding" compare demo "occs-200-$coding" /api/v1/offices/occs "" bureau bare
	done
	wire bureau /api/v1/offices/occs /api/v1/departments/ecce '/api/v1/departments?limit=20' /api/v1/offices /api/openapi.json
	demo_hwm=$(kb bureau VmHWM)
	n304=$(grep -c 'status=304' "$tmp/bureau.log" || true)
	nlines=$(wc -l <"$tmp/bureau.log")
	log_bytes=$(stat -c %s "$tmp/bureau.log")
	stop_server bureau
	stop_server bureau-nolog
	stop_server bare
	say "demo: ready in ${demo_ready} ms; peak RSS (VmHWM) ${demo_hwm} kB; request log: $nlines lines of $((log_bytes / nlines)) bytes on average; $n304 answers were 304"
fi

# ---- phase 2: a tenth of the large dataset -------------------------------------
if phase_on mid; then
	# Pages of the same size over a table ten times smaller: what a page costs
	# should not change with the table, cached or not.
	say ""
	say "## medium dataset (100 offices, 2,000 departments)"
	mid_out=$(BUREAU_DATABASE_URL="sqlite:$tmp/mid/bureau.db" "$tmp/seed" -offices 100 -departments 2000)
	say "seeded $(echo "$mid_out" | sed -n 's/^departments=//p') departments in $(echo "$mid_out" | sed -n 's/^seconds=//p') s"
	start_bureau bureau "$tmp/mid"
	mid_ready=${READY[bureau]}
	compare mid departments-20 '/api/v1/departments?limit=20' "" bureau
	# Random pages (offsets, and sizes of 10 to 30) miss the page cache: what
	# building a page costs.
	LIMIT_MIN=10 LIMIT_MAX=30 TOTAL=2000 compare mid departments-random-page '/api/v1/departments?limit=20' bench/wrk/random-offset.lua bureau
	say "medium: ready in ${mid_ready} ms; peak RSS (VmHWM) $(kb bureau VmHWM) kB"
	stop_server bureau
fi

# ---- phase 3: the large dataset ---------------------------------------------
if phase_on big; then
	say ""
	say "## large dataset (1,000 offices, 20,000 departments)"
	seed_out=$(BUREAU_DATABASE_URL="sqlite:$tmp/big/bureau.db" "$tmp/seed")
	echo "$seed_out" >"$results/seed.txt"
	val() { echo "$seed_out" | sed -n "s/^$1=//p"; }
	office=$(val sample_office)
	say "seeded $(val offices) offices, $(val departments) departments, $(val contacts) contacts in $(val seconds) s (models.CreateOffice/CreateDepartment/Publish, one transaction each); database $(du -m "$tmp/big/bureau.db" | cut -f1) MB"
	start_bureau bureau "$tmp/big"
	big_ready=${READY[bureau]}
	big_rss_ready=$(kb bureau VmRSS)
	wait_compressed bureau
	big_compressed_ms=$COMPRESSED_MS
	big_rss_compressed=$(kb bureau VmRSS)
	big_uris=('/api/v1/departments?limit=20' '/api/v1/departments?limit=20&offset=10000'
		"/api/v1/departments?office=$office" '/api/v1/offices?limit=100' "/api/v1/offices/$office")
	start_bare bare "${URL[bureau]}" "${big_uris[@]}"
	compare big departments-20 "${big_uris[0]}" "" bureau bare
	compare big departments-20-at-10000 "${big_uris[1]}" "" bureau bare
	compare big departments-of-office "${big_uris[2]}" "" bureau bare
	compare big offices-100 "${big_uris[3]}" "" bureau bare
	compare big office "${big_uris[4]}" "" bureau bare
	WRK_HEADER="Accept-Encoding: br" compare big office-br "${big_uris[4]}" "" bureau bare
	wire bureau "${big_uris[@]}"
	big_hwm_fixed=$(kb bureau VmHWM)
	heap_mb() { curl -s "${URL[bureau]}/metrics" | awk -v m="$1" '$1 == m {printf "%.0f", $2 / 1048576}'; }
	LIMIT_MIN=10 LIMIT_MAX=30 TOTAL=20000 compare big departments-random-page '/api/v1/departments?limit=20' bench/wrk/random-offset.lua bureau
	big_hwm_random=$(kb bureau VmHWM)
	# Then what the page cache (up to 2048 pages) holds at most: pages of 100.
	LIMIT=100 TOTAL=20000 compare big departments-100-random-page '/api/v1/departments?limit=100' bench/wrk/random-offset.lua bureau
	big_hwm=$(kb bureau VmHWM)
	big_rss=$(kb bureau VmRSS)
	say "large: ready in ${big_ready} ms, documents compressed in the background $big_compressed_ms ms after that; RSS at ready ${big_rss_ready} kB, ${big_rss_compressed} kB once compressed; peak RSS (VmHWM) ${big_hwm_fixed} kB after the fixed pages, ${big_hwm_random} kB after random pages of 10 to 30, ${big_hwm} kB after random pages of 100 (RSS now ${big_rss} kB, Go heap in use $(heap_mb go_memstats_heap_inuse_bytes) MB)"
	stop_server bureau
	stop_server bare
fi

# ---- the table --------------------------------------------------------------
# Per phase/scenario/server: the median round's req/s, p50 and p99 (each the
# median over rounds) and the server's CPU time per request over all rounds.
summary="$results/summary.tsv"
awk -F'\t' -v hz="$clk_tck" '
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	NR == 1 { next }
	{ k = $1 SUBSEP $2 SUBSEP $3; if (!(k in rps)) order[++n] = k
	  rps[k] = rps[k] " " $5; p50[k] = p50[k] " " $6; p99[k] = p99[k] " " $7; reqs[k] += $8; ticks[k] += $9; sb[k] = $10; bad[k] += $11 }
	END {
		print "phase\tscenario\tserver\trps\tp50_ms\tp99_ms\tcpu_us_per_req\tstatus_bytes\terrors"
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, f, SUBSEP)
			printf "%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%.1f\t%s\t%d\n", f[1], f[2], f[3], median(rps[k]), median(p50[k]), median(p99[k]),
				ticks[k] / hz * 1e6 / reqs[k], sb[k], bad[k]
		}
	}' "$rows" >"$summary"

say ""
say "## results (median of $ROUNDS rounds: req/s, latency p50/p99 in ms; server CPU per request in µs over all rounds)"
awk -F'\t' '
	NR == 1 { next }
	{ key = $1 "/" $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	  rps[key, $3] = $4; lat[key, $3] = $5 "/" $6; cpu[key, $3] = $7; sb[key] = $8; bad[key] += $9 }
	END {
		printf "%-32s %8s %8s %6s %16s %16s %8s %8s %5s %11s %4s\n", "scenario", "bureau", "bare", "ratio", "bureau p50/p99", "bare p50/p99", "CPU bur", "CPU bare", "CPU x", "status:size", "err"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if ((k, "bare") in rps)
				printf "%-32s %8s %8s %5.0f%% %16s %16s %8s %8s %5.2f %11s %4d\n", k, rps[k, "bureau"], rps[k, "bare"], 100 * rps[k, "bureau"] / rps[k, "bare"],
					lat[k, "bureau"], lat[k, "bare"], cpu[k, "bureau"], cpu[k, "bare"], cpu[k, "bureau"] / cpu[k, "bare"], sb[k], bad[k]
			else
				printf "%-32s %8s %8s %6s %16s %16s %8s %8s %5s %11s %4d\n", k, rps[k, "bureau"], "-", "-", lat[k, "bureau"], "-", cpu[k, "bureau"], "-", "-", sb[k], bad[k]
			if ((k, "bureau-nolog") in rps)
				printf "%-32s %8s %8s %5.0f%% %16s %16s %8s %8s %5.2f %11s\n", "  same, request log off", rps[k, "bureau-nolog"], rps[k, "bare"],
					100 * rps[k, "bureau-nolog"] / rps[k, "bare"], lat[k, "bureau-nolog"], lat[k, "bare"], cpu[k, "bureau-nolog"], cpu[k, "bare"],
					cpu[k, "bureau-nolog"] / cpu[k, "bare"], sb[k]
		}
	}' "$summary" | tee -a "$results/summary.txt"

# ---- the targets --------------------------------------------------------------
get() { awk -F'\t' -v p="$1" -v s="$2" -v v="$3" -v c="$4" '$1 == p && $2 == s && $3 == v {print $c}' "$summary"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
check() { # check DESCRIPTION AWK-CONDITION
	if awk "BEGIN {exit !($2)}"; then say "  met:    $1"; else say "  MISSED: $1"; fi
}
say ""
say "## bytes on the wire per answer (status line and headers + body)"
awk -F'\t' 'NR == 1 { printf "%-48s %16s %16s %16s\n", "answer", "plain", "gzip", "br"; next }
	{ printf "%-48s %7d + %6d %7d + %6d %7d + %6d\n", $1, $2, $3, $4, $5, $6, $7 }' "$wire" | tee -a "$results/summary.txt"
say ""
say "## targets"
if phase_on demo; then
	b200=$(get demo occs-200 bureau 4); r200=$(get demo occs-200 bare 4); b304=$(get demo occs-304 bureau 4)
	c200=$(get demo occs-200 bureau 7); cr200=$(get demo occs-200 bare 7)
	check "GET /api/v1/offices/occs at >= 90% of bare: $b200 vs $r200 req/s ($(pct "$b200" "$r200"))" "$b200 >= 0.9 * $r200"
	check "GET /api/v1/offices/occs at <= 1.1x bare's CPU per request: $c200 vs $cr200 µs" "$c200 <= 1.1 * $cr200"
	for coding in gzip br; do
		bz=$(get demo "occs-200-$coding" bureau 4); rz=$(get demo "occs-200-$coding" bare 4)
		check "GET /api/v1/offices/occs, Accept-Encoding: $coding, at >= 85% of bare: $bz vs $rz req/s ($(pct "$bz" "$rz")); CPU $(get demo "occs-200-$coding" bureau 7) vs $(get demo "occs-200-$coding" bare 7) µs" "$bz >= 0.85 * $rz"
	done
	check "304s at least as many req/s as 200s: $b304 vs $b200 req/s" "$b304 >= $b200"
fi
if phase_on demo && phase_on big; then
	d0=$(get big departments-20 bureau 4); bd0=$(get big departments-20 bare 4)
	dd=$(get demo departments-20 bureau 4); ddb=$(get demo departments-20 bare 4)
	check "large list pages as fast as demo ones, relative to bare: $(pct "$d0" "$bd0") with 20,000 departments, $(pct "$dd" "$ddb") with 7" "$d0 / $bd0 >= 0.9 * $dd / $ddb"
fi
if phase_on big; then
	c0=$(get big departments-20 bureau 7); c1=$(get big departments-20-at-10000 bureau 7)
	check "a page deep in the large list costs what the first does: $c1 µs CPU at offset 10000, $c0 µs at 0" "$c1 <= 1.15 * $c0"
	check "peak RSS bounded serving the large dataset's pages: ${big_hwm_fixed} kB (< 1 GiB)" "$big_hwm_fixed < 1048576"
	check "peak RSS bounded under a crawl of distinct pages: ${big_hwm} kB (< 1 GiB)" "$big_hwm < 1048576"
fi
if phase_on mid && phase_on big; then
	m0=$(get mid departments-20 bureau 7); mr=$(get mid departments-random-page bureau 7)
	b0=$(get big departments-20 bureau 7); br=$(get big departments-random-page bureau 7)
	check "a page costs the same CPU with 20,000 departments as with 2,000: cached $b0 vs $m0 µs, built $br vs $mr µs" "$b0 <= 1.15 * $m0 && $br <= 1.15 * $mr"
fi
say ""
say "total time $(($(date +%s) - started)) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg); raw wrk output in $results/"
