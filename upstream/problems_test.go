package upstream_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/golden"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/upstream"
)

// update rewrites the golden files instead of comparing with them:
// go test ./upstream -run TestProxyProblemDocuments -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/problems")

// TestProxyProblemDocuments provokes every problem document the proxy
// writes and compares it (status, Content-Type, indented body; the
// upstream's changing address replaced by UPSTREAM) with
// testdata/problems/NAME.golden.
func TestProxyProblemDocuments(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	cases := []struct {
		name  string
		opts  []rigOption
		setup func(*rig)
	}{
		{name: "502-upstream-unreachable", opts: []rigOption{func(u *upstream.Config, _ *mockserver.Config) { u.URL, _ = url.Parse(deadURL) }}},
		{name: "504-upstream-timeout", opts: []rigOption{func(u *upstream.Config, _ *mockserver.Config) { u.Timeout = 50 * time.Millisecond }},
			setup: func(rg *rig) { rg.prov.delay = 5 * time.Second }},
		{name: "502-upstream-contract", opts: []rigOption{withErrors}, setup: func(rg *rig) { rg.prov.drift.Store(int32(renamedField)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rg := newRig(t, c.opts...)
			if c.setup != nil {
				c.setup(rg)
			}
			a := send(t, v2Request(rg.decoy.URL, ""))
			var doc map[string]any
			if err := json.Unmarshal(a.body, &doc); err != nil {
				t.Fatalf("body is not a JSON object: %v\n%s", err, a.body)
			}
			var out bytes.Buffer
			fmt.Fprintf(&out, "HTTP/1.1 %d %s\nContent-Type: %s\n\n", a.status, http.StatusText(a.status), a.header.Get("Content-Type"))
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(doc); err != nil {
				t.Fatal(err)
			}
			got := out.Bytes()
			for _, u := range []string{deadURL, rg.upstream.URL} {
				got = bytes.ReplaceAll(got, []byte(strings.TrimPrefix(u, "http://")), []byte("UPSTREAM"))
			}
			golden.Check(t, filepath.Join("testdata", "problems", c.name+".golden"), got, *update)
		})
	}
}
