package openapi

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlclark/regexp2/v2"
	"github.com/getkin/kin-openapi/openapi3"
)

func TestCompilePatternMatches(t *testing.T) {
	tests := []struct {
		name, expr string
		ecma       bool // needs the ECMAScript engine
		match      []string
		noMatch    []string
	}{
		{"plain RE2", `^[a-z]+$`, false, []string{"abc"}, []string{"", "ab1"}},
		{"negative lookahead", `^(?!foo)[a-z]+$`, true, []string{"bar", "fo", "afoo"}, []string{"foobar", "foo", ""}},
		{"positive lookahead", `^(?=.*\d)[a-z0-9]{3}$`, true, []string{"ab1", "123"}, []string{"abc", "ab12"}},
		{"positive lookbehind", `(?<=\$)\d+`, true, []string{"$12", "cost $5"}, []string{"12", "$"}},
		{"negative lookbehind", `^\w+(?<!_)$`, true, []string{"abc"}, []string{"abc_"}},
		{"backreference", `^(\w)\1$`, true, []string{"aa", "77"}, []string{"ab", "a"}},
		{"named backreference", `^(?<q>['"]).*\k<q>$`, true, []string{`"x"`, `''`}, []string{`"x'`}},
		{"repeat count above 1000", `^[a-z]{1,2097152}$`, true, []string{"a", strings.Repeat("z", 5000)}, []string{"", "A"}},
		{"ECMAScript any char", `^[^]$`, true, []string{"\n", "a"}, []string{"", "ab"}},
		// RE2 compiles these too, as other classes: `[^]a]` is "not ] or a".
		{"any char then a]", `^[^]a]$`, true, []string{"xa]", "]a]"}, []string{"x", "b"}},
		{"empty class", `^a[]?$`, true, []string{"a"}, []string{"a]", "a[]"}},
		{"control escape", `^\cJ$`, true, []string{"\n"}, []string{"J"}},
		{"unicode escape upper", `^\u00C9$`, false, []string{"É"}, []string{"E"}},
		{"unicode escape lower", `^\u00e9$`, false, []string{"é"}, []string{"e"}},
		{"escaped backslash then u", `^\\u0041$`, false, []string{`\u0041`}, []string{"A"}},
		{"unanchored", `\d{3}`, false, []string{"a123b"}, []string{"12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompilePattern(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if p.ECMAScript() != tt.ecma {
				t.Errorf("ECMAScript() = %v, want %v", p.ECMAScript(), tt.ecma)
			}
			if p.String() != tt.expr {
				t.Errorf("String() = %q, want %q", p.String(), tt.expr)
			}
			for _, s := range tt.match {
				if ok, err := p.Match(s); !ok || err != nil {
					t.Errorf("Match(%q) = %v, %v; want true", s, ok, err)
				}
			}
			for _, s := range tt.noMatch {
				if ok, err := p.Match(s); ok || err != nil {
					t.Errorf("Match(%q) = %v, %v; want false", s, ok, err)
				}
			}
		})
	}
}

func TestCompilePatternRefusesWhatNoEngineCompiles(t *testing.T) {
	for _, expr := range []string{`(`, `[z-a]`, `a**`, `a{2,1}`} {
		t.Run(expr, func(t *testing.T) {
			p, err := CompilePattern(expr)
			if err == nil {
				t.Fatalf("compiled to %v", p)
			}
			if m, err := compilePattern(expr); m != nil || err == nil {
				t.Errorf("compilePattern = %v, %v; want a nil matcher and an error", m, err)
			}
			// Given to kin-openapi, the pattern is ignored.
			m, err := schemaPattern(expr)
			if err != nil || !m.MatchString("anything") {
				t.Errorf("schemaPattern = %v, %v; want a matcher that accepts everything", m, err)
			}
		})
	}
}

// TestCatastrophicPatternReturns: a pattern that backtracks exponentially
// must give an answer (no match, with an error saying why) in bounded
// time; the test asserts that it returns, not how fast.
func TestCatastrophicPatternReturns(t *testing.T) {
	input := strings.Repeat("a", 28) + "!"
	// RE2 compiles this one, and runs it in linear time.
	p, err := CompilePattern(`^(a+)+$`)
	if err != nil || p.ECMAScript() {
		t.Fatalf("CompilePattern = %v, %v; want RE2", p, err)
	}
	if p.MatchString(input) {
		t.Error("matched")
	}
	// The lookahead forces the backtracking engine.
	for _, expr := range []string{`^(?=a)(a+)+$`, `^(a+)+\1$`, `^(a|aa)+(?!b)$`} {
		p, err := CompilePattern(expr)
		if err != nil || !p.ECMAScript() {
			t.Fatalf("CompilePattern(%q) = %v, %v; want ECMAScript", expr, p, err)
		}
		ok, err := p.Match(input)
		if ok {
			t.Errorf("%s matched %q", expr, input)
		}
		if err != nil && !errors.Is(err, ErrPatternTimeout) {
			t.Errorf("%s: error %v does not wrap ErrPatternTimeout", expr, err)
		}
		if p.MatchString(input) {
			t.Errorf("%s: MatchString = true", expr)
		}
	}
}

