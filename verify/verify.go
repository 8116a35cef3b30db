package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// Config says what to verify and within which bounds. Spec and Target are
// required; every other field documents its zero value.
type Config struct {
	// Spec is the contract.
	Spec *openapi.Spec
	// Target is the provider's base URL; each operation's path is appended
	// to its path (so it includes any base path the spec's servers have,
	// e.g. http://localhost:8080/api).
	Target string
	// Fixtures are the project's loaded fixtures, whose collection items
	// become requests; nil means none.
	Fixtures *fixtures.Store
	// FixturesFS and FixturesDir are the folder the fixtures were loaded
	// from, read again for the requests stubs match and the parameters
	// collections are scoped by; nil or "" means none.
	FixturesFS  fs.FS
	FixturesDir string
	// Header is sent with every request (e.g. Authorization); nil means
	// none. Values of credential-like headers are masked in the Report.
	Header http.Header
	// Credentials maps a security scheme's name (components/securitySchemes)
	// to its credential: the token of a bearer scheme, "user:password" of
	// a basic one, the key of an apiKey one (sent where the scheme says),
	// the rest of the Authorization header for other http schemes. nil
	// means none (Header may carry them instead).
	Credentials map[string]string
	// Operations selects operations by operationId or "METHOD /path"; Tags
	// by tag. An operation is verified when it is selected by either, or
	// when both are empty. An unknown name is an error.
	Operations, Tags []string
	// Seed seeds the generated requests: the same seed and spec send the
	// same requests.
	Seed uint64
	// Generated is the number of generated valid requests per operation;
	// 0 means 5, a negative number none.
	Generated int
	// PerSource bounds the requests made from one source (an operation's
	// collection items, its parameter examples) per operation; 0 means 10.
	PerSource int
	// Concurrency is the most requests in flight at once; 0 means 4.
	Concurrency int
	// Rate is the most requests started per second; 0 means no limit.
	Rate float64
	// Timeout bounds each request, its answer's body included; 0 means
	// 10s.
	Timeout time.Duration
	// MaxBody is the most bytes of an answer's body read and checked; a
	// longer body is cut there and its schema is not checked (the exchange
	// says so). 0 means 4 MiB.
	MaxBody int64
	// Client sends the requests; nil means a new client that follows no
	// redirects (a redirect is an answer to judge).
	Client *http.Client
	// Progress is called after each answer, from one goroutine at a time;
	// nil means nothing is called.
	Progress func(Progress)
}

// Progress is how far a run is.
type Progress struct {
	// Done of Total requests were sent (Total grows when a create makes
	// item requests possible); Failed of them broke the contract.
	Done, Total, Failed int
	// Operation is the operation of the last answer.
	Operation string
}

// Report is the outcome of a run. Credentials are masked in it.
type Report struct {
	Target     string             `json:"target"`
	Seed       uint64             `json:"seed"`
	Started    time.Time          `json:"started"`
	Duration   time.Duration      `json:"duration_ns"`
	Summary    Summary            `json:"summary"`
	Operations []*OperationReport `json:"operations"`
	// Notes are what the run could not do as asked (e.g. no credential for
	// a security scheme), for the reader.
	Notes []string `json:"notes,omitempty"`
}

// Summary counts the exchanges of a run.
type Summary struct {
	Operations int `json:"operations"`
	Requests   int `json:"requests"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	// Skipped counts cases that were not sent, each with its reason.
	Skipped int `json:"skipped"`
}

// OperationReport is what one operation's requests found.
type OperationReport struct {
	ID       string `json:"id"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Requests int    `json:"requests"`
	Passed   int    `json:"passed"`
	Failed   int    `json:"failed"`
	Skipped  int    `json:"skipped"`
	// Seen lists the statuses answered, ascending; Documented the codes
	// the spec documents, as written.
	Seen       []int      `json:"seen"`
	Documented []string   `json:"documented"`
	Exchanges  []Exchange `json:"exchanges"`
}

// Exchange is one case: the request sent and the answer, or why it was
// not sent.
type Exchange struct {
	// Case names where the request comes from, e.g. `request body example
	// "byUser"` or `negative: missing header parameter "X-Namespace"`.
	Case string `json:"case"`
	// Kind is example, stub, collection, generated, created (an item
	// operation on an item a create made) or negative.
	Kind     string          `json:"kind"`
	Request  RequestRecord   `json:"request"`
	Response *ResponseRecord `json:"response,omitempty"`
	Elapsed  time.Duration   `json:"elapsed_ns,omitempty"`
	Failures []Failure       `json:"failures,omitempty"`
	Skipped  string          `json:"skipped,omitempty"`
	Notes    []string        `json:"notes,omitempty"`
}

