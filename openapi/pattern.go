package openapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPI's `pattern` is an ECMA-262 regular expression. Go's regexp (RE2)
// compiles most real patterns, runs in linear time and is what kin-openapi
// uses, so a pattern RE2 compiles is matched by RE2. The rest (lookahead,
// lookbehind, backreferences, repeat counts above 1000, `[^]`, `\cX`...)
// are matched by regexp2 in ECMAScript mode, a backtracking engine: each
// match is bounded by PatternTimeout, and a match that runs out of time, or
// out of backtracking stack, counts as not matching. A contract-testing tool
// must not accept what it could not check; the value is then reported as a
// pattern violation, never silently let through, and never allowed to stall
// the request. A pattern neither engine compiles is ignored: it matches
// everything, and Load reports it (patternFinding).
//
// Where both engines compile a pattern they mostly agree on what it
// matches (TestPatternEnginesAgree). Two known differences remain: in
// ECMAScript `\s` also matches Unicode spaces and `.` refuses \r, U+2028
// and U+2029; Decoy keeps RE2's reading there, as kin-openapi does. A class
// that starts with "]" or "^]" (`[]`, `[^]`) RE2 compiles too, but with
// another meaning, so such a pattern goes to the ECMAScript engine.
// Timed-out matches are reported with kin-openapi's usual "doesn't match"
// wording; the pattern's finding says why that can happen.

// PatternTimeout bounds one match of a pattern that needs the ECMAScript
// engine. The engine checks its clock coarsely (about every 100ms), so a
// runaway match returns within a few hundred milliseconds.
const PatternTimeout = 100 * time.Millisecond

// Pattern is a compiled OpenAPI pattern. It is safe for concurrent use.
type Pattern struct {
	expr string
	re2  *regexp.Regexp
	ecma *regexp2.Regexp
	// approx approximates ecma in RE2, for generating data; may be nil.
	approx *regexp.Regexp
}

// ErrPatternTimeout is wrapped by the error Pattern.Match returns when the
// ECMAScript engine could not decide in time (or within its backtracking
// stack) whether a string matches.
var ErrPatternTimeout = errors.New("pattern could not be evaluated in time")

// CompilePattern compiles an OpenAPI (ECMA-262) pattern, with RE2 when it
// can and else with an ECMAScript engine. It returns an error, naming both
// engines' complaints, when neither compiles expr. Results are cached.
func CompilePattern(expr string) (*Pattern, error) {
	return patterns.compile(expr)
}

// String returns the pattern as written in the spec.
func (p *Pattern) String() string { return p.expr }

// ECMAScript reports whether p needs the ECMAScript engine (RE2 cannot
// compile it).
func (p *Pattern) ECMAScript() bool { return p.ecma != nil }

// RE2 returns the Go regexp p is matched with, or nil when p needs the
// ECMAScript engine.
func (p *Pattern) RE2() *regexp.Regexp { return p.re2 }

// Match reports whether s contains a match of p. Its error wraps
// ErrPatternTimeout when the ECMAScript engine gave up; the match result is
// then false.
func (p *Pattern) Match(s string) (bool, error) {
	if p.re2 != nil {
		return p.re2.MatchString(s), nil
	}
	ok, err := p.ecma.MatchString(s)
	if err != nil {
		return false, fmt.Errorf("pattern %q: %w: %w", p.expr, ErrPatternTimeout, err)
	}
	return ok, nil
}

// MatchString reports whether s contains a match of p; a match the
// ECMAScript engine could not decide in time is false (see Match).
func (p *Pattern) MatchString(s string) bool {
	ok, _ := p.Match(s)
	return ok
}

