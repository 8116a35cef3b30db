package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/internal/bodytemplate"
	"github.com/decoy-mock/decoy/internal/yamlnode"
	"github.com/decoy-mock/decoy/openapi"
)

// decoder turns the yaml.Node tree of a scenario file into a Scenario,
// collecting every problem with its position instead of stopping at the
// first: a user fixing a file wants the whole list.
type decoder struct {
	file string
	spec *openapi.Spec
	errs []error
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, yamlnode.At(d.file, n, field, format, args...))
}

// The fields each mapping knows, in the order the documentation lists them.
var (
	scenarioFields  = []string{"name", "description", "rules"}
	ruleFields      = []string{"operations", "match", "status", "sequence", "example", "body", "headers", "latency", "fault", "rateLimit", "allowUndocumented", "when", "key"}
	matchFields     = []string{"path", "query", "headers"}
	rateLimitFields = []string{"limit", "window", "key"}
	whenFields      = []string{"after", "times", "every", "probability"}
)

// MaxLimit is the largest rate limit a rule may set. A limiter remembers
// each admitted call of its window, so the limit bounds its memory.
const MaxLimit = 1_000_000

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (d *decoder) scenario(n *yaml.Node) *Scenario {
	n = deref(n)
	sc := &Scenario{File: d.file}
	var rules *yaml.Node
	for _, p := range d.mapping(n, "", scenarioFields) {
		switch p.key {
		case "name":
			if s, ok := d.str(p.v, "name"); ok {
				sc.Name, sc.Line, sc.Column = s, p.v.Line, p.v.Column
				if !nameRE.MatchString(s) {
					d.errorf(p.v, "name", "%q is not a valid scenario name: use letters, digits, '.', '_' and '-', starting with a letter or digit (names travel in a Prefer header)", s)
				}
			}
		case "description":
			sc.Description, _ = d.str(p.v, "description")
		case "rules":
			rules = p.v
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if sc.Name == "" && !has(n, "name") {
		d.errorf(n, "", "missing name")
	}
	if rules == nil {
		d.errorf(n, "", "missing rules")
	} else {
		items := d.seq(rules, "rules")
		if items != nil && len(items) == 0 {
			d.errorf(rules, "rules", "a scenario needs at least one rule")
		}
		for i, item := range items {
			if r := d.rule(item, fmt.Sprintf("rules[%d]", i), sc.Name, i); r != nil {
				sc.Rules = append(sc.Rules, r)
			}
		}
	}
	if sc.Name == "" {
		return nil
	}
	return sc
}

// ruleNodes keeps where each field of a rule was written, for the checks
// that look at several fields together.
type ruleNodes struct {
	operations, status, sequence, example, body, headers, latency, fault, rateLimit, allow, when *yaml.Node
	seqItems, pathKeys                                                                           []*yaml.Node
}

func (d *decoder) rule(n *yaml.Node, field, scenario string, index int) *Rule {
	n = deref(n)
	r := &Rule{Scenario: scenario, Index: index, ops: map[string]bool{}}
	var at ruleNodes
	for _, p := range d.mapping(n, field, ruleFields) {
		f := field + "." + p.key
		switch p.key {
		case "operations":
			at.operations = p.v
			d.operations(p.v, f, r)
		case "match":
			at.pathKeys = d.match(p.v, f, &r.Match)
		case "status":
			at.status = p.v
			if v, ok := d.integer(p.v, f); ok {
				if d.statusRange(p.v, f, v) {
					r.Status = v
				}
			}
		case "sequence":
			at.sequence = p.v
			at.seqItems = d.seq(p.v, f)
			if at.seqItems != nil && len(at.seqItems) == 0 {
				d.errorf(p.v, f, "a sequence needs at least one status")
			}
			for i, item := range at.seqItems {
				fi := fmt.Sprintf("%s[%d]", f, i)
				if v, ok := d.integer(item, fi); ok && d.statusRange(item, fi, v) {
					r.Sequence = append(r.Sequence, v)
				} else {
					r.Sequence = append(r.Sequence, 0)
				}
			}
		case "key":
			d.text(p.v, f, &r.Key)
		case "example":
			at.example = p.v
			if s, ok := d.str(p.v, f); ok {
				if s == "" {
					d.errorf(p.v, f, "must not be empty; omit it to use the first example")
				}
				r.Example = s
			}
		case "body":
			at.body = p.v
			r.Body = d.body(p.v, f)
		case "headers":
			at.headers = p.v
			r.Headers = d.stringMap(p.v, f, true)
			for _, k := range keysOf(p.v) {
				switch http.CanonicalHeaderKey(k.Value) {
				case "Content-Length", "Transfer-Encoding", "Connection":
					d.errorf(k, f+"."+k.Value, "is set by the server; a scenario cannot override it")
				}
			}
		case "latency":
			at.latency = p.v
			if d.text(p.v, f, &r.Latency) && r.Latency.IsZero() {
				d.errorf(p.v, f, "latency %s adds no delay; remove it", r.Latency)
			}
		case "fault":
			at.fault = p.v
			d.text(p.v, f, &r.Fault)
		case "rateLimit":
			at.rateLimit = p.v
			r.RateLimit = d.rateLimit(p.v, f)
		case "allowUndocumented":
			at.allow = p.v
			r.AllowUndocumented, _ = d.boolean(p.v, f)
		case "when":
			at.when = p.v
			r.When = d.when(p.v, f)
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	d.combinations(n, field, r, &at)
	if d.spec != nil && at.operations != nil {
		d.checkSpec(field, r, &at)
	}
	if r.all {
		r.Operations = []string{"*"}
		r.touched = []string{"*"}
		if d.spec != nil {
			r.touched = nil
			for _, op := range d.spec.Operations {
				r.touched = append(r.touched, op.ID)
			}
		}
	}
	return r
}

// operations reads the operations list into r: ids, "METHOD /path" names
// (resolved to ids when there is a spec) or "*". A single string stands for
// a one-item list.
func (d *decoder) operations(n *yaml.Node, field string, r *Rule) {
	n = deref(n)
	var items []*yaml.Node
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		items = []*yaml.Node{n}
	} else {
		items = d.seq(n, field)
		if items != nil && len(items) == 0 {
			d.errorf(n, field, "must list at least one operation (an operationId, \"METHOD /path\" or \"*\")")
		}
	}
	for i, item := range items {
		fi := fmt.Sprintf("%s[%d]", field, i)
		if item == n {
			fi = field
		}
		s, ok := d.str(item, fi)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			d.errorf(item, fi, "must not be empty")
			continue
		case s == "*":
			if len(items) > 1 {
				d.errorf(item, fi, "\"*\" already names every operation; list either \"*\" or operation ids")
			}
			r.all = true
			continue
		}
		name := s
		if method, p, ok := strings.Cut(s, " "); ok {
			name = strings.ToUpper(method) + " " + strings.TrimSpace(p)
		}
		if d.spec != nil {
			op := d.spec.Operation(s)
			if op == nil {
				d.errorf(item, fi, "unknown operation %q%s", s, d.suggestOperation(s))
				continue
			}
			name = op.ID
		}
		if r.ops[name] {
			d.errorf(item, fi, "operation %s is listed twice", name)
			continue
		}
		r.ops[name] = true
		r.Operations = append(r.Operations, name)
		r.touched = append(r.touched, name)
	}
}

// suggestOperation returns "; did you mean …?" or the list of known
// operations, for an unknown operation name.
func (d *decoder) suggestOperation(s string) string {
	var names []string
	for _, op := range d.spec.Operations {
		if strings.Contains(s, " ") {
			names = append(names, op.Method+" "+op.Path)
		} else {
			names = append(names, op.ID)
		}
	}
	if near := closest(s, names, 3); len(near) > 0 {
		return "; did you mean " + quoteList(near, " or ") + "?"
	}
	if len(names) == 0 {
		return "; the spec has no operations"
	}
	if len(names) <= 10 {
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (the spec has %d operations; GET /__decoy/routes lists them)", len(names))
}

// match reads a rule's match block; it returns the key nodes of match.path
// for the spec check.
func (d *decoder) match(n *yaml.Node, field string, m *Match) []*yaml.Node {
	var pathKeys []*yaml.Node
	for _, p := range d.mapping(n, field, matchFields) {
		f := field + "." + p.key
		switch p.key {
		case "path":
			m.Path = d.stringMap(p.v, f, false)
			pathKeys = keysOf(p.v)
		case "query":
			m.Query = d.stringMap(p.v, f, false)
		case "headers":
			m.Headers = d.stringMap(p.v, f, true)
		}
	}
	return pathKeys
}

func (d *decoder) rateLimit(n *yaml.Node, field string) *RateLimit {
	n = deref(n)
	rl := &RateLimit{}
	var limit, window bool
	for _, p := range d.mapping(n, field, rateLimitFields) {
		f := field + "." + p.key
		switch p.key {
		case "limit":
			limit = true
			if v, ok := d.integer(p.v, f); ok {
				switch {
				case v < 1:
					d.errorf(p.v, f, "must be at least 1, got %d", v)
				case v > MaxLimit:
					d.errorf(p.v, f, "must be at most %d, got %d", MaxLimit, v)
				default:
					rl.Limit = v
				}
			}
		case "window":
			window = true
			var w Duration
			if d.text(p.v, f, &w) {
				switch {
				case w <= 0:
					d.errorf(p.v, f, "must be more than 0, got %s", w)
				case time.Duration(w) > MaxWindow:
					d.errorf(p.v, f, "must be at most %s, got %s", MaxWindow, w)
				}
				rl.Window = time.Duration(w)
			}
		case "key":
			d.text(p.v, f, &rl.Key)
		}
	}
	if n.Kind == yaml.MappingNode {
		if !limit {
			d.errorf(n, field, "missing limit (calls allowed per window)")
		}
		if !window {
			d.errorf(n, field, "missing window (e.g. 1m)")
		}
	}
	return rl
}

func (d *decoder) when(n *yaml.Node, field string) When {
	n = deref(n)
	var w When
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value == "always" {
		return w
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, field, "expected always or a mapping with %s, got %s", strings.Join(whenFields, ", "), describe(n))
		return w
	}
	for _, p := range d.mapping(n, field, whenFields) {
		f := field + "." + p.key
		if p.key == "probability" {
			d.text(p.v, f, &w.Probability)
			continue
		}
		v, ok := d.integer(p.v, f)
		if !ok {
			continue
		}
		switch p.key {
		case "after":
			if v < 1 {
				d.errorf(p.v, f, "must be at least 1, got %d (omit after to affect calls from the first)", v)
				continue
			}
			w.After = v
		case "times":
			if v < 1 {
				d.errorf(p.v, f, "must be at least 1, got %d (a rule that affects no call does nothing)", v)
				continue
			}
			w.Times = v
		case "every":
			if v < 2 {
				d.errorf(p.v, f, "must be at least 2, got %d (every: 1 is every call: omit when)", v)
				continue
			}
			w.Every = v
		}
	}
	if w.Every > 0 && w.Probability > 0 {
		d.errorf(n, field, "every and probability both choose which calls are affected; use one")
	}
	return w
}

// combinations rejects fields that contradict each other within a rule.
func (d *decoder) combinations(n *yaml.Node, field string, r *Rule, at *ruleNodes) {
	if at.operations == nil {
		d.errorf(n, field, "missing operations (operation ids, \"METHOD /path\" names, or [\"*\"])")
	}
	if at.status == nil && at.sequence == nil && at.latency == nil && at.fault == nil && at.rateLimit == nil {
		d.errorf(n, field, "a rule needs at least one of status, sequence, latency, fault, rateLimit")
	}
	if at.status != nil && at.sequence != nil {
		d.errorf(at.sequence, field+".sequence", "status and sequence both set the status; use one")
	}
	if at.rateLimit != nil {
		for _, c := range []struct {
			node *yaml.Node
			name string
			why  string
		}{
			{at.status, "status", "a rate limit answers 429 by itself; remove status"},
			{at.sequence, "sequence", "a rate limit answers 429 by itself; remove sequence"},
			{at.fault, "fault", "a fault does not combine with a rate limit; put it in a rule of its own"},
			{at.when, "when", "a rate limit decides by itself which calls get 429; remove when"},
		} {
			if c.node != nil {
				d.errorf(c.node, field+"."+c.name, "%s", c.why)
			}
		}
	}
	if at.fault != nil && (r.Fault == FaultReset || r.Fault == FaultEmpty) {
		if at.status != nil {
			d.errorf(at.status, field+".status", "a %s fault sends no status; remove status, or use fault truncated or malformed", r.Fault)
		}
		if at.headers != nil {
			d.errorf(at.headers, field+".headers", "a %s fault sends no headers; remove headers", r.Fault)
		}
	}
	if at.fault != nil && at.sequence != nil {
		d.errorf(at.fault, field+".fault", "a fault does not combine with a sequence; put it in a rule of its own")
	}
	if at.example != nil && at.status == nil && at.rateLimit == nil {
		d.errorf(at.example, field+".example", "example names an example of status (or of a rate limit's 429); this rule sets neither")
	}
	if at.body != nil {
		switch {
		case at.status == nil && at.rateLimit == nil:
			d.errorf(at.body, field+".body", "body is the answer of status (or of a rate limit's 429); this rule sets neither")
		case at.example != nil:
			d.errorf(at.body, field+".body", "give body or example, not both")
		case at.fault != nil && (r.Fault == FaultReset || r.Fault == FaultEmpty):
			d.errorf(at.body, field+".body", "a %s fault sends no body; remove body", r.Fault)
		}
	}
	if at.allow != nil && r.AllowUndocumented {
		switch {
		case at.status == nil && at.sequence == nil && at.rateLimit == nil:
			d.errorf(at.allow, field+".allowUndocumented", "applies to status, sequence or rateLimit; this rule sets none")
		case at.status != nil && r.Status != 0 && !undocumentable(r.Status):
			d.errorf(at.allow, field+".allowUndocumented", "only a 5xx or 429 may be undocumented; %d must be documented by the operation", r.Status)
		case at.sequence != nil && !slices.ContainsFunc(r.Sequence, undocumentable):
			d.errorf(at.allow, field+".allowUndocumented", "only a 5xx or 429 may be undocumented, and the sequence has neither")
		}
	}
}

// undocumentable reports whether a status may be answered without the spec
// documenting it: a 5xx (any server can fail) or a 429 (any gateway can
// throttle).
func undocumentable(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status <= 599)
}

// checkSpec checks a rule against the operations it names.
func (d *decoder) checkSpec(field string, r *Rule, at *ruleNodes) {
	var targets []*openapi.Operation
	if r.all {
		targets = d.spec.Operations
	} else {
		for _, id := range r.Operations {
			if op := d.spec.Operation(id); op != nil {
				targets = append(targets, op)
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	if r.Status != 0 {
		d.documented(at.status, field+".status", targets, r.Status, r.AllowUndocumented, "")
	}
	for i, status := range r.Sequence {
		if status == 0 {
			continue
		}
		var need []*openapi.Operation
		for _, op := range targets {
			if !isNormal(status, op) {
				need = append(need, op)
			}
		}
		d.documented(at.seqItems[i], fmt.Sprintf("%s.sequence[%d]", field, i), need, status, r.AllowUndocumented, "")
	}
	if r.RateLimit != nil {
		d.documented(at.rateLimit, field+".rateLimit", targets, http.StatusTooManyRequests, r.AllowUndocumented, "a rate limit answers 429: ")
	}
	if r.Body != nil {
		status := r.Status
		if r.RateLimit != nil {
			status = http.StatusTooManyRequests
		}
		if status != 0 {
			d.bodySchema(at.body, field+".body", targets, status, r.Body)
		}
	}
	if r.Example != "" {
		status := r.Status
		if r.RateLimit != nil {
			status = http.StatusTooManyRequests
		}
		if status != 0 {
			d.example(at.example, field+".example", targets, status, r.Example)
		}
	}
	for _, k := range at.pathKeys {
		d.pathParam(k, field+".match.path."+k.Value, targets, r.all)
	}
}

// documented reports the operations of targets that do not document status,
// unless the rule allows it.
func (d *decoder) documented(n *yaml.Node, field string, targets []*openapi.Operation, status int, allow bool, prefix string) {
	if allow && undocumentable(status) {
		return
	}
	var problems []string
	for _, op := range targets {
		if op.Lookup(status) == nil {
			problems = append(problems, fmt.Sprintf("%s does not document %d (documented: %s)", op.ID, status, documentedList(op)))
		}
	}
	if len(problems) == 0 {
		return
	}
	msg := prefix + strings.Join(problems, "; ")
	if undocumentable(status) {
		msg += "; add allowUndocumented: true to answer it as application/problem+json"
	}
	d.errorf(n, field, "%s", msg)
}

func documentedList(op *openapi.Operation) string {
	if len(op.Responses) == 0 {
		return "nothing"
	}
	return strings.Join(op.Statuses(), ", ")
}

// body reads a rule's body: any YAML value, as JSON, with placeholders
// such as {{request.header.X-Namespace}} (see package bodytemplate).
func (d *decoder) body(n *yaml.Node, field string) *bodytemplate.Template {
	var v any
	if err := n.Decode(&v); err != nil {
		d.errorf(n, field, "%v", err)
		return nil
	}
	// Through JSON, so the value is what a JSON body decodes to (float64
	// numbers, string keys).
	raw, err := json.Marshal(v)
	if err != nil {
		d.errorf(n, field, "must be JSON: %v", err)
		return nil
	}
	v = nil
	if err := json.Unmarshal(raw, &v); err != nil {
		d.errorf(n, field, "must be JSON: %v", err)
		return nil
	}
	tpl, err := bodytemplate.Compile(v)
	if err != nil {
		var te *bodytemplate.Error
		if errors.As(err, &te) && te.Pointer != "" {
			d.errorf(n, field+dotted(te.Pointer), "%s", te.Message)
		} else {
			d.errorf(n, field, "%v", err)
		}
		return nil
	}
	return tpl
}

// dotted writes a JSON pointer the way scenario errors name fields:
// "/error/items/0" → ".error.items[0]".
func dotted(ptr string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
		} else {
			b.WriteString("." + tok)
		}
	}
	return b.String()
}

// bodySchema checks that every target documents status with a JSON body
// that body (placeholders and all) matches.
func (d *decoder) bodySchema(n *yaml.Node, field string, targets []*openapi.Operation, status int, body *bodytemplate.Template) {
	var problems []string
	for _, op := range targets {
		resp := op.Lookup(status)
		if resp == nil {
			problems = append(problems, fmt.Sprintf("%s does not document %d, so it has no body to write (an undocumented answer is a problem document)", op.ID, status))
			continue
		}
		var media *openapi.Media
		for _, m := range resp.Content {
			if m.JSON {
				media = m
				break
			}
		}
		if media == nil {
			problems = append(problems, fmt.Sprintf("%s's %s response has no JSON body", op.ID, resp.Code))
			continue
		}
		if media.Schema == nil || media.Schema.Value == nil {
			continue
		}
		if err := d.spec.Validator(openapi.DirResponse).Validate(media.Schema.Value, body.Value()); err != nil {
			problems = append(problems, fmt.Sprintf("does not match %s's %s response: %s", op.ID, resp.Code, openapi.SchemaErrorMessage(err)))
		}
	}
	if len(problems) > 0 {
		d.errorf(n, field, "%s", strings.Join(problems, "; "))
	}
}

// example checks that every target documents an example called name for
// status.
func (d *decoder) example(n *yaml.Node, field string, targets []*openapi.Operation, status int, name string) {
	var problems []string
	for _, op := range targets {
		resp := op.Lookup(status)
		if resp == nil {
			problems = append(problems, fmt.Sprintf("%s does not document %d, so it has no example %q", op.ID, status, name))
			continue
		}
		var names []string
		found := false
		for _, m := range resp.Content {
			for _, ex := range m.Examples {
				if ex.Name == name {
					found = true
				}
				if ex.Name != "" && !slices.Contains(names, ex.Name) {
					names = append(names, ex.Name)
				}
			}
		}
		if found {
			continue
		}
		have := "it has no named examples"
		if len(names) > 0 {
			have = "named examples: " + strings.Join(names, ", ")
		}
		problems = append(problems, fmt.Sprintf("%s's %s response has no example %q (%s; examples that fail their schema are dropped, see decoy validate)", op.ID, resp.Code, name, have))
	}
	if len(problems) > 0 {
		d.errorf(n, field, "%s", strings.Join(problems, "; "))
	}
}

// pathParam checks that a match.path key is a parameter of the path: of
// every target, or of at least one when the rule names every operation.
func (d *decoder) pathParam(k *yaml.Node, field string, targets []*openapi.Operation, all bool) {
	var missing []string
	for _, op := range targets {
		if strings.Contains(op.Path, "{"+k.Value+"}") {
			if all {
				return
			}
			continue
		}
		missing = append(missing, fmt.Sprintf("%s %s", op.ID, op.Path))
	}
	switch {
	case all:
		d.errorf(k, field, "no operation has a path parameter %q", k.Value)
	case len(missing) > 0:
		d.errorf(k, field, "not a path parameter of %s", strings.Join(missing, ", "))
	}
}
