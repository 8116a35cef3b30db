package mockserver

import (
	"context"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// Coverage says how much of the contract the clients exercised: for each
// operation, which documented responses Decoy returned and how often, and
// the statuses it had to answer that the spec does not document (gaps).
type Coverage struct {
	Title   string `json:"title"`
	Version string `json:"version"`
	// Spec is the file the spec was loaded from.
	Spec string `json:"spec"`
	// Upstream is the API the server proxies to (its password redacted);
	// "" for a mock. With one, violations are on two sides: the
	// requests' and the upstream's answers'.
	Upstream   string              `json:"upstream,omitempty"`
	Totals     CoverageTotals      `json:"totals"`
	Operations []OperationCoverage `json:"operations"`
	// Gaps are statuses answered that an operation does not document, the
	// most frequent first.
	Gaps []Gap `json:"gaps"`
}

// CoverageTotals sums a Coverage up. Percentages are rounded to one
// decimal, and 0 when nothing is documented.
type CoverageTotals struct {
	// Requests counts every exchange since start or reset, routed or not
	// (admin requests excluded).
	Requests          int     `json:"requests"`
	Operations        int     `json:"operations"`
	OperationsHit     int     `json:"operations_hit"`
	OperationsPercent float64 `json:"operations_percent"`
	Responses         int     `json:"responses"`
	ResponsesHit      int     `json:"responses_hit"`
	ResponsesPercent  float64 `json:"responses_percent"`
}

// OperationCoverage is the coverage of one operation.
type OperationCoverage struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Summary   string `json:"summary,omitempty"`
	// Requests counts the requests routed to the operation, whatever their
	// answer; an operation is hit when it is not 0.
	Requests   int                `json:"requests"`
	Responses  []ResponseCoverage `json:"responses"`
	Covered    int                `json:"covered"`
	Documented int                `json:"documented"`
	Percent    float64            `json:"percent"`
}

// ResponseCoverage is one documented response: its code as written ("200",
// "4XX", "default") and how many answers it gave. An answer counts for the
// exact code, else its range, else default, as Decoy chooses the body.
type ResponseCoverage struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
	Count       int    `json:"count"`
	Hit         bool   `json:"hit"`
}

// Gap is a status Decoy answered for an operation that documents neither it,
// its range nor a default: a finding about the spec.
type Gap struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Count     int    `json:"count"`
}

// event is what an exchange adds to the tallies.
type event struct {
	// op is the matched operation, nil for no route.
	op *openapi.Operation
	// response is the documented response code the answer counts for; ""
	// when it counts for none (a gap, or an error about Decoy's controls).
	response string
	breaks   []breach
}

// opTally counts the answers of one operation.
type opTally struct {
	requests  int
	responses map[string]int
	gaps      map[int]int
}

// maxUnknownPaths bounds the distinct unmatched paths remembered; the rest
// are only counted.
const maxUnknownPaths = 100

// tally is what the journal counts apart from its ring: coverage and
// violations since start or reset. Its size is bounded by the spec
// (operations × codes × kinds) and maxUnknownPaths, never by the traffic.
type tally struct {
	requests int
	ops      map[string]*opTally
	// broken counts the requests with at least one breach.
	broken         int
	groups         map[groupKey]*ViolationGroup
	unknown        map[string]*UnknownPath
	unknownOmitted int
}

func newTally() tally {
	return tally{ops: map[string]*opTally{}, groups: map[groupKey]*ViolationGroup{}, unknown: map[string]*UnknownPath{}}
}

// count adds e, just recorded, to the tallies; the journal's lock is held.
func (t *tally) count(e Entry, ev event) {
	t.requests++
	if ev.op != nil {
		o := t.ops[ev.op.ID]
		if o == nil {
			o = &opTally{responses: map[string]int{}, gaps: map[int]int{}}
			t.ops[ev.op.ID] = o
		}
		o.requests++
		if ev.response != "" {
			o.responses[ev.response]++
		}
		if e.Gap {
			o.gaps[e.Status]++
		}
	}
	if len(ev.breaks) > 0 {
		t.broken++
	}
	for _, b := range ev.breaks {
		t.countBreach(e, ev.op, b)
	}
}

