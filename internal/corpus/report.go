package main

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// report is what one run found.
type report struct {
	Package      string  `json:"package"`
	Root         string  `json:"root"`
	Descriptions int     `json:"descriptions"`
	Seconds      float64 `json:"seconds"`

	Tried    int `json:"tried"`
	NotTried int `json:"not_tried"`
	Loaded   int `json:"loaded"`
	Refused  int `json:"refused"`
	// RefusedBy counts refusals by class (parse error, unsupported version,
	// timeout, invalid document, loader panic, other).
	RefusedBy map[string]int `json:"refused_by"`
	// Findings counts, per class, the documents with such findings and
	// the findings.
	Findings map[string]findingCount `json:"findings"`

	Operations int `json:"operations"`
	Sent       int `json:"sent"`
	Within     int `json:"within_contract"`
	// Unchecked counts the answers within contract whose body the
	// validator could not decode (images, PDFs…): only the status was
	// judged.
	Unchecked int `json:"within_body_unchecked"`
	Outside   int `json:"out_of_contract"`
	Invalid   int `json:"request_invalid"`
	// InvalidOutside counts answers to requests judged invalid that broke
	// the contract too (and were not a gap Decoy reports as such).
	InvalidOutside int `json:"invalid_answer_out_of_contract"`
	NotBuilt       int `json:"request_not_built"`
	NoAnswer       int `json:"no_answer"`

	LoadTotalMS float64 `json:"load_total_ms"`
	LoadP50MS   float64 `json:"load_p50_ms"`
	LoadP95MS   float64 `json:"load_p95_ms"`
	LoadMaxMS   float64 `json:"load_max_ms"`
	LoadMaxFile string  `json:"load_max_file"`

	// RefusalCauses groups refusals by their innermost cause (the places
	// in the document left out); RefusalPatterns by the whole message.
	RefusalCauses    []pattern `json:"refusal_causes"`
	RefusalPatterns  []pattern `json:"refusal_patterns"`
	OutsidePatterns  []pattern `json:"out_of_contract_patterns"`
	InvalidPatterns  []pattern `json:"request_invalid_patterns"`
	NotBuiltPatterns []pattern `json:"request_not_built_patterns"`
	// ServerLog groups what net/http logged while Decoy served.
	ServerLog      []pattern `json:"server_log_patterns"`
	ServerLogLines int       `json:"server_log_lines"`

	RefusedDocs []refusal `json:"refused_documents"`
	OutsideList []breach  `json:"out_of_contract_answers"`

	Documents []docResult `json:"documents,omitempty"`
}

type findingCount struct {
	Documents int `json:"documents"`
	Findings  int `json:"findings"`
}

// pattern is a group of messages that differ only in names and numbers.
type pattern struct {
	Pattern string `json:"pattern"`
	Count   int    `json:"count"`
	// Documents counts the distinct documents with the pattern.
	Documents int    `json:"documents"`
	Example   string `json:"example"`
	File      string `json:"file"`
}

type refusal struct {
	File  string `json:"file"`
	Class string `json:"class"`
	Error string `json:"error"`
}

type breach struct {
	File      string `json:"file"`
	Operation string `json:"operation"`
	Request   string `json:"request"`
	Status    int    `json:"status"`
	Why       string `json:"why"`
}

func summarize(docs []docResult) *report {
	rep := &report{RefusedBy: map[string]int{}, Findings: map[string]findingCount{}}
	var loads []float64
	refusals, causes, outside, invalid, notBuilt, logs := grouper{}, grouper{}, grouper{}, grouper{}, grouper{}, grouper{}
	for _, d := range docs {
		rep.Tried++
		loads = append(loads, d.LoadMS)
		rep.LoadTotalMS += d.LoadMS
		if d.LoadMS > rep.LoadMaxMS {
			rep.LoadMaxMS, rep.LoadMaxFile = d.LoadMS, d.File
		}
		if !d.Loaded {
			rep.Refused++
			rep.RefusedBy[d.Refused]++
			rep.RefusedDocs = append(rep.RefusedDocs, refusal{d.File, d.Refused, firstLine(d.Error)})
			refusals.add(d.File, d.Error)
			causes.addKey(d.File, cause(normalize(d.File, d.Error)), d.Error)
			continue
		}
		rep.Loaded++
		rep.Operations += d.Operations
		for _, l := range d.ServerLog {
			rep.ServerLogLines++
			logs.add(d.File, l)
		}
		for class, n := range d.Findings {
			fc := rep.Findings[class]
			fc.Documents++
			fc.Findings += n
			rep.Findings[class] = fc
		}
		for _, ex := range d.Exchanges {
			switch ex.Outcome {
			case outWithin:
				rep.Sent++
				rep.Within++
				if ex.Unchecked {
					rep.Unchecked++
				}
			case outOutside:
				rep.Sent++
				rep.Outside++
				if ex.Kind != "" {
					// Decoy failed itself: group by why, whatever status
					// and content type the failure went out with.
					outside.addKey(d.File, "Decoy's own "+ex.Kind+" error, answered outside the contract: "+
						cause(reOpPrefix.ReplaceAllString(normalize(d.File, ex.Detail, ex.Operation), "")), ex.Why)
				} else {
					outside.add(d.File, ex.Why, ex.Operation)
				}
				rep.OutsideList = append(rep.OutsideList, breach{d.File, ex.Operation, ex.Method + " " + ex.URL, ex.Status, ex.Why})
			case outInvalid:
				rep.Sent++
				rep.Invalid++
				invalid.add(d.File, ex.Why, ex.Operation)
				if ex.AnswerOutside != "" {
					rep.InvalidOutside++
					outside.add(d.File, "(answer to an invalid request) "+ex.AnswerOutside, ex.Operation)
				}
			case outNotBuilt:
				rep.NotBuilt++
				notBuilt.add(d.File, ex.Why, ex.Operation)
			case outNoAnswer:
				rep.NoAnswer++
				outside.add(d.File, "no answer: "+ex.Why, ex.Operation)
			}
		}
	}
	slices.Sort(loads)
	rep.LoadP50MS, rep.LoadP95MS = percentile(loads, 0.50), percentile(loads, 0.95)
	rep.RefusalPatterns = refusals.top()
	rep.RefusalCauses = causes.top()
	rep.ServerLog = logs.top()
	rep.OutsidePatterns = outside.top()
	rep.InvalidPatterns = invalid.top()
	rep.NotBuiltPatterns = notBuilt.top()
	return rep
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)) + 0.5)
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// grouper counts messages by pattern.
type grouper map[string]*group

