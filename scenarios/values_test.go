package scenarios

import (
	"encoding"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		into encoding.TextUnmarshaler
		in   string
		want string // String() after parsing, or the error
	}{
		{"fault", new(Fault), "reset", "reset"},
		{"fault", new(Fault), "malformed", "malformed"},
		{"fault none", new(Fault), "none", "none"},
		{"fault unknown", new(Fault), "rest", `unknown fault "rest" (known: reset, empty, truncated, malformed)`},
		{"fault case", new(Fault), "Reset", `unknown fault "Reset" (known: reset, empty, truncated, malformed)`},

		{"latency fixed", new(Latency), "300ms", "300ms"},
		{"latency range", new(Latency), "100ms..2s", "100ms..2s"},
		{"latency spaces", new(Latency), " 1s .. 1m ", "1s..1m0s"},
		{"latency equal ends", new(Latency), "1s..1s", "1s"},
		{"latency zero", new(Latency), "0s", "0s"},
		{"latency word", new(Latency), "fast", `"fast" is not a duration or a range like 100ms..2s`},
		{"latency bare number", new(Latency), "300", `"300" is not a duration or a range like 100ms..2s: a number needs a unit (300ms, 300s, 300m)`},
		{"latency bad end", new(Latency), "1s..soon", `"1s..soon" is not a duration or a range like 100ms..2s`},
		{"latency open range", new(Latency), "1s..", `"1s.." is not a duration or a range like 100ms..2s`},
		{"latency negative", new(Latency), "-1s", `latency "-1s" must not be negative`},
		{"latency backwards", new(Latency), "2s..100ms", `latency range "2s..100ms" runs backwards; write 100ms..2s`},
		{"latency empty", new(Latency), "", `"" is not a duration or a range like 100ms..2s`},

		{"duration", new(Duration), "1m30s", "1m30s"},
		{"duration bare number", new(Duration), "60", `"60" is not a duration like 1m or 500ms: a number needs a unit (60ms, 60s, 60m)`},
		{"duration negative", new(Duration), "-1m", `duration "-1m" must not be negative`},

		{"probability", new(Probability), "0.25", "0.25"},
		{"probability percent", new(Probability), "25%", "0.25"},
		{"probability one", new(Probability), "1", "1"},
		{"probability zero", new(Probability), "0", "probability 0 is not in (0, 1]"},
		{"probability above one", new(Probability), "1.5", "probability 1.5 is not in (0, 1]"},
		{"probability negative", new(Probability), "-0.1", "probability -0.1 is not in (0, 1]"},
		{"probability NaN", new(Probability), "NaN", `"NaN" is not a probability like 0.25 or 25%`},
		{"probability word", new(Probability), "often", `"often" is not a probability like 0.25 or 25%`},

		{"key header", new(Key), "header:authorization", "header:Authorization"},
		{"key namespace", new(Key), "header:X-Namespace", "header:X-Namespace"},
		{"key ip", new(Key), "ip", "ip"},
		{"key client", new(Key), "client", "client"},
		{"key empty header", new(Key), "header:", `rate-limit key "header:" does not name a header (e.g. header:Authorization)`},
		{"key bad header", new(Key), "header:a b", `rate-limit key "header:a b" does not name a header (e.g. header:Authorization)`},
		{"key unknown", new(Key), "cookie:session", `unknown rate-limit key "cookie:session" (known: header:NAME, ip, client)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := tt.into.UnmarshalText([]byte(tt.in)); err != nil {
				got = err.Error()
			} else {
				got = tt.into.(interface{ String() string }).String()
			}
			if got != tt.want {
				t.Errorf("UnmarshalText(%q): got %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestValuesAsFlags: the CLI reads the same values through flag.TextVar,
// so a flag and a scenario file share one parser and one error message.
func TestValuesAsFlags(t *testing.T) {
	fs := flag.NewFlagSet("decoy", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	var lat Latency
	var fault Fault
	var key Key
	fs.TextVar(&lat, "latency", Latency{}, "")
	fs.TextVar(&fault, "fault", FaultNone, "")
	fs.TextVar(&key, "key", Key{}, "")
	if err := fs.Parse([]string{"-latency", "100ms..2s", "-fault", "truncated", "-key", "ip"}); err != nil {
		t.Fatal(err)
	}
	if lat != (Latency{100 * time.Millisecond, 2 * time.Second}) || fault != FaultTruncated || key.Kind != KeyIP {
		t.Errorf("parsed %v %v %v", lat, fault, key)
	}
	err := fs.Parse([]string{"-fault", "rest"})
	if err == nil || !strings.Contains(err.Error(), `unknown fault "rest" (known: reset, empty, truncated, malformed)`) {
		t.Errorf("bad flag: %v", err)
	}
}

func TestLatencyPick(t *testing.T) {
	l := Latency{Min: 100 * time.Millisecond, Max: 2 * time.Second}
	for _, u := range []uint64{0, 1, 1 << 32, 1<<64 - 1} {
		if got := l.Pick(u); got < l.Min || got > l.Max {
			t.Errorf("Pick(%d) = %v, outside %v", u, got, l)
		}
	}
	if got := (Latency{Min: time.Second, Max: time.Second}).Pick(12345); got != time.Second {
		t.Errorf("fixed latency picked %v", got)
	}
	wide := Latency{Min: 0, Max: 1<<63 - 1}
	if got := wide.Pick(1<<64 - 1); got < 0 {
		t.Errorf("the widest range picked %v", got)
	}
}

func TestFaultString(t *testing.T) {
	if got := Fault(42).String(); got != "fault(42)" {
		t.Errorf("Fault(42).String() = %q", got)
	}
	b, _ := FaultEmpty.MarshalText()
	var f Fault
	if err := f.UnmarshalText(b); err != nil || f != FaultEmpty {
		t.Errorf("round trip of empty: %v %v", f, err)
	}
}

func TestWhenString(t *testing.T) {
	for _, tt := range []struct {
		w    When
		want string
	}{
		{When{}, "always"},
		{When{After: 3, Times: 2}, "after: 3, times: 2"},
		{When{Every: 3}, "every: 3"},
		{When{Probability: 0.25}, "probability: 0.25"},
	} {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.w, got, tt.want)
		}
	}
}