// countedResponse is the documented response code ex's answer counts for in
// coverage, mirroring Operation.LookupOrDefault; "" for a gap and for
// errors about Decoy's own controls (a bad Prefer…), which are not answers
// of the API.
func countedResponse(ex *exchange) string {
	if ex.gap || ex.status == 0 || ex.source == sourceDecoy && controlKind(ex.kind) {
		return ""
	}
	if resp := ex.op.LookupOrDefault(ex.status); resp != nil {
		return resp.Code
	}
	return ""
}

// Coverage returns the coverage of spec by what the journal counted.
func (j *Journal) Coverage(spec *openapi.Spec) Coverage {
	c := Coverage{Spec: spec.File, Operations: []OperationCoverage{}, Gaps: []Gap{}}
	if spec.Doc != nil && spec.Doc.Info != nil {
		c.Title, c.Version = spec.Doc.Info.Title, spec.Doc.Info.Version
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	c.Totals.Requests = j.tally.requests
	for _, op := range spec.Operations {
		oc := OperationCoverage{Operation: op.ID, Method: op.Method, Path: op.Path, Responses: []ResponseCoverage{}, Documented: len(op.Responses)}
		if op.Op != nil {
			oc.Summary = op.Op.Summary
		}
		t := j.tally.ops[op.ID]
		if t != nil {
			oc.Requests = t.requests
			for _, status := range sortedInts(t.gaps) {
				c.Gaps = append(c.Gaps, Gap{Operation: op.ID, Method: op.Method, Path: op.Path, Status: status, Count: t.gaps[status]})
			}
		}
		for _, r := range op.Responses {
			rc := ResponseCoverage{Code: r.Code, Description: r.Description}
			if t != nil {
				rc.Count = t.responses[r.Code]
			}
			rc.Hit = rc.Count > 0
			if rc.Hit {
				oc.Covered++
			}
			oc.Responses = append(oc.Responses, rc)
		}
		oc.Percent = percent(oc.Covered, oc.Documented)
		c.Totals.Operations++
		if oc.Requests > 0 {
			c.Totals.OperationsHit++
		}
		c.Totals.Responses += oc.Documented
		c.Totals.ResponsesHit += oc.Covered
		c.Operations = append(c.Operations, oc)
	}
	c.Totals.OperationsPercent = percent(c.Totals.OperationsHit, c.Totals.Operations)
	c.Totals.ResponsesPercent = percent(c.Totals.ResponsesHit, c.Totals.Responses)
	slices.SortStableFunc(c.Gaps, func(a, b Gap) int { return b.Count - a.Count })
	return c
}

func sortedInts(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// percent is 100·n/of rounded to one decimal; 0 when of is 0.
func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(of)) / 10
}

// Coverage returns how much of the served spec the clients exercised since
// start or reset; with a shared state, of every replica (see journalView),
// or of this one alone when the shared state cannot be reached.
func (s *Server) Coverage() Coverage {
	spec := s.state.Load().spec
	j, err := s.journalView(context.Background(), spec)
	if err != nil {
		j = s.journal
	}
	return s.coverageOf(j, spec)
}

// RenderHTML writes r as the self-contained page GET
// /__decoy/coverage?format=html serves. It fails only when w does.
func (r Report) RenderHTML(w io.Writer) error {
	return coverageHTML.Execute(w, r)
}

