package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// recorder wraps a handler and keeps the order of the requests it got,
// with their statuses.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	seen []string // "METHOD /path status"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{w, 200}
	rec.h.ServeHTTP(sw, r)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.seen = append(rec.seen, r.Method+" "+r.URL.Path+" "+http.StatusText(sw.status))
}

// startStatefulMock serves the pets spec with decoy's stateful mock: a
// CRUD API that starts with one pet and keeps what is written.
func startStatefulMock(t *testing.T) (*recorder, string, Config) {
	t.Helper()
	cfg, err := mockserver.LoadProject(context.Background(), mockserver.Project{SpecFS: os.DirFS("testdata"), SpecFile: "pets.yaml", Stateful: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{h: srv}
	ts := httptest.NewServer(rec)
	t.Cleanup(ts.Close)
	return rec, ts.URL, Config{Spec: cfg.Spec, Target: ts.URL, Credentials: map[string]string{"key": "k_secret"}, Seed: 3}
}

// TestCRUDFromEmpty checks the stateful order: the create runs first, and
// the item operations then read, replace and delete the item it made,
// found by its Location header.
func TestCRUDFromEmpty(t *testing.T) {
	rec, _, cfg := startStatefulMock(t)
	rep := run(t, cfg)
	if !rep.OK() {
		rep.WriteText(os.Stderr)
		t.Fatal("decoy's stateful mock fails its own verification")
	}
	var created []Exchange
	for _, op := range rep.Operations {
		for _, e := range op.Exchanges {
			if e.Kind == "created" {
				created = append(created, e)
			}
		}
	}
	if len(created) < 3 || len(created)%3 != 0 {
		t.Fatalf("%d requests on created items, want a get, a replace and a delete of each", len(created))
	}
	id := created[0].Request.URL[strings.LastIndex(created[0].Request.URL, "/")+1:]
	if i := strings.Index(id, "?"); i >= 0 {
		id = id[:i]
	}
	order := map[string]int{}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, s := range rec.seen {
		if _, ok := order[s]; !ok {
			order[s] = i
		}
	}
	get, put, del := "GET /pets/"+id+" OK", "PUT /pets/"+id+" OK", "DELETE /pets/"+id+" No Content"
	create := -1
	for i, s := range rec.seen {
		if strings.HasPrefix(s, "POST /pets Created") {
			create = i
			break
		}
	}
	for _, want := range []string{get, put, del} {
		if _, ok := order[want]; !ok {
			t.Fatalf("no %q among %q", want, rec.seen)
		}
	}
	if !(create >= 0 && create < order[get] && order[get] < order[put] && order[put] < order[del]) {
		t.Errorf("order: create %d, get %d, put %d, delete %d", create, order[get], order[put], order[del])
	}
}
