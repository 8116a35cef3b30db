package verify

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/internal/golden"
	"github.com/decoy-mock/decoy/internal/provider"
	"github.com/decoy-mock/decoy/openapi"
)

const linkSpec = `openapi: 3.0.3
info: {title: links, version: '1'}
paths:
  /orders:
    post:
      operationId: createOrder
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {type: object}
          links:
            GetOrder:
              operationId: getOrder
              parameters:
                orderId: $response.body#/data/ref
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
`

func TestCreatedID(t *testing.T) {
	spec, err := openapi.Load(fstest.MapFS{"s.yaml": {Data: []byte(linkSpec)}}, "s.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	create := spec.Operation("createOrder")
	tests := []struct {
		name, location, body, want string
	}{
		{"Location wins", "/orders/o%2F1", `{"data":{"ref":"x"}}`, "o/1"},
		{"absolute Location", "http://api.example/orders/o-2?x=1", ``, "o-2"},
		{"link", "", `{"data":{"ref":"r-3"},"id":"no"}`, "r-3"},
		{"link to a number", "", `{"data":{"ref":44}}`, "44"},
		{"id field when the link does not resolve", "", `{"id":"i-5"}`, "i-5"},
		{"nothing", "", `{"name":"x"}`, ""},
		{"not JSON", "", `<p>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.location != "" {
				h.Set("Location", tt.location)
			}
			if got := createdID(create, "orderId", h, []byte(tt.body)); got != tt.want {
				t.Errorf("id %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProgressCountsEveryRequest: the callback sees Done rise by one to
// Total, and Failed count the failures.
func TestProgressCountsEveryRequest(t *testing.T) {
	cfg := defaultConfig(t, startProvider(t, provider.WrongType))
	var last Progress
	calls := 0
	cfg.Progress = func(p Progress) {
		calls++
		if p.Done != last.Done+1 || p.Failed < last.Failed || p.Done > p.Total {
			t.Errorf("progress %+v after %+v", p, last)
		}
		last = p
	}
	rep := run(t, cfg)
	if calls != rep.Summary.Requests+rep.Summary.Skipped || last.Done != last.Total || last.Failed != rep.Summary.Failed {
		t.Errorf("%d calls, last %+v, summary %+v", calls, last, rep.Summary)
	}
}

func TestHeaderValuesNetHTTPRefusesAreNotSent(t *testing.T) {
	for _, tt := range []struct {
		v  string
		ok bool
	}{{"plain", true}, {"tab\tok", true}, {"naïve", true}, {"new\nline", false}, {"bell\a", false}, {"del\x7f", false}} {
		if validHeaderValue(tt.v) != tt.ok {
			t.Errorf("%q: %v", tt.v, !tt.ok)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestTextReportGolden holds the text report of a run against the
// missing-header drift to testdata/missing-header.golden, with the parts
// that change between runs (port, date, durations) replaced.
func TestTextReportGolden(t *testing.T) {
	target := startProvider(t, provider.MissingHeader)
	rep, err := Run(context.Background(), defaultConfig(t, target))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	got := bytes.ReplaceAll(b.Bytes(), []byte(target), []byte("http://provider"))
	got = regexp.MustCompile(`(?m)^(\s+Date: ).*$`).ReplaceAll(got, []byte("${1}(date)"))
	got = regexp.MustCompile(`\([0-9.]+[mµn]?s\)\n$`).ReplaceAll(got, []byte("(duration)\n"))
	golden.Check(t, filepath.Join("testdata", "missing-header.golden"), got, *update)
}