// Failed reports whether the exchange broke a rule.
func (e *Exchange) Failed() bool { return len(e.Failures) > 0 }

// RequestRecord is a request as sent, credentials masked.
type RequestRecord struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
}

// ResponseRecord is an answer as received (the body as far as read).
type ResponseRecord struct {
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
	// Truncated says the body was longer than Config.MaxBody.
	Truncated bool `json:"truncated,omitempty"`
}

// Failure is one rule of the contract an answer broke.
type Failure struct {
	// Kind is status, header, content-type, body, negative or transport.
	Kind string `json:"kind"`
	// Rule says what broke, e.g. "status 500 not documented" or
	// "response body /sessions/0/agent_key: required".
	Rule string `json:"rule"`
}

func (f Failure) String() string { return f.Rule }

// OK reports whether every request passed.
func (r *Report) OK() bool { return r.Summary.Failed == 0 }

// ErrConfig is wrapped by the errors Run returns for a Config it cannot
// use (no spec, a target that is not an http(s) URL, an unknown operation
// or tag, a negative bound).
var ErrConfig = errors.New("invalid configuration")

func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}

// Run verifies the provider at cfg.Target against cfg.Spec and returns the
// report. It returns an error only when it cannot run at all (a Config
// error wrapping ErrConfig, unreadable fixture files, or ctx ended); a
// provider that breaks the contract, or cannot be reached, is a Report
// with failures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	return r.run(ctx)
}

// selectOps returns the operations cfg selects, in spec order.
func selectOps(cfg Config) ([]*openapi.Operation, error) {
	if len(cfg.Operations) == 0 && len(cfg.Tags) == 0 {
		return cfg.Spec.Operations, nil
	}
	chosen := map[*openapi.Operation]bool{}
	for _, name := range cfg.Operations {
		op := cfg.Spec.Operation(name)
		if op == nil {
			return nil, configErrorf("no operation %q in the spec", name)
		}
		chosen[op] = true
	}
	for _, tag := range cfg.Tags {
		found := false
		for _, op := range cfg.Spec.Operations {
			if slices.Contains(op.Op.Tags, tag) {
				chosen[op], found = true, true
			}
		}
		if !found {
			return nil, configErrorf("no operation has the tag %q", tag)
		}
	}
	var out []*openapi.Operation
	for _, op := range cfg.Spec.Operations {
		if chosen[op] {
			out = append(out, op)
		}
	}
	return out, nil
}

func checkConfig(cfg *Config) (*url.URL, error) {
	if cfg.Spec == nil {
		return nil, configErrorf("no spec")
	}
	u, err := url.Parse(cfg.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, configErrorf("target %q is not an http(s) URL such as http://127.0.0.1:8080", cfg.Target)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	switch {
	case cfg.Concurrency < 0:
		return nil, configErrorf("concurrency %d is negative", cfg.Concurrency)
	case cfg.Rate < 0:
		return nil, configErrorf("rate %v is negative", cfg.Rate)
	case cfg.Timeout < 0:
		return nil, configErrorf("timeout %s is negative", cfg.Timeout)
	case cfg.MaxBody < 0:
		return nil, configErrorf("max body %d is negative", cfg.MaxBody)
	case cfg.PerSource < 0:
		return nil, configErrorf("per-source bound %d is negative", cfg.PerSource)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 4 << 20
	}
	if cfg.PerSource == 0 {
		cfg.PerSource = 10
	}
	if cfg.Generated == 0 {
		cfg.Generated = 5
	}
	for name := range cfg.Credentials {
		if cfg.Spec.Doc.Components == nil || cfg.Spec.Doc.Components.SecuritySchemes[name] == nil {
			var known []string
			if cfg.Spec.Doc.Components != nil {
				for k := range cfg.Spec.Doc.Components.SecuritySchemes {
					known = append(known, k)
				}
			}
			slices.Sort(known)
			return nil, configErrorf("no security scheme %q in the spec (known: %s)", name, strings.Join(known, ", "))
		}
	}
	return u, nil
}
