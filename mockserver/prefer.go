package mockserver

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Preferences are the per-request choices a client makes with the Prefer
// header (RFC 7240, in the syntax Prism users know) or, when no Prefer header
// is sent, with the __code, __example, __dynamic, __seed and __scenario query
// parameters.
type Preferences struct {
	// Code is the status to answer with; 0 means the normal one.
	Code int
	// Example names the example to answer with; "" means the first.
	Example string
	// Dynamic is set when the client chose dynamic=true (generate even when an
	// example exists) or dynamic=false; nil means the default (examples first).
	Dynamic *bool
	// Seed replaces the server's seed for generated data; "" means none.
	Seed string
	// Scenario names a scenario for this request; "" means none.
	Scenario string
	// Validate is false when the client asked validate=false: answer even an
	// invalid request normally (its violations are still journaled); nil
	// means the server's setting.
	Validate *bool
	// Applied lists the preferences taken, for the Preference-Applied header.
	Applied []string
}

// preferQueryKeys maps the query fallback names to Prefer keys.
var preferQueryKeys = map[string]string{
	"__code": "code", "__example": "example", "__dynamic": "dynamic",
	"__seed": "seed", "__scenario": "scenario", "__validate": "validate",
}

// ParsePreferences reads the preferences from a Prefer header's values or,
// when there are none, from the query. It returns an error naming the key
// and value for a malformed value; keys it does not know are ignored, as RFC
// 7240 asks.
func ParsePreferences(header []string, query url.Values) (Preferences, error) {
	var p Preferences
	seen := map[string]string{}
	set := func(key, value, from string) error {
		key = strings.ToLower(strings.TrimSpace(key))
		if _, known := prefKeys[key]; !known {
			return nil
		}
		if prev, dup := seen[key]; dup && prev != value {
			return fmt.Errorf("%s: %q is given twice with different values (%q and %q)", from, key, prev, value)
		}
		seen[key] = value
		if err := p.set(key, value, from); err != nil {
			return err
		}
		p.Applied = append(p.Applied, key+"="+quoteIfNeeded(value))
		return nil
	}
	if len(header) > 0 {
		for _, h := range header {
			for _, tok := range splitPrefer(h) {
				tok = strings.TrimSpace(tok)
				if tok == "" {
					continue
				}
				key, value, ok := strings.Cut(tok, "=")
				if !ok {
					// A bare token such as "respond-async" is a preference
					// Decoy does not act on.
					continue
				}
				if err := set(key, unquote(strings.TrimSpace(value)), "Prefer header"); err != nil {
					return Preferences{}, err
				}
			}
		}
		return p, nil
	}
	for q, key := range preferQueryKeys {
		vals, ok := query[q]
		if !ok {
			continue
		}
		if len(vals) > 1 {
			return Preferences{}, fmt.Errorf("query parameter %s is given %d times; give it once", q, len(vals))
		}
		if err := set(key, vals[0], "query parameter "+q); err != nil {
			return Preferences{}, err
		}
	}
	return p, nil
}

var prefKeys = map[string]struct{}{"code": {}, "example": {}, "dynamic": {}, "seed": {}, "scenario": {}, "validate": {}}

func (p *Preferences) set(key, value, from string) error {
	switch key {
	case "code":
		n, err := strconv.Atoi(value)
		if err != nil || n < 100 || n > 599 || len(value) != 3 {
			return fmt.Errorf("%s: code=%q is not an HTTP status code (100 to 599)", from, value)
		}
		p.Code = n
	case "example":
		if value == "" {
			return fmt.Errorf("%s: example= needs the name of an example", from)
		}
		p.Example = value
	case "dynamic":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s: dynamic=%q must be true or false", from, value)
		}
		p.Dynamic = &b
	case "validate":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s: validate=%q must be true or false", from, value)
		}
		p.Validate = &b
	case "seed":
		if value == "" {
			return fmt.Errorf("%s: seed= needs a value", from)
		}
		p.Seed = value
	case "scenario":
		if value == "" {
			return fmt.Errorf("%s: scenario= needs the name of a scenario", from)
		}
		p.Scenario = value
	}
	return nil
}

// splitPrefer splits a Prefer value on commas and semicolons outside quotes.
func splitPrefer(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',', ';':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, " ,;\"=") {
		return strconv.Quote(s)
	}
	return s
}

// stripPreferQuery removes the __ query fallbacks from u and from q, its
// parsed query, so that they are never validated as the operation's own
// parameters.
func stripPreferQuery(u *url.URL, q url.Values) {
	if !strings.Contains(u.RawQuery, "__") {
		return
	}
	changed := false
	for k := range preferQueryKeys {
		if _, ok := q[k]; ok {
			q.Del(k)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}
