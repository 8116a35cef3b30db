# bench/wrk.sh — sourced by bench/run.sh and bench/shared.sh.

# bench_setup NAME: a work folder ($work) removed at exit with the servers
# started (add their pids to $pids), wrk installed if missing, and the
# cores: with 2+, servers run on core 1 ("${server_cpu[@]}") and wrk on
# core 0 ("${client_cpu[@]}").
bench_setup() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	pids=()
	trap bench_cleanup EXIT
	if ! command -v wrk >/dev/null; then
		echo "installing wrk..." >&2
		(apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
	fi
	cores=$(nproc)
	if [ "$cores" -ge 2 ]; then
		server_cpu=(taskset -c 1)
		client_cpu=(taskset -c 0)
	else
		server_cpu=()
		client_cpu=()
	fi
}

bench_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}

# cpu_ticks PID -> user+system CPU time of PID, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk_summary FILE TICKS -> "rps p50_us p99_us non2xx cpu_us_per_request"
# from wrk --latency output in FILE, TICKS being the servers' CPU time over
# the run: unlike rps, CPU time per request does not depend on the load
# generator or on what else the machine runs.
wrk_summary() {
	awk -v ticks="$2" -v hz="$(getconf CLK_TCK)" '
		function us(v) {
			if (v ~ /us$/) { sub(/us$/, "", v); return v + 0 }
			if (v ~ /ms$/) { sub(/ms$/, "", v); return v * 1000 }
			if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000000 }
			return v + 0
		}
		/Requests\/sec/ { rps = $2 }
		/requests in/ { reqs = $1 }
		$1 == "50.000%" || $1 == "50%" { p50 = us($2) }
		$1 == "99.000%" || $1 == "99%" { p99 = us($2) }
		/Non-2xx/ { bad = $NF }
		END { printf "%.0f %.0f %.0f %s %.1f\n", rps, p50, p99, (bad == "" ? 0 : bad), (reqs > 0 ? ticks * 1000000 / hz / reqs : 0) }
	' "$1"
}
