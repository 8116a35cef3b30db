package verify

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/internal/junit"
)

// shownBody is how much of a body a text or HTML report prints.
const shownBody = 600

// WriteText writes the report for a terminal: notes, a table per
// operation (requests, passed, failed, skipped, statuses seen and
// documented), then every failure with its request, answer and rules, and
// a summary line. It returns the first write error.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, n := range r.Notes {
		fmt.Fprintf(ew, "note: %s\n", n)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(ew)
	}
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tREQUESTS\tPASSED\tFAILED\tSKIPPED\tSEEN\tDOCUMENTED")
	for _, op := range r.Operations {
		fmt.Fprintf(tw, "%s (%s %s)\t%d\t%d\t%d\t%d\t%s\t%s\n", op.ID, op.Method, op.Path, op.Requests, op.Passed, op.Failed, op.Skipped, seenText(op), strings.Join(op.Documented, " "))
	}
	tw.Flush()
	n := 0
	for _, op := range r.Operations {
		for _, e := range op.Exchanges {
			if !e.Failed() {
				continue
			}
			n++
			fmt.Fprintf(ew, "\nFAIL %d: %s: %s\n", n, op.ID, e.Case)
			for _, f := range e.Failures {
				fmt.Fprintf(ew, "  rule: %s\n", f.Rule)
			}
			writeRequest(ew, "  ", e.Request)
			if e.Response != nil {
				writeResponse(ew, "  ", e.Response)
			}
		}
	}
	first := true
	for _, op := range r.Operations {
		for _, e := range op.Exchanges {
			if e.Skipped == "" {
				continue
			}
			if first {
				fmt.Fprintln(ew, "\nSkipped (not sent):")
				first = false
			}
			fmt.Fprintf(ew, "  %s: %s: %s\n", op.ID, e.Case, e.Skipped)
		}
	}
	fmt.Fprintf(ew, "\n%s\n", r.SummaryLine())
	return ew.err
}

// SummaryLine is the report in one line, e.g. "verify: 41 requests to 2
// operations: 41 passed, 0 failed, 1 skipped (1.2s)".
func (r *Report) SummaryLine() string {
	verdict := "PASS"
	if !r.OK() {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s: %s to %s: %d passed, %d failed, %d skipped (%s)",
		verdict, count(r.Summary.Requests, "request"), count(r.Summary.Operations, "operation"), r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped, r.Duration.Round(1e6))
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func seenText(op *OperationReport) string {
	if len(op.Seen) == 0 {
		return "-"
	}
	parts := make([]string, len(op.Seen))
	for i, s := range op.Seen {
		parts[i] = strconv.Itoa(s)
		if !documented(op, s) {
			parts[i] += "!"
		}
	}
	return strings.Join(parts, " ")
}

func documented(op *OperationReport, status int) bool {
	code := strconv.Itoa(status)
	for _, d := range op.Documented {
		if d == code || d == "default" || (len(d) == 3 && strings.HasSuffix(strings.ToUpper(d), "XX") && d[0] == code[0]) {
			return true
		}
	}
	return false
}

func writeRequest(w io.Writer, indent string, r RequestRecord) {
	fmt.Fprintf(w, "%srequest: %s %s\n", indent, r.Method, r.URL)
	writeHeader(w, indent+"  ", r.Header)
	if r.Body != "" {
		fmt.Fprintf(w, "%s  %s\n", indent, clip(r.Body))
	}
}

func writeResponse(w io.Writer, indent string, r *ResponseRecord) {
	fmt.Fprintf(w, "%sanswer: %d %s\n", indent, r.Status, http.StatusText(r.Status))
	writeHeader(w, indent+"  ", r.Header)
	if r.Body != "" {
		fmt.Fprintf(w, "%s  %s\n", indent, clip(r.Body))
	}
}

func writeHeader(w io.Writer, indent string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(w, "%s%s: %s\n", indent, k, v)
		}
	}
}

