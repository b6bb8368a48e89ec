#!/usr/bin/env bash
# Rolling restarts under load: two Bureau instances behind haproxy (health
# check on /readyz), wrk sending keep-alive GETs through haproxy the whole
# time, and each instance restarted in turn with SIGTERM. Counts every failed
# request (socket errors and non-2xx answers). See bench/README.md.
#
#   bash bench/rolling-restart.sh            # 20 restarts on a shared SQLite file
#   RESTARTS=4 bash bench/rolling-restart.sh
#   BENCH_DATABASE_URL=postgres://... bash bench/rolling-restart.sh
#
# Needs Go, curl, wrk and haproxy (apt-get install wrk haproxy, as root).
set -euo pipefail
cd "$(dirname "$0")/.."

RESTARTS=${RESTARTS:-20}
DRAIN=${DRAIN:-3s}        # BUREAU_SHUTDOWN_DRAIN of each instance
CONNECTIONS=${CONNECTIONS:-32}
PROXY_PORT=${PROXY_PORT:-18480}
STATS_PORT=${STATS_PORT:-18481}
PORTS=(18482 18483)

for tool in curl wrk haproxy; do
	command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install wrk haproxy)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/bureau-rolling.XXXXXX)
declare -a PID=("" "")
haproxy_pid=""
wrk_pid=""
cleanup() {
	local p
	for p in "$wrk_pid" "$haproxy_pid" "${PID[@]}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/bureau" ./cmd/bureau
database_url=${BENCH_DATABASE_URL:-sqlite:$tmp/data/bureau.db}

start() { # start N: launch instance N and wait until it is ready
	local n=$1 port=${PORTS[$1]}
	BUREAU_ADDR=127.0.0.1:$port BUREAU_DATABASE_URL=$database_url BUREAU_DATA_DIR=$tmp/data \
		BUREAU_SHUTDOWN_DRAIN=$DRAIN BUREAU_LOG_LEVEL=warn \
		"$tmp/bureau" serve >>"$tmp/bureau-$n.log" 2>&1 &
	PID[$n]=$!
	for _ in $(seq 1 200); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
		kill -0 "${PID[$n]}" 2>/dev/null || { tail -5 "$tmp/bureau-$n.log" >&2; exit 1; }
		sleep 0.05
	done
	echo "instance $n never became ready" >&2
	exit 1
}

stop() { # stop N: SIGTERM instance N and wait for it to exit
	local n=$1
	kill -TERM "${PID[$n]}"
	wait "${PID[$n]}" || { echo "instance $n exited with an error" >&2; tail -5 "$tmp/bureau-$n.log" >&2; exit 1; }
}

up_in_haproxy() { # up_in_haproxy N: haproxy's health check passes for instance N
	curl -fsS "http://127.0.0.1:$STATS_PORT/stats;csv" 2>/dev/null | awk -F, -v s="b$1" '$1 == "bureau" && $2 == s && $18 == "UP" { ok = 1 } END { exit !ok }'
}

mkdir -p "$tmp/data"
start 0
start 1

# The load balancer as the README recommends: health check on /readyz every
# second, out after one failure, back after two passes; the drain period
# (3 s) is longer than inter x fall, so no new request reaches a draining
# instance after it has been taken out. Keep-alive to the backends and
# everything else at haproxy's defaults; no retries of failed requests.
cat >"$tmp/haproxy.cfg" <<EOF
global
	maxconn 1024
defaults
	mode http
	timeout connect 2s
	timeout client 30s
	timeout server 30s
	retries 0
frontend public
	bind 127.0.0.1:$PROXY_PORT
	default_backend bureau
frontend stats
	bind 127.0.0.1:$STATS_PORT
	stats enable
	stats uri /stats
backend bureau
	option httpchk GET /readyz
	http-check expect status 200
	default-server inter 1s fall 1 rise 2
	server b0 127.0.0.1:${PORTS[0]} check
	server b1 127.0.0.1:${PORTS[1]} check
EOF
haproxy -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.log" 2>&1 &
haproxy_pid=$!
for n in 0 1; do
	for _ in $(seq 1 100); do up_in_haproxy "$n" && break; sleep 0.1; done
	up_in_haproxy "$n" || { echo "haproxy never saw instance $n up" >&2; cat "$tmp/haproxy.log" >&2; exit 1; }
done

# Load for longer than the restarts take; stopped when they are done.
wrk -t 2 -c "$CONNECTIONS" -d 3600s "http://127.0.0.1:$PROXY_PORT/api/v1/offices/occs" >"$tmp/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 2

started=$(date +%s)
for i in $(seq 1 "$RESTARTS"); do
	n=$(((i - 1) % 2))
	stop "$n"
	start "$n"
	# The next restart waits until haproxy routes to this one again.
	for _ in $(seq 1 100); do up_in_haproxy "$n" && break; sleep 0.1; done
	up_in_haproxy "$n" || { echo "haproxy never saw instance $n back" >&2; exit 1; }
	echo "restart $i/$RESTARTS (instance $n) done"
done
took=$(($(date +%s) - started))
sleep 1
kill -INT "$wrk_pid"
wait "$wrk_pid" 2>/dev/null || true
wrk_pid=""

cat "$tmp/wrk.txt"
requests=$(awk '/requests in/ { print $1 }' "$tmp/wrk.txt")
socket=$(awk -F'[ ,]+' '/Socket errors/ { print $4 + $6 + $8 + $10 }' "$tmp/wrk.txt")
non2xx=$(awk '/Non-2xx or 3xx/ { print $NF }' "$tmp/wrk.txt")
failed=$((${socket:-0} + ${non2xx:-0}))
echo
echo "rolling restarts: $RESTARTS in ${took}s, drain $DRAIN, $CONNECTIONS keep-alive connections"
echo "requests: ${requests:-0}, failed: $failed (socket errors ${socket:-0}, non-2xx ${non2xx:-0})"
[ "$failed" -eq 0 ]
