package mockserver_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
)

// TestHealthSaysDegradedAfterAFailedReload: /__decoy/health said "ok" while
// a broken edit was being ignored; it now says "degraded" with the error
// (and its place) and since when, and "ok" again after a good reload.
func TestHealthSaysDegradedAfterAFailedReload(t *testing.T) {
	spec := loadSpec(t, "default")
	now := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	health := func() map[string]any {
		t.Helper()
		res := do(t, ts, call{method: "GET", path: "/__decoy/health"})
		if res.status != 200 {
			t.Fatalf("health: %d %s", res.status, res.body)
		}
		return res.json(t)
	}
	if h := health(); h["status"] != "ok" || h["error"] != nil {
		t.Fatalf("before any reload: %v", h)
	}
	const broken = "fixtures/sessions.yaml:14:7: /items/0/created_at: expected string, got integer"
	srv.ReloadFailed(errors.New(broken))
	now = now.Add(time.Minute)
	srv.ReloadFailed(errors.New(broken)) // still broken: since stays
	h := health()
	if h["status"] != "degraded" || h["error"] != broken || h["since"] != "2026-12-04T16:00:00Z" {
		t.Errorf("after a failed reload: %v", h)
	}
	if h["spec"] == nil || h["operations"] == nil {
		t.Errorf("a degraded answer still says what is served: %v", h)
	}
	if err := srv.Reload(mockserver.Config{Spec: spec}); err != nil {
		t.Fatal(err)
	}
	if h := health(); h["status"] != "ok" || h["error"] != nil || h["since"] != nil {
		t.Errorf("after a good reload: %v", h)
	}
}
