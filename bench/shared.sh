#!/usr/bin/env bash
# bench/shared.sh — the rate-limited list endpoint of `decoy serve`, end to
# end over HTTP, with its state in memory and then in a local redis-server
# (--shared-state), under the same wrk load on loopback. Prints rps, p50,
# p99 and CPU per request of each, and the Redis path's share of the
# memory path's throughput (issue 18's target: at least 30%). Bounded:
# about a minute.
#
#   bench/shared.sh                       # defaults: -t1 -c32 -d10s
#   DURATION=5s CONNS=64 bench/shared.sh
#   DECOY=/tmp/decoy-old bench/shared.sh  # a binary built before
#
# Every client key makes 8 calls (wrk's script moves to a new
# X-Decoy-Client key every 8 requests), so the mix is the one of
# BenchmarkSharedState: 5 answers of 25 sessions, then 3 429s, all with
# X-RateLimit-* headers, and every exchange journaled. With 2+ cores Decoy
# and redis-server share core 1 and wrk runs on core 0: the Redis path pays
# for its Redis out of the same core the memory path has to itself.
#
# Needs: go, curl, taskset, redis-server; installs wrk (apt-get).
set -euo pipefail

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-2s}
DECOY_PORT=${DECOY_PORT:-4720}
REDIS_PORT=${REDIS_PORT:-4721}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/wrk.sh
. "$root/bench/wrk.sh"
bench_setup decoy-shared-bench

command -v redis-server >/dev/null || { echo "bench/shared.sh needs redis-server (Debian: apt-get install redis-server)" >&2; exit 1; }

if [ -n "${DECOY:-}" ]; then # a binary built before, to compare two builds
	cp "$DECOY" "$work/decoy"
else
	echo "building..." >&2
	(cd "$root" && go build -o "$work/decoy" ./cmd/decoy)
fi

wait_up() { # url
	for _ in $(seq 1 500); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "server at $1 did not come up" >&2
	return 1
}

path="/v2/agents/agt_customer_support/sessions?limit=25"
# The prefix (wrk's script argument) keeps the keys of each run apart, so
# that a warm-up leaves no counts behind for the measured run.
cat >"$work/rate-limited.lua" <<'LUA'
local prefix, n = "c", 0
function init(args) prefix = args[1] or prefix end
function request()
	n = n + 1
	return wrk.format("GET", nil, {
		["Authorization"] = "Bearer sk_bench",
		["Prefer"] = "scenario=rate-limited",
		["X-Decoy-Client"] = prefix .. "-" .. math.floor(n / 8),
	})
end
LUA

# run_wrk NAME PIDS... -> "rps p50_us p99_us non2xx cpu_us_per_request"
# (the CPU time of all PIDS over the run, per request served)
run_wrk() {
	local name=$1
	shift
	"${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$work/rate-limited.lua" \
		"http://127.0.0.1:$DECOY_PORT$path" -- "$name-warm" >/dev/null
	local before=0 after=0 p
	for p in "$@"; do before=$((before + $(cpu_ticks "$p"))); done
	"${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/rate-limited.lua" \
		"http://127.0.0.1:$DECOY_PORT$path" -- "$name" >"$work/wrk.out"
	for p in "$@"; do after=$((after + $(cpu_ticks "$p"))); done
	wrk_summary "$work/wrk.out" "$((after - before))"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

echo
echo "cores: $cores; load: wrk -t$THREADS -c$CONNS -d$DURATION (after a $WARMUP warm-up), 8 calls per client key; Decoy (and redis-server) on core 1, wrk on core 0"
printf "%-8s %10s %9s %9s %8s %14s\n" state rps p50_us p99_us non2xx cpu_us/req
"${server_cpu[@]}" "$work/decoy" serve --port "$DECOY_PORT" --quiet --watch=false 2>"$work/memory.log" &
decoy=$!
pids+=("$decoy")
wait_up "http://127.0.0.1:$DECOY_PORT/__decoy/health"
read -r m_rps m_p50 m_p99 m_bad m_cpu < <(run_wrk memory "$decoy")
printf "%-8s %10s %9s %9s %8s %14s\n" memory "$m_rps" "$m_p50" "$m_p99" "$m_bad" "$m_cpu"
stop "$decoy"

mkdir -p "$work/redis"
"${server_cpu[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$work/redis" \
	--save '' --appendonly no >"$work/redis.log" 2>&1 &
redis=$!
pids+=("$redis")
for _ in $(seq 1 500); do # Decoy refuses to start without its Redis
	(exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
	sleep 0.01
done
"${server_cpu[@]}" "$work/decoy" serve --port "$DECOY_PORT" --quiet --watch=false \
	--shared-state "redis://127.0.0.1:$REDIS_PORT/0" 2>"$work/redis-decoy.log" &
decoy=$!
pids+=("$decoy")
wait_up "http://127.0.0.1:$DECOY_PORT/__decoy/health"
read -r r_rps r_p50 r_p99 r_bad r_cpu < <(run_wrk redis "$decoy" "$redis")
printf "%-8s %10s %9s %9s %8s %14s  (Decoy and redis-server)\n" redis "$r_rps" "$r_p50" "$r_p99" "$r_bad" "$r_cpu"
health=$(curl -fsS "http://127.0.0.1:$DECOY_PORT/__decoy/health" || true)
case $health in *degraded*) echo "warning: the shared state was degraded during the run: $health" >&2 ;; esac
stop "$decoy"

awk -v a="$r_rps" -v b="$m_rps" 'BEGIN {
	r = a / b
	printf "%-8s %9.0f%%   (target: the Redis path at >= 30%% of the memory path: %s)\n", "ratio", 100 * r, (r >= 0.3 ? "met" : "NOT met") }'