// coverageHTML is the coverage page: self-contained (inline CSS, no script,
// no external asset), every value escaped by html/template.
var coverageHTML = template.Must(template.New("coverage").Funcs(template.FuncMap{
	"pct":  func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) + "%" },
	"when": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"cls": func(f float64) string {
		switch {
		case f >= 80:
			return "good"
		case f >= 40:
			return "fair"
		}
		return "poor"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Decoy coverage: {{.Coverage.Title}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:70em;padding:1.5em;color:#1d232a;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:2em 0 .6em;border-bottom:1px solid #d8dee4;padding-bottom:.3em}
h3{font-size:1em;margin:1.6em 0 .4em;font-weight:600}
.meta{color:#57606a;margin:0 0 1.4em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}
.card{border:1px solid #d8dee4;border-radius:6px;padding:.7em 1em;min-width:10em}
.card b{display:block;font-size:1.5em}
.card span{color:#57606a;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-weight:600;background:#f6f8fa}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.bar{background:#eaeef2;border-radius:4px;height:.7em;width:100%;max-width:24em;display:inline-block;vertical-align:middle;overflow:hidden}
.bar i{display:block;height:100%}
.good i{background:#2da44e}.fair i{background:#bf8700}.poor i{background:#cf222e}
.hit{color:#1a7f37;font-weight:600}.miss{color:#8c959f}
.op{display:flex;gap:1em;align-items:center;flex-wrap:wrap}
.none{color:#57606a;font-style:italic}
td.k{white-space:nowrap}
</style>
</head>
<body>
<h1>Contract coverage: {{.Coverage.Title}} {{.Coverage.Version}}</h1>
<p class="meta">{{.Coverage.Spec}}{{if .Coverage.Upstream}} · proxying to {{.Coverage.Upstream}}{{end}} · generated {{when .Generated}} by Decoy</p>

<h2>Summary</h2>
<div class="cards">
<div class="card"><b>{{.Summary.OperationsHit}} / {{.Summary.Operations}}</b><span>operations exercised ({{pct .Coverage.Totals.OperationsPercent}})</span></div>
<div class="card"><b>{{.Summary.ResponsesHit}} / {{.Summary.Responses}}</b><span>documented responses returned ({{pct .Summary.Coverage}})</span></div>
<div class="card"><b>{{.Summary.Requests}}</b><span>requests</span></div>
<div class="card"><b>{{.Summary.Violations}}</b><span>contract violations ({{.Summary.ViolationKinds}} kinds)</span></div>
<div class="card"><b>{{.Summary.Gaps}}</b><span>spec gaps</span></div>
</div>

<h2>Operations</h2>
{{range .Coverage.Operations}}
<h3 class="op"><span><code>{{.Method}} {{.Path}}</code> · {{.Operation}}</span>
<span class="bar {{cls .Percent}}" title="{{.Covered}} of {{.Documented}} responses"><i style="width: {{.Percent}}%"></i></span>
<span>{{.Covered}}/{{.Documented}} ({{pct .Percent}}) · {{.Requests}} requests</span></h3>
{{if .Summary}}<p class="meta">{{.Summary}}</p>{{end}}
<table>
<tr><th>Response</th><th>Description</th><th class="n">Returned</th></tr>
{{range .Responses}}<tr><td><code>{{.Code}}</code></td><td>{{.Description}}</td><td class="n {{if .Hit}}hit{{else}}miss{{end}}">{{if .Hit}}✔ {{.Count}}×{{else}}never{{end}}</td></tr>
{{end}}</table>
{{else}}<p class="none">The spec has no operations.</p>
{{end}}

<h2>Spec gaps</h2>
{{if .Coverage.Gaps}}<p>Statuses Decoy had to answer that the operation does not document (answered as <code>application/problem+json</code>).</p>
<table>
<tr><th>Operation</th><th>Status</th><th class="n">Times</th></tr>
{{range .Coverage.Gaps}}<tr><td><code>{{.Method}} {{.Path}}</code> · {{.Operation}}</td><td><code>{{.Status}}</code></td><td class="n">{{.Count}}</td></tr>
{{end}}</table>
{{else}}<p class="none">None: every answer was one the spec documents.</p>{{end}}

<h2>Contract violations</h2>
{{if .Violations.Groups}}{{if .Coverage.Upstream}}<p>Side <b>request</b>: the client broke the contract (consumer drift). Side <b>response</b>: the upstream's answer did (provider drift).</p>
{{end}}<table>
<tr><th>Operation</th>{{if .Coverage.Upstream}}<th>Side</th>{{end}}<th>Kind</th><th class="n">Times</th><th>Example</th></tr>
{{range .Violations.Groups}}<tr><td>{{if .Method}}<code>{{.Method}} {{.Path}}</code> · {{end}}{{.Operation}}</td>{{if $.Coverage.Upstream}}<td class="k">{{.Side}}</td>{{end}}<td class="k">{{.Kind}}</td><td class="n">{{.Count}}</td>
<td><code>{{.Example.Method}} {{.Example.Target}}</code> → {{.Example.Status}}<br>{{.Example.Message}}</td></tr>
{{end}}</table>
{{if .Violations.UnknownPaths}}<h3>Paths no operation matches</h3>
<table><tr><th>Request</th><th class="n">Times</th></tr>
{{range .Violations.UnknownPaths}}<tr><td><code>{{.Method}} {{.Path}}</code></td><td class="n">{{.Count}}</td></tr>
{{end}}</table>{{end}}
{{else}}<p class="none">None: every request kept the contract.</p>{{end}}
</body>
</html>
`))