type group struct {
	pattern
	files map[string]bool
}

var (
	reQuoted  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|“[^”]*”`)
	reIndices = regexp.MustCompile(`\[N( N)*\]`)
	rePointer = regexp.MustCompile(`#?(/[^\s:,;)"']*)+`)
	reNumber  = regexp.MustCompile(`\b\d+(\.\d+)?\b`)
	reVersion = regexp.MustCompile(`(OpenAPI|Swagger) N`)
	reLoc     = regexp.MustCompile(`^[^\s:]+(:\d+)*: `)
	reSpaces  = regexp.MustCompile(`\s+`)
)

// normalize turns a message into its pattern: the document's own name and
// the given names removed, quoted strings, JSON pointers and numbers
// replaced by placeholders.
func normalize(file, msg string, names ...string) string {
	msg = firstLine(msg)
	msg = strings.ReplaceAll(msg, file, "FILE")
	for _, n := range names {
		if n != "" {
			msg = strings.ReplaceAll(msg, n, "OP")
		}
	}
	msg = reLoc.ReplaceAllString(msg, "")
	msg = reQuoted.ReplaceAllString(msg, `"…"`)
	msg = rePointer.ReplaceAllString(msg, "/…")
	msg = reNumber.ReplaceAllString(msg, "N")
	msg = reVersion.ReplaceAllString(msg, "$1")
	msg = reIndices.ReplaceAllString(msg, "[…]")
	msg = reSpaces.ReplaceAllString(msg, " ")
	return strings.TrimSpace(msg)
}

// reContext matches the places a load error passes through on its way out
// ("invalid components: ", "schema "…": ", "invalid allOf element: "), and
// the count of further problems.
var reContext = regexp.MustCompile(`(invalid (OpenAPI|Swagger)( [\d.]+)? document|invalid (components|paths|info|servers|path /…|operation [A-Z]+|allOf element|anyOf element|oneOf element|not|items|properties|additionalProperties|response|responses|request body|requestBody|callback|callbacks|header|headers|links?|content|media type|parameters?|schema|schemas)|(schema|parameter|response|header|property|media type|requestBody|securityScheme|example|callback) "…"( schema is invalid)?): |\s*\(and N more problems\)`)

// reOpPrefix matches what a generation failure's detail starts with:
// "OP: N application/…: /…: ".
var reOpPrefix = regexp.MustCompile(`^((OP|[A-Z]+ /…): )?(N|default) [^:\s]+: (/…: )*`)

// cause strips the places from a normalized load error, leaving what is
// wrong: "error parsing regexp: invalid repeat count: `{N,N}`".
func cause(pattern string) string {
	for {
		next := reContext.ReplaceAllString(pattern, "")
		if next == pattern {
			return strings.TrimSpace(pattern)
		}
		pattern = next
	}
}

func (g grouper) add(file, msg string, names ...string) {
	g.addKey(file, normalize(file, msg, names...), msg)
}

// cut shortens s to at most n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (g grouper) addKey(file, key, msg string) {
	key = cut(key, 200)
	gr := g[key]
	if gr == nil {
		gr = &group{pattern: pattern{Pattern: key, Example: firstLine(msg), File: file}, files: map[string]bool{}}
		g[key] = gr
	}
	gr.Count++
	gr.files[file] = true
	gr.Documents = len(gr.files)
}

