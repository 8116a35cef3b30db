# bench/wrk.sh — sourced by bench/run.sh and bench/shared.sh.

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
