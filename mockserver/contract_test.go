package mockserver_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// TestEveryOperationAnswersWithinContract sends a valid request to every
// operation of every spec and checks that the answer validates against the
// spec: a documented status, headers and a body that match their schemas.
// The mock must never answer outside its contract.
func TestEveryOperationAnswersWithinContract(t *testing.T) {
	for _, name := range append(specs, "default project") {
		t.Run(name, func(t *testing.T) {
			var (
				ts   *httptest.Server
				spec *openapi.Spec
			)
			if name == "default project" {
				// The embedded default with its fixtures and scenarios,
				// as decoy serve runs it: collection pages must keep the
				// contract too.
				ts, spec = withProject(t), loadSpec(t, "default")
			} else {
				ts, spec = newServer(t, name)
			}
			for _, op := range spec.Operations {
				for seed := uint64(1); seed <= 3; seed++ {
					req := validRequest(t, ts.URL, op, seed)
					if name == "default project" && req.Header.Get("X-Namespace") != "" {
						// A namespace the fixtures hold: any other is
						// the documented 404.
						req.Header.Set("X-Namespace", "ns_demo")
					}
					var sent []byte
					if req.Body != nil {
						sent, _ = io.ReadAll(req.Body)
						req.Body = io.NopCloser(bytes.NewReader(sent))
					}
					resp, err := ts.Client().Do(req)
					if err != nil {
						t.Fatalf("%s: %v", op.ID, err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 300 {
						t.Errorf("%s (seed %d): valid request %s %s answered %d:\n%s", op.ID, seed, req.Method, req.URL, resp.StatusCode, body)
						continue
					}
					// Validate the response against the request as the
					// server saw it.
					check, _ := http.NewRequest(req.Method, req.URL.String(), bytes.NewReader(sent))
					check.Header = req.Header
					_, _, params, err := spec.Match(req.Method, req.URL.EscapedPath())
					if err != nil {
						t.Fatalf("%s: %v", op.ID, err)
					}
					if err := op.ValidateResponse(t.Context(), check, params, resp.StatusCode, resp.Header, body); err != nil {
						t.Errorf("%s (seed %d): %v\nbody: %s", op.ID, seed, err, body)
					}
				}
			}
		})
	}
}