// TestPatternEnginesAgree: where RE2 compiles a pattern, regexp2 in
// ECMAScript mode, the engine of the others, says the same of every input
// (on patterns and inputs where ECMAScript and RE2 mean the same: ASCII
// classes, no \s or `.` against \r or Unicode spaces).
func TestPatternEnginesAgree(t *testing.T) {
	patterns := []string{
		`^[a-z]+$`, `^\d{3}-\d{4}$`, `^[A-Z][a-z]*( [A-Z][a-z]*)*$`, `\bword\b`, `^(ab|cd)+e?$`,
		`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`, `^\w+$`, `^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$`,
		`^(?:\+|-)?\d+(?:\.\d+)?$`, `a.c`, `^$`, `x*?y`, `^[\w.-]{1,64}$`, `(foo|foobar)$`, `^a{2,3}$`,
		`^\u0041+$`, `^[^\]a]$`, `^\$\{[a-z]+\}$`, `^/api/v[0-9]+/`,
	}
	inputs := []string{
		"", "a", "abc", "ABC", "Abc Def", "abc def", "123-4567", "12-34567", "word", "a word here", "swordfish",
		"abab", "abcde", "cde", "user@example.com", "a@b", "foo_bar", "foo-bar", "x", "xy", "xxy",
		"01234567-89ab-cdef-0123-456789abcdef", "+1.5", "-2", "1.", "abc", "a-c", "foobar", "foo", "aa", "aaa", "aaaa",
		"AAA", "b", "]", "${abc}", "${}", "/api/v2/users", "/api/vx/", "é", "日本",
	}
	for _, expr := range patterns {
		re, err := regexp.Compile(goPattern(expr))
		if err != nil {
			t.Fatalf("RE2 does not compile %q: %v", expr, err)
		}
		ecma, err := regexp2.Compile(expr, regexp2.ECMAScript)
		if err != nil {
			t.Fatalf("ECMAScript does not compile %q: %v", expr, err)
		}
		p, err := CompilePattern(expr)
		if err != nil || p.ECMAScript() {
			t.Fatalf("CompilePattern(%q) = %v, %v; want RE2", expr, p, err)
		}
		for _, in := range inputs {
			want, err := ecma.MatchString(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := re.MatchString(in); got != want {
				t.Errorf("%q against %q: RE2 %v, ECMAScript %v", expr, in, got, want)
			}
			if got := p.MatchString(in); got != want {
				t.Errorf("%q against %q: Pattern %v, ECMAScript %v", expr, in, got, want)
			}
		}
	}
}

func TestApproximateRE2(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`^(?!foo)[a-z]+$`, `^[a-z]+$`},
		{`^(?=.*\d)(?=.*[a-z])[a-z\d]{8,}$`, `^[a-z\d]{8,}$`},
		{`(?<=\$)\d+(?<!0)`, `\d+`},
		{`^(\w)\1$`, `^(\w)$`},
		{`^[a-z]{1,2097152}$`, `^[a-z]{1,1000}$`},
		{`^.{5000}$`, `^.{1000}$`},
		{`^\u00e9\u{1F600}\cJ\0$`, `^\x{00e9}\x{1F600}\x{a}\x{0}$`},
		{`^[^]$`, `^[\x{0}-\x{10FFFF}]$`},
		{`^(?<q>a)\k<q>$`, `^(?<q>a)$`},
		{`^[\b]\/x{,3}$`, `^[\x{8}]\/x\{,3}$`},
		{`^(?![(]\))a$`, `^a$`},
	}
	for _, tt := range tests {
		got, ok := approximateRE2(tt.expr)
		if !ok || got != tt.want {
			t.Errorf("approximateRE2(%q) = %q, %v; want %q", tt.expr, got, ok, tt.want)
		}
	}
	for _, bad := range []string{`(?!a`, `a\`, `\k<a`} {
		if got, ok := approximateRE2(bad); ok {
			t.Errorf("approximateRE2(%q) = %q, want none", bad, got)
		}
	}
}

func TestPatternGenerator(t *testing.T) {
	p, err := CompilePattern(`^(?!foo)[a-z]{3,2000}$`)
	if err != nil {
		t.Fatal(err)
	}
	if g := p.Generator(); g == nil || g.String() != `^[a-z]{3,1000}$` {
		t.Errorf("Generator() = %v", g)
	}
	p, err = CompilePattern(`^[a-z]$`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Generator() != p.RE2() || p.RE2() == nil {
		t.Error("an RE2 pattern generates from itself")
	}
}

func TestPatternCacheIsBounded(t *testing.T) {
	c := &patternCache{entries: make(map[string]patternResult)}
	for i := range maxCachedPatterns + 100 {
		if _, err := c.compile("^a{" + strings.Repeat("1", 1+i%3) + "}" + string(rune('a'+i%26)) + strings.Repeat("b", i/78) + "$"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.entries); n > maxCachedPatterns {
		t.Errorf("%d cached patterns, want at most %d", n, maxCachedPatterns)
	}
	if _, err := c.compile("^" + strings.Repeat("a", maxCachedPatternLen) + "$"); err != nil {
		t.Fatal(err)
	}
	for k := range c.entries {
		if len(k) > maxCachedPatternLen {
			t.Error("a pattern longer than maxCachedPatternLen was cached")
		}
	}
	// The result of a failed compile is cached too, and stays a failure.
	for range 2 {
		if _, err := c.compile("("); err == nil {
			t.Error("( compiled")
		}
	}
}

const patternSpec = `openapi: 3.0.3
info: {title: patterns, version: "1"}
paths:
  /a/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: {type: string, pattern: '^(?!foo)[a-z]+$'}
    get:
      parameters:
        - name: q
          in: query
          schema: {type: string, pattern: '('}
        - name: r
          in: query
          schema: {type: string, pattern: '^[a-z]+$'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      properties:
        code: {type: string, pattern: '^(\w)\1$', default: aa}
        big: {type: string, pattern: '^[a-z]{1,2097152}$'}
`

func TestPatternFindings(t *testing.T) {
	fsys := fstest.MapFS{"openapi.yaml": {Data: []byte(patternSpec)}}
	spec, err := Load(fsys, "openapi.yaml", LoadOptions{})
	if err != nil {
		t.Fatalf("a spec with ECMAScript patterns must load: %v", err)
	}
	want := map[string]string{
		"/components/schemas/Thing/properties/big/pattern":  "ECMAScript engine",
		"/components/schemas/Thing/properties/code/pattern": "ECMAScript engine",
		"/paths/~1a~1{id}/parameters/0/schema/pattern":      "ECMAScript engine",
		"/paths/~1a~1{id}/get/parameters/0/schema/pattern":  "Decoy ignores this pattern",
	}
	got := map[string]Finding{}
	for _, f := range spec.Findings {
		if f.Class == ClassPattern {
			if _, dup := got[f.Pointer]; dup {
				t.Errorf("finding reported twice: %v", f)
			}
			got[f.Pointer] = f
		}
	}
	for ptr, msg := range want {
		f, ok := got[ptr]
		if !ok {
			t.Errorf("no finding at %s; got %v", ptr, spec.Findings)
			continue
		}
		if !strings.Contains(f.Message, msg) {
			t.Errorf("finding at %s says %q, want it to mention %q", ptr, f.Message, msg)
		}
		if !strings.HasPrefix(f.Where, "openapi.yaml:") {
			t.Errorf("finding at %s is at %q, want a place in openapi.yaml", ptr, f.Where)
		}
	}
	if len(got) != len(want) {
		t.Errorf("pattern findings = %v, want %d", got, len(want))
	}
	if f := got["/paths/~1a~1{id}/parameters/0/schema/pattern"]; f.Where != "openapi.yaml:9:32" {
		t.Errorf("parameter pattern finding at %q, want the pattern's own place openapi.yaml:9:32", f.Where)
	}
}

// TestPatternOptionValidates: the options Decoy hands to kin-openapi match
// ECMAScript patterns instead of failing on them, and ignore a pattern no
// engine compiles.
func TestPatternOptionValidates(t *testing.T) {
	s := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Pattern: `^(?!foo)[a-z]+$`}
	for _, v := range []*Validator{NewValidator(ValidatorOptions{}), NewValidator(ValidatorOptions{OpenAPI31: true})} {
		if err := v.Validate(s, "bar"); err != nil {
			t.Errorf("bar: %v", err)
		}
		err := v.Validate(s, "foobar")
		if err == nil || !strings.Contains(err.Error(), "regular expression") {
			t.Errorf("foobar: %v, want a pattern error", err)
		}
	}
	ignored := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Pattern: `(`}
	if err := ignored.VisitJSON("x", PatternOption()); err != nil {
		t.Errorf("an uncompilable pattern is ignored, got %v", err)
	}
}

// FuzzCompilePattern: any pattern either compiles or is refused, never
// panics, and matching any input returns (within the match timeout).
func FuzzCompilePattern(f *testing.F) {
	for _, s := range []string{`^(?!foo)[a-z]+$`, `(?<=\$)\d+`, `^(\w)\1$`, `^[a-z]{1,2097152}$`, `(`, `^(a+)+$`,
		`^[^]a]$`, `\u00e9\cJ\0`, `(?<n>a)\k<n>`, `[\b]{,3}`, `^(?=a)(a+)+$`} {
		f.Add(s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
	}
	f.Fuzz(func(t *testing.T, expr, input string) {
		if len(expr) > 1<<10 || len(input) > 1<<12 {
			return
		}
		p, err := CompilePattern(expr)
		if err != nil {
			if p != nil {
				t.Fatal("a pattern and an error")
			}
			return
		}
		if ok, err := p.Match(input); ok && err != nil {
			t.Fatalf("%q against %q: a match and an error %v", expr, input, err)
		}
		if g := p.Generator(); g != nil && !p.ECMAScript() && g != p.RE2() {
			t.Fatal("an RE2 pattern generates from something else")
		}
		if src, ok := approximateRE2(expr); ok {
			if _, err := regexp.Compile(src); err != nil {
				t.Fatalf("approximation %q of %q does not compile: %v", src, expr, err)
			}
		}
	})
}