// top returns the patterns by documents, then count, most first.
func (g grouper) top() []pattern {
	out := make([]pattern, 0, len(g))
	for _, gr := range g {
		out = append(out, gr.pattern)
	}
	slices.SortFunc(out, func(a, b pattern) int {
		if c := cmp.Compare(b.Documents, a.Documents); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Pattern, b.Pattern)
	})
	return out
}

func docLine(d docResult) string {
	if !d.Loaded {
		return fmt.Sprintf("REFUSED %-55s %8.1fms  %s: %s", d.File, d.LoadMS, d.Refused, firstLine(d.Error))
	}
	count := map[string]int{}
	for _, ex := range d.Exchanges {
		count[ex.Outcome]++
	}
	nf := 0
	for _, n := range d.Findings {
		nf += n
	}
	return fmt.Sprintf("ok      %-55s %8.1fms  %s, %d findings, %d ops: %d within, %d outside, %d invalid, %d not built, %d no answer",
		d.File, d.LoadMS, d.Version, nf, d.Operations, count[outWithin], count[outOutside], count[outInvalid], count[outNotBuilt], count[outNoAnswer])
}

func ms(v float64) string {
	return (time.Duration(v * float64(time.Millisecond))).Round(100 * time.Microsecond).String()
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\ncorpus: %s (%d descriptions under %s), %.0fs\n\n", r.Package, r.Descriptions, r.Root, r.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, n any, rest string) { fmt.Fprintf(tw, "%s\t%v\t%s\t\n", name, n, rest) }
	row("documents tried", r.Tried, "")
	if r.NotTried > 0 {
		row("not tried (deadline)", r.NotTried, "")
	}
	row("loaded", r.Loaded, pct(r.Loaded, r.Tried))
	row("refused", r.Refused, pct(r.Refused, r.Tried))
	classes := []string{refusedParse, refusedVersion, refusedTimeout, refusedInvalid, refusedPanic, refusedOther}
	for _, c := range sortedKeys(r.RefusedBy) {
		if !slices.Contains(classes, c) {
			classes = append(classes, c)
		}
	}
	for _, c := range classes {
		row("  "+c, r.RefusedBy[c], "")
	}
	fmt.Fprintf(tw, "findings (class)\tdocuments\tfindings\t\n")
	for _, c := range sortedKeys(r.Findings) {
		fc := r.Findings[c]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t\n", c, fc.Documents, fc.Findings)
	}
	row("operations in loaded documents", r.Operations, "")
	row("requests sent", r.Sent, "")
	row("  answered within contract", r.Within, pct(r.Within, r.Sent))
	row("    (body not checkable: media type)", r.Unchecked, "")
	row("  answered out of contract", r.Outside, pct(r.Outside, r.Sent))
	row("  request judged invalid", r.Invalid, pct(r.Invalid, r.Sent))
	row("    (its answer out of contract too)", r.InvalidOutside, "")
	row("request not built (generator)", r.NotBuilt, "")
	row("no answer (transport)", r.NoAnswer, "")
	row("load time total", ms(r.LoadTotalMS), "")
	row("load time p50", ms(r.LoadP50MS), "")
	row("load time p95", ms(r.LoadP95MS), "")
	row("load time max", ms(r.LoadMaxMS), r.LoadMaxFile)
	tw.Flush()

	printPatterns(w, "refusal causes (places in the document left out)", r.RefusalCauses, 15)
	printPatterns(w, "out-of-contract answers by pattern", r.OutsidePatterns, 15)
	printPatterns(w, "requests judged invalid by pattern (generator weaknesses or Decoy's request validation)", r.InvalidPatterns, 10)
	printPatterns(w, "requests not built by pattern", r.NotBuiltPatterns, 10)
	printPatterns(w, fmt.Sprintf("server log while serving (%d lines)", r.ServerLogLines), r.ServerLog, 10)

	fmt.Fprintf(w, "\nrefused documents (%d):\n", len(r.RefusedDocs))
	for _, d := range r.RefusedDocs {
		fmt.Fprintf(w, "  %s [%s]: %s\n", d.File, d.Class, d.Error)
	}
	n := min(len(r.OutsideList), 30)
	fmt.Fprintf(w, "\nout-of-contract answers (%d, first %d):\n", len(r.OutsideList), n)
	for _, b := range r.OutsideList[:n] {
		fmt.Fprintf(w, "  %s %s: %s -> %d: %s\n", b.File, b.Operation, b.Request, b.Status, b.Why)
	}
}

func printPatterns(w io.Writer, title string, ps []pattern, n int) {
	if len(ps) == 0 {
		return
	}
	n = min(n, len(ps))
	fmt.Fprintf(w, "\n%s (top %d of %d):\n", title, n, len(ps))
	for _, p := range ps[:n] {
		fmt.Fprintf(w, "  %4d docs %5d× %s\n        e.g. %s: %s\n", p.Documents, p.Count, p.Pattern, p.File, p.Example)
	}
}
