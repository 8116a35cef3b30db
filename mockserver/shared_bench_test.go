package mockserver_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/internal/redistest"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
	"github.com/redis/go-redis/v9"
)

// BenchmarkSharedState serves the default API's rate-limited list endpoint
// (Prefer: scenario=rate-limited, 5 calls a minute per client) from 16
// parallel clients per core, each client key making 8 calls, so that
// whatever b.N the mix is the same: 5 answers of 25 sessions, then 3 429s,
// all with X-RateLimit-* headers. It runs with the counters in memory and, in the
// same run, in a real local redis-server (skipped without one). On the
// Redis path a request's count goes in the next batch of counts, one
// script run and one round trip for the batch, and the journal's entries
// leave in background batches.
//
// The redis run stops its clock only once every entry is in the shared
// journal (an entry the background writer has not sent yet is work the
// run caused), and fails when one was dropped. Both runs report
// cpu-µs/op, the CPU this process spent per request (its background work
// included): on a machine shared with other work it varies less than the
// time per request. Redis shares the machine's cores with Decoy, so the
// redis run reports what Redis spent too: redis-cpu-µs/op (the server's
// user and system CPU) and redis-calls/op (the commands it ran, those a
// script calls included).
func BenchmarkSharedState(b *testing.B) {
	run := func(b *testing.B, srv http.Handler) {
		var next atomic.Int64
		b.ReportAllocs()
		// Many clients at once, as behind a load balancer: a Redis round
		// trip waits without holding a core.
		b.SetParallelism(16)
		cpu, _ := processCPU()
		b.ResetTimer()
		b.Cleanup(func() {
			if now, ok := processCPU(); ok {
				b.ReportMetric(float64((now-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			}
		})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := next.Add(1)
				r := httptest.NewRequest("GET", "/v2/agents/agt_customer_support/sessions?limit=25", nil)
				r.Header.Set("Authorization", "Bearer sk_bench")
				r.Header.Set("Prefer", "scenario=rate-limited")
				r.Header.Set("X-Decoy-Client", fmt.Sprintf("c%d", n/8))
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				if w.Code != 200 && w.Code != 429 {
					b.Errorf("status %d: %s", w.Code, w.Body)
					return
				}
			}
		})
	}
	load := func(b *testing.B, shared *sharedstate.Redis) http.Handler {
		p := mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
			FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios"}
		if shared != nil {
			p.Counters = shared
		}
		cfg, err := mockserver.LoadProject(b.Context(), p)
		if err != nil {
			b.Fatal(err)
		}
		if shared != nil {
			cfg.Shared = shared
		}
		srv, err := mockserver.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return srv
	}
	b.Run("memory", func(b *testing.B) { run(b, load(b, nil)) })
	b.Run("redis", func(b *testing.B) {
		rs := redistest.Start(b)
		store, err := sharedstate.Open(b.Context(), sharedstate.Options{URL: rs.URL(), Namespace: "bench", Timeout: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		srv := load(b, store)
		rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
		defer rc.Close()
		before := redisStatsOf(b, rc)
		run(b, srv)
		waitJournaled(b, rc, store.Namespace()+"journal:id", int64(b.N))
		b.StopTimer()
		after := redisStatsOf(b, rc)
		b.ReportMetric(float64((after.cpu-before.cpu).Microseconds())/float64(b.N), "redis-cpu-µs/op")
		b.ReportMetric(float64(after.calls-before.calls)/float64(b.N), "redis-calls/op")
	})
}

// waitJournaled waits until the shared journal has handed out want ids
// (key is its id counter), and fails the benchmark when it stops growing
// short of that: entries were dropped.
func waitJournaled(b *testing.B, rc *redis.Client, key string, want int64) {
	b.Helper()
	var last int64
	stalled := time.Now()
	for {
		got, err := rc.Get(b.Context(), key).Int64()
		if err != nil && err != redis.Nil {
			b.Fatalf("reading %s: %v", key, err)
		}
		if got >= want {
			return
		}
		if got != last {
			last, stalled = got, time.Now()
		}
		if time.Since(stalled) > 2*time.Second {
			b.Fatalf("the shared journal holds %d of %d entries: the others were dropped", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}