// compilePattern is CompilePattern with kin-openapi's RegexCompilerFunc
// signature. On failure it returns a nil interface, never a typed nil.
func compilePattern(expr string) (openapi3.RegexMatcher, error) {
	p, err := CompilePattern(expr)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// schemaPattern is the compiler Decoy hands to kin-openapi: compilePattern,
// except that a pattern no engine compiles matches everything. Such a
// pattern is a flaw of the spec, reported once at load as a finding
// (patternFinding), and Decoy serves around it rather than refuse the
// document or fail every request that meets it.
func schemaPattern(expr string) (openapi3.RegexMatcher, error) {
	if m, err := compilePattern(expr); err == nil {
		return m, nil
	}
	return anyString{}, nil
}

// anyString is the matcher of an ignored pattern.
type anyString struct{}

func (anyString) MatchString(string) bool { return true }
func (anyString) String() string          { return "" }

// PatternOption is the schema validation option that makes
// Schema.VisitJSON match patterns as Decoy does. Every VisitJSON call on a
// spec's schemas should carry it: kin-openapi's own compiler refuses
// ECMAScript-only patterns.
func PatternOption() openapi3.SchemaValidationOption {
	return openapi3.SetSchemaRegexCompiler(schemaPattern)
}

// patternValidationOption is PatternOption for doc.Validate.
func patternValidationOption() openapi3.ValidationOption {
	return openapi3.SetRegexCompiler(schemaPattern)
}

// patterns caches compiled patterns for the whole process. It is a memo of
// a pure function (the same expression always compiles the same way), so
// sharing it changes no behaviour; it only spares recompiling the patterns
// of a spec on every reload and for every validator that meets them.
var patterns = &patternCache{entries: make(map[string]patternResult)}

// Bounds of the pattern cache: a spec with more distinct patterns still
// works, recompiling what no longer fits, and a huge pattern is never kept.
const (
	maxCachedPatterns   = 4096
	maxCachedPatternLen = 16 << 10
)

type patternResult struct {
	p   *Pattern
	err error
}

type patternCache struct {
	mu      sync.RWMutex
	entries map[string]patternResult
}

func (c *patternCache) compile(expr string) (*Pattern, error) {
	c.mu.RLock()
	r, ok := c.entries[expr]
	c.mu.RUnlock()
	if ok {
		return r.p, r.err
	}
	p, err := newPattern(expr)
	if len(expr) <= maxCachedPatternLen {
		c.mu.Lock()
		defer c.mu.Unlock()
		for k := range c.entries {
			if len(c.entries) < maxCachedPatterns {
				break
			}
			delete(c.entries, k) // an arbitrary one: Go's map order
		}
		c.entries[expr] = patternResult{p, err}
	}
	return p, err
}

func newPattern(expr string) (*Pattern, error) {
	re, err2 := regexp.Compile(goPattern(expr))
	if err2 == nil && !emptyClassStart(expr) {
		return &Pattern{expr: expr, re2: re}, nil
	}
	if err2 == nil {
		err2 = errors.New("RE2 reads [] and [^] differently")
	}
	ecma, errE := compileECMAScript(expr)
	if errE != nil {
		return nil, fmt.Errorf("pattern %q compiles neither as RE2 (%v) nor as ECMAScript (%v)", expr, err2, errE)
	}
	p := &Pattern{expr: expr, ecma: ecma}
	if src, ok := approximateRE2(expr); ok {
		p.approx, _ = regexp.Compile(src)
	}
	return p, nil
}

// emptyClassStart reports whether expr has a character class that starts
// with "]" or "^]". ECMAScript reads `[]` as the empty class and `[^]` as
// any character; RE2 takes the "]" as a member, so it compiles `[^]a]`,
// but as "neither ] nor a", which is not what the pattern means.
func emptyClassStart(expr string) bool {
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case '[':
			rest := expr[i+1:]
			if strings.HasPrefix(rest, "]") || strings.HasPrefix(rest, "^]") {
				return true
			}
			// Skip the class: "]" ends it, unless escaped.
			for i++; i < len(expr) && expr[i] != ']'; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
		}
	}
	return false
}