// clip shortens a body for display, on a rune boundary.
func clip(s string) string {
	if len(s) <= shownBody {
		return s
	}
	cut := shownBody
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// WriteJSON writes the whole report, every exchange included, as indented
// JSON. It returns the first write error.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteJUnit writes the report as JUnit XML: a test suite per operation,
// a test case per request, a failure naming the broken rules with the
// request and answer. It returns the first write error.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junit.Suites{Name: "decoy verify " + r.Target, Tests: r.Summary.Requests + r.Summary.Skipped,
		Failures: r.Summary.Failed, Skipped: r.Summary.Skipped, Time: seconds(r.Duration.Seconds())}
	for _, op := range r.Operations {
		s := junit.Suite{Name: op.ID, Tests: len(op.Exchanges), Failures: op.Failed, Skipped: op.Skipped}
		for _, e := range op.Exchanges {
			c := junit.Case{Name: e.Case, Classname: "verify." + op.ID, Time: seconds(e.Elapsed.Seconds())}
			switch {
			case e.Skipped != "":
				c.Skipped = &junit.Skipped{Message: e.Skipped}
			case e.Failed():
				rules := make([]string, len(e.Failures))
				for i, f := range e.Failures {
					rules[i] = f.Rule
				}
				var b strings.Builder
				writeRequest(&b, "", e.Request)
				if e.Response != nil {
					writeResponse(&b, "", e.Response)
				}
				c.Failure = &junit.Failure{Message: strings.Join(rules, "; "), Text: b.String()}
			}
			s.Cases = append(s.Cases, c)
		}
		out.Suites = append(out.Suites, s)
	}
	data, err := junit.Marshal(out)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"seen": seenText, "clip": clip, "status": http.StatusText,
	"header": func(h http.Header) string {
		var b strings.Builder
		writeHeader(&b, "", h)
		return b.String()
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>decoy verify {{.Target}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.fail{color:#b00020}.pass{color:#1b7f3a}pre{background:#f6f6f6;padding:.6em;overflow:auto;white-space:pre-wrap}
</style></head><body>
<h1>decoy verify <code>{{.Target}}</code></h1>
<p class="{{if .OK}}pass{{else}}fail{{end}}">{{.SummaryLine}}</p>
{{range .Notes}}<p>note: {{.}}</p>{{end}}
<table><tr><th>operation</th><th>requests</th><th>passed</th><th>failed</th><th>skipped</th><th>seen</th><th>documented</th></tr>
{{range .Operations}}<tr><td>{{.ID}} <small>{{.Method}} {{.Path}}</small></td><td>{{.Requests}}</td><td>{{.Passed}}</td><td{{if .Failed}} class="fail"{{end}}>{{.Failed}}</td><td>{{.Skipped}}</td><td>{{seen .}}</td><td>{{range .Documented}}{{.}} {{end}}</td></tr>
{{end}}</table>
{{range $op := .Operations}}{{range .Exchanges}}{{if .Failures}}
<h3 class="fail">{{$op.ID}}: {{.Case}}</h3>
<ul>{{range .Failures}}<li>{{.Rule}}</li>{{end}}</ul>
<pre>{{.Request.Method}} {{.Request.URL}}
{{header .Request.Header}}{{if .Request.Body}}
{{clip .Request.Body}}{{end}}</pre>
{{with .Response}}<pre>{{.Status}} {{status .Status}}
{{header .Header}}{{if .Body}}
{{clip .Body}}{{end}}</pre>{{end}}
{{end}}{{end}}{{end}}
{{if .Summary.Skipped}}<h2>Skipped (not sent)</h2><ul>
{{range $op := .Operations}}{{range .Exchanges}}{{if .Skipped}}<li>{{$op.ID}}: {{.Case}}: {{.Skipped}}</li>
{{end}}{{end}}{{end}}</ul>{{end}}
</body></html>
`))

// WriteHTML writes the report as one self-contained HTML page: the
// summary, the table per operation and every failure. It returns the
// first write error.
func (r *Report) WriteHTML(w io.Writer) error { return htmlPage.Execute(w, r) }
