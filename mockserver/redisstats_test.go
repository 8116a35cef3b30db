package mockserver_test

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStats is what a redis-server has done since it started.
type redisStats struct {
	cpu   time.Duration    // user and system CPU of the server process
	calls int64            // commands run, those scripts call included
	byCmd map[string]int64 // calls by command name ("evalsha", "xadd"…)
}

// redisStatsOf reads INFO cpu and commandstats. The INFO command itself
// adds one call.
func redisStatsOf(tb testing.TB, rc *redis.Client) redisStats {
	tb.Helper()
	info, err := rc.Info(tb.Context(), "cpu", "commandstats").Result()
	if err != nil {
		tb.Fatalf("INFO: %v", err)
	}
	st := redisStats{byCmd: map[string]int64{}}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok {
			continue
		}
		switch {
		case name == "used_cpu_user" || name == "used_cpu_sys":
			sec, err := strconv.ParseFloat(value, 64)
			if err != nil {
				tb.Fatalf("INFO %s:%s: %v", name, value, err)
			}
			st.cpu += time.Duration(sec * float64(time.Second))
		case strings.HasPrefix(name, "cmdstat_"):
			// calls=N,usec=…
			calls, _, _ := strings.Cut(strings.TrimPrefix(value, "calls="), ",")
			n, err := strconv.ParseInt(calls, 10, 64)
			if err != nil {
				tb.Fatalf("INFO %s:%s: %v", name, value, err)
			}
			st.calls += n
			st.byCmd[strings.TrimPrefix(name, "cmdstat_")] += n
		}
	}
	return st
}

// since returns the calls by command made between was and st.
func (st redisStats) since(was redisStats) map[string]int64 {
	out := map[string]int64{}
	for cmd, n := range st.byCmd {
		if d := n - was.byCmd[cmd]; d != 0 {
			out[cmd] = d
		}
	}
	return out
}