// compileECMAScript compiles expr with regexp2 in ECMAScript mode, with a
// match timeout. regexp2 must not bring the server down, so a panic while
// compiling is an error.
func compileECMAScript(expr string) (re *regexp2.Regexp, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, err = nil, fmt.Errorf("ECMAScript engine failed: %v", r)
		}
	}()
	re, err = regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = PatternTimeout
	return re, nil
}

// goPattern rewrites ECMAScript's \uXXXX escapes, which RE2 does not know,
// into \x{XXXX}, as kin-openapi does; unlike kin's rewrite it leaves alone
// an escaped backslash followed by "u" (`\\u0041` is a backslash and
// "u0041") and accepts lowercase hex digits.
func goPattern(expr string) string {
	if !strings.Contains(expr, `\u`) {
		return expr
	}
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c != '\\' || i+1 >= len(expr) {
			b.WriteByte(c)
			continue
		}
		if expr[i+1] == 'u' && i+6 <= len(expr) && isHex4(expr[i+2:i+6]) {
			b.WriteString(`\x{`)
			b.WriteString(expr[i+2 : i+6])
			b.WriteString(`}`)
			i += 5
			continue
		}
		b.WriteByte(c)
		b.WriteByte(expr[i+1])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := range 4 {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// patternFinding is the finding of s's pattern if Decoy cannot match it
// with RE2.
func patternFinding(ptr string, s *openapi3.Schema) (Finding, bool) {
	if s.Pattern == "" {
		return Finding{}, false
	}
	p, err := CompilePattern(s.Pattern)
	if err == nil && !p.ECMAScript() {
		return Finding{}, false
	}
	f := Finding{Where: where(s.Origin), Pointer: ptr + "/pattern", Class: ClassPattern}
	if s.Origin != nil {
		if at, ok := s.Origin.Fields.Lookup("pattern"); ok && at.Line > 0 {
			f.Where = fmt.Sprintf("%s:%d:%d", at.File, at.Line, at.Column)
		}
	}
	if err != nil {
		f.Message = fmt.Sprintf("%v; Decoy ignores this pattern", err)
	} else {
		f.Message = fmt.Sprintf("pattern %q uses ECMAScript syntax Go's RE2 engine does not support; Decoy matches it with an ECMAScript engine, and a value it cannot judge within %v counts as not matching", s.Pattern, PatternTimeout)
	}
	return f, true
}

// Generator returns an RE2 expression whose strings are candidates for p,
// for generating data: p itself when RE2 compiles it, else an
// approximation of it (approximateRE2). Candidates of an approximation
// must be checked with p. It returns nil when there is no approximation.
func (p *Pattern) Generator() *regexp.Regexp {
	if p.re2 != nil {
		return p.re2
	}
	return p.approx
}

// approximateRE2 rewrites an ECMAScript pattern into an RE2 one that
// matches a superset of most of its strings, for generating candidates:
// lookarounds and backreferences are dropped, repeat counts are capped at
// RE2's 1000, and escapes RE2 lacks (\uXXXX, \u{X}, \cX, \0, [^], [\b])
// become their RE2 spelling. It returns false when the result does not
// compile as RE2 or the pattern is malformed.
func approximateRE2(expr string) (string, bool) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\':
			if i+1 >= len(expr) {
				return "", false
			}
			n := approxEscape(&b, expr[i+1:], inClass)
			if n == 0 {
				return "", false
			}
			i += n
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			if strings.HasPrefix(expr[i:], "[^]") {
				b.WriteString(`[\x{0}-\x{10FFFF}]`)
				i += 2
				inClass = false
				continue
			}
			b.WriteByte(c)
			if i+1 < len(expr) && expr[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				b.WriteString(`\]`) // ECMAScript's [] matches nothing; rare
				i++
			}
		case c == '(' && (strings.HasPrefix(expr[i:], "(?=") || strings.HasPrefix(expr[i:], "(?!") ||
			strings.HasPrefix(expr[i:], "(?<=") || strings.HasPrefix(expr[i:], "(?<!")):
			end := groupEnd(expr, i)
			if end < 0 {
				return "", false
			}
			i = end
			// A quantified lookaround is still a lookaround.
			if i+1 < len(expr) && strings.IndexByte("*+?", expr[i+1]) >= 0 {
				i++
				if i+1 < len(expr) && expr[i+1] == '?' {
					i++
				}
			}
		case c == '{':
			q, n, ok := capRepeat(expr[i:])
			if !ok {
				b.WriteString(`\{`) // a literal brace, as ECMAScript reads it
				continue
			}
			b.WriteString(q)
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if _, err := regexp.Compile(out); err != nil {
		return "", false
	}
	return out, true
}

// approxEscape writes the RE2 form of the escape at the start of rest (the
// text after a backslash) and returns how many bytes of rest it used, 0
// when it is malformed.
func approxEscape(b *strings.Builder, rest string, inClass bool) int {
	c := rest[0]
	switch {
	case c == 'u' && strings.HasPrefix(rest, "u{"):
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return 0
		}
		b.WriteString(`\x{` + rest[2:end] + `}`)
		return end + 1
	case c == 'u' && len(rest) >= 5 && isHex4(rest[1:5]):
		b.WriteString(`\x{` + rest[1:5] + `}`)
		return 5
	case c == 'c' && len(rest) >= 2 && ('a' <= rest[1]|0x20 && rest[1]|0x20 <= 'z'):
		fmt.Fprintf(b, `\x{%x}`, rest[1]%32)
		return 2
	case c == '0' && (len(rest) < 2 || rest[1] < '0' || rest[1] > '9'):
		b.WriteString(`\x{0}`)
		return 1
	case c >= '1' && c <= '9':
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if inClass {
			b.WriteString(`\x{` + rest[:n] + `}`) // octal-ish in a class; rare
		}
		return n // a backreference: dropped
	case c == 'k' && strings.HasPrefix(rest, "k<"):
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return 0
		}
		return end + 1 // a named backreference: dropped
	case c == 'b' && inClass:
		b.WriteString(`\x{8}`)
		return 1
	case c == '/' || c == '-':
		b.WriteByte('\\')
		b.WriteByte(c)
		return 1
	case strings.IndexByte(`dDwWsSbBtnrfv`, c) >= 0:
		b.WriteByte('\\')
		b.WriteByte(c)
		return 1
	case c == 'x' && len(rest) >= 3 && isHex4("00"+rest[1:3]):
		b.WriteString(`\x` + rest[1:3])
		return 3
	case c == 'p' || c == 'P':
		// \p{...}: RE2 knows the general categories and scripts.
		if end := strings.IndexByte(rest, '}'); strings.HasPrefix(rest[1:], "{") && end > 0 {
			b.WriteString(`\` + rest[:end+1])
			return end + 1
		}
	}
	if c < 0x80 {
		// An identity escape: the character itself.
		b.WriteString(regexp.QuoteMeta(string(c)))
		return 1
	}
	return 0
}

// groupEnd returns the index of the ')' closing the group opened at
// expr[start], or -1.
func groupEnd(expr string, start int) int {
	depth, inClass := 0, false
	for i := start; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// capRepeat reads a {n}, {n,} or {n,m} quantifier at the start of s and
// returns it with its counts capped at 1000 and its length; false when s
// does not start with one.
func capRepeat(s string) (string, int, bool) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0, false
	}
	body := s[1:end]
	lo, hi, comma := strings.Cut(body, ",")
	if !digits(lo) || comma && hi != "" && !digits(hi) {
		return "", 0, false
	}
	cap1000 := func(d string) string {
		d = strings.TrimLeft(d, "0")
		if d == "" {
			return "0"
		}
		if len(d) > 4 || len(d) == 4 && d > "1000" {
			return "1000"
		}
		return d
	}
	q := "{" + cap1000(lo)
	if comma {
		q += ","
		if hi != "" {
			q += cap1000(hi)
		}
	}
	return q + "}", end + 1, true
}
