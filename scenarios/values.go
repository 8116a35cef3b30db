package scenarios

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a way of breaking the connection instead of answering.
type Fault int

// The faults a rule can inject. The mock carries them out; this package only
// decides which.
const (
	FaultNone      Fault = iota // answer normally
	FaultReset                  // reset the connection (TCP RST) without a reply
	FaultEmpty                  // close the connection without a reply
	FaultTruncated              // send the headers and half the body, then close
	FaultMalformed              // send a body that is not valid for its content type
)

var faultNames = [...]string{"none", "reset", "empty", "truncated", "malformed"}

// String returns the fault's name as written in a scenario file.
func (f Fault) String() string {
	if f < 0 || int(f) >= len(faultNames) {
		return "fault(" + strconv.Itoa(int(f)) + ")"
	}
	return faultNames[f]
}

// MarshalText returns the fault's name.
func (f Fault) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText parses a fault name; an unknown name is an error listing the
// known ones.
func (f *Fault) UnmarshalText(b []byte) error {
	s := string(b)
	for i, name := range faultNames {
		if s == name {
			*f = Fault(i)
			return nil
		}
	}
	return fmt.Errorf("unknown fault %q (known: %s)", s, strings.Join(faultNames[1:], ", "))
}

// Latency is a delay before answering: a fixed duration (Min == Max) or a
// range to pick from uniformly, reproducibly for a seed.
type Latency struct {
	Min, Max time.Duration
}

// IsZero reports whether l adds no delay.
func (l Latency) IsZero() bool { return l.Max == 0 }

// String returns l as written in a scenario file: "300ms" or "100ms..2s".
func (l Latency) String() string {
	if l.Min == l.Max {
		return l.Min.String()
	}
	return l.Min.String() + ".." + l.Max.String()
}

// MarshalText returns l.String().
func (l Latency) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses "300ms" or "100ms..2s". A negative duration or a
// range whose end comes before its start is an error.
func (l *Latency) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	first, second, isRange := strings.Cut(s, "..")
	lo, err := parseDuration(first)
	if err != nil {
		return fmt.Errorf("%q is not a duration or a range like 100ms..2s%s", s, unitHint(first, err))
	}
	hi := lo
	if isRange {
		if hi, err = parseDuration(second); err != nil {
			return fmt.Errorf("%q is not a duration or a range like 100ms..2s%s", s, unitHint(second, err))
		}
	}
	if lo < 0 || hi < 0 {
		return fmt.Errorf("latency %q must not be negative", s)
	}
	if hi < lo {
		return fmt.Errorf("latency range %q runs backwards; write %s..%s", s, hi, lo)
	}
	if hi > MaxLatency {
		return fmt.Errorf("latency %q is longer than the limit of %s: a client would have given up long before", s, MaxLatency)
	}
	*l = Latency{Min: lo, Max: hi}
	return nil
}

// MaxLatency bounds a rule's latency, and MaxWindow a rate limit's window:
// longer values are typos (1000h for 1000ms), and the server's write
// timeout must outlast the longest latency.
const (
	MaxLatency = 10 * time.Minute
	MaxWindow  = 31 * 24 * time.Hour
)

// Pick returns the delay for the random value u: Min plus u modulo the
// width of the range.
func (l Latency) Pick(u uint64) time.Duration {
	if l.Max <= l.Min {
		return l.Min
	}
	width := uint64(l.Max-l.Min) + 1 // at most 2^63: both are non-negative
	return l.Min + time.Duration(u%width)
}

// Duration is a time.Duration that parses from text ("1m", "500ms"), for
// rate-limit windows. Negative durations are rejected.
type Duration time.Duration

// String returns the duration as time.Duration prints it.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText returns d.String().
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration such as "1m30s"; an error says what is
// wrong, e.g. a missing unit.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := parseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 1m or 500ms%s", s, unitHint(s, err))
	}
	if v < 0 {
		return fmt.Errorf("duration %q must not be negative", s)
	}
	*d = Duration(v)
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	return time.ParseDuration(strings.TrimSpace(s))
}

// unitHint explains the most common mistake, a bare number.
func unitHint(s string, err error) string {
	if _, perr := strconv.ParseFloat(strings.TrimSpace(s), 64); perr == nil && err != nil {
		return fmt.Sprintf(": a number needs a unit (%sms, %ss, %sm)", strings.TrimSpace(s), strings.TrimSpace(s), strings.TrimSpace(s))
	}
	return ""
}

// Probability is a chance in (0, 1], written as a number ("0.25") or a
// percentage ("25%").
type Probability float64

// String returns p as a decimal number.
func (p Probability) String() string { return strconv.FormatFloat(float64(p), 'g', -1, 64) }

// MarshalText returns p.String().
func (p Probability) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses "0.25" or "25%"; a value outside (0, 1] is an error.
func (p *Probability) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	num, pct := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a probability like 0.25 or 25%%", s)
	}
	if pct {
		v /= 100
	}
	if !(v > 0 && v <= 1) {
		return fmt.Errorf("probability %s is not in (0, 1]", s)
	}
	*p = Probability(v)
	return nil
}

// KeyKind says where a rate-limit key comes from.
type KeyKind int

// The sources of a rate-limit key.
const (
	KeyShared KeyKind = iota // no key: every caller shares one limit
	KeyHeader                // the value of a request header, e.g. Authorization
	KeyIP                    // the client IP address
	KeyClient                // the X-Decoy-Client header
)

// Key says which requests share a rate limit (and a rule's counters):
// "header:Authorization", "header:X-Namespace", "ip" or "client". The zero
// Key is shared by every caller.
type Key struct {
	Kind KeyKind
	// Header is the canonical header name for KeyHeader.
	Header string
}

// String returns k as written in a scenario file; "" for a shared key.
func (k Key) String() string {
	switch k.Kind {
	case KeyHeader:
		return "header:" + k.Header
	case KeyIP:
		return "ip"
	case KeyClient:
		return "client"
	}
	return ""
}

// MarshalText returns k.String().
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses "header:NAME", "ip" or "client"; anything else is an
// error listing those forms.
func (k *Key) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "ip":
		*k = Key{Kind: KeyIP}
	case s == "client":
		*k = Key{Kind: KeyClient}
	case strings.HasPrefix(strings.ToLower(s), "header:"):
		name := strings.TrimSpace(s[len("header:"):])
		if !isToken(name) {
			return fmt.Errorf("rate-limit key %q does not name a header (e.g. header:Authorization)", s)
		}
		*k = Key{Kind: KeyHeader, Header: http.CanonicalHeaderKey(name)}
	default:
		return fmt.Errorf("unknown rate-limit key %q (known: header:NAME, ip, client)", s)
	}
	return nil
}

// value returns the key's value for one request: "" when the request does
// not carry it.
func (k Key) value(in Input) string {
	switch k.Kind {
	case KeyHeader:
		if in.Request != nil {
			return in.Request.Header.Get(k.Header)
		}
	case KeyIP:
		return in.RemoteIP
	case KeyClient:
		return in.Client
	}
	return ""
}

// isToken reports whether s is a non-empty RFC 9110 token, as a header name
// must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
