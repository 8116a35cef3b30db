package mockserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

func TestBodySecretField(t *testing.T) {
	for _, name := range []string{"password", "Password", "PASSWORD", "new_password", "secret", "client_secret", "clientSecret", "token", "api_key",
		"apiKey", "API-KEY", "stripe_api_key", "access_token", "accessToken", "refresh_token", "authorization", "Authorization", "id_token", "private_key"} {
		if !bodySecretField(name) {
			t.Errorf("%s should be masked", name)
		}
	}
	for _, name := range []string{"name", "page_token", "next_token", "nextPageToken", "author", "session_id", "tokens", "secretary", "key", ""} {
		if bodySecretField(name) {
			t.Errorf("%s should not be masked", name)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"nothing to mask is kept byte for byte", `{ "a" : 1,"b":["x", {"c": null}] }`, `{ "a" : 1,"b":["x", {"c": null}] }`},
		{"string", `{"password": "hunter2-hunter2"}`, `{"password": "hunt…"}`},
		{"short string hidden whole", `{"token":"abc"}`, `{"token":"…"}`},
		{"number", `{"secret": -1234567890.5e3}`, `{"secret": "-123…"}`},
		{"literals stay", `{"token": null, "password": false, "x": "y"}`, `{"token": null, "password": false, "x": "y"}`},
		{"any depth", `[{"a":{"b":[{"API_KEY":"0123456789"}]}}]`, `[{"a":{"b":[{"API_KEY":"0123…"}]}}]`},
		{"a container value is masked inside", `{"secret":{"k":"0123456789","n":[123456789,"s"]},"after":"0123456789"}`, `{"secret":{"k":"0123…","n":["1234…","…"]},"after":"0123456789"}`},
		{"escapes in names and values", `{"pass\u0077ord":"a\"b\\c\u00e9defgh"}`, `{"pass\u0077ord":"a\"b\\…"}`},
		{"broken JSON is masked as far as it goes", `{"password": "0123456789",, "token": "abcdefghij"`, `{"password": "0123…",, "token": "abcd…"`},
		{"a cut string is masked", `{"a":1,"password":"0123456789`, `{"a":1,"password":"0123…"`},
		{"a string value followed by a colon is not a name", `["token", "x"]`, `["token", "x"]`},
		{"names only mask their own value", `{"token":"0123456789","name":"0123456789"}`, `{"token":"0123…","name":"0123456789"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found []string
			got := string(maskJSON([]byte(tt.in), func(v string) { found = append(found, v) }))
			if got != tt.want {
				t.Errorf("maskJSON(%s)\n got %s\nwant %s (found %q)", tt.in, got, tt.want, found)
			}
		})
	}
}

func TestMaskBody(t *testing.T) {
	body := []byte(`{"name":"x","password":"0123456789abcdef"}`)
	if got := maskBody(body, 30, "application/json", nil); got != `{"name":"x","password":"…"…[truncated 12 bytes]` {
		t.Errorf("cut JSON: %s", got)
	}
	if got := maskBody([]byte("user=ann&password=0123456789&client_secret=abcdefghij"), 100, "application/x-www-form-urlencoded; charset=utf-8", nil); got != "user=ann&password=0123%E2%80%A6&client_secret=abcd%E2%80%A6" {
		t.Errorf("form: %s", got)
	}
	if got := maskBody([]byte("password=0123456789"), 100, "text/plain", nil); got != "password=0123456789" {
		t.Errorf("text: %s", got)
	}
}

// TestViolationMessagesNeverQuoteSecrets: a violation message that quotes
// a value sent (a header the spec's apiKey names, a body secret) has it
// masked in the journal and in the violation example of the report.
func TestViolationMessagesNeverQuoteSecrets(t *testing.T) {
	s := journalServer(t)
	op := s.Spec().Operation("listAgentSessions")
	r := bareRequest("/v2/agents/agt_a/sessions", "limit=500&access_token=tok_0123456789")
	r.Header = http.Header{"Authorization": {"Bearer sk_live_0123456789"}, "Content-Type": {"application/json"}}
	ex := &exchange{start: s.now(), op: op, status: 400, source: sourceDecoy, kind: "validation-failed",
		body: []byte(`{"filters":{"password":"pw_0123456789"}}`)}
	ex.violations = []openapi.Violation{
		{Location: "query", Parameter: "limit", Code: "maximum", Message: `query parameter "limit": given "tok_0123456789" and sk_live_0123456789`},
		{Location: "body", Pointer: "/filters", Code: "type", Message: `request body /filters: "pw_0123456789" is not allowed`},
	}
	s.recordNow(r, ex)
	entries := s.journal.Entries(Filter{})
	b, _ := json.Marshal(map[string]any{"entries": entries, "violations": s.journal.Violations()})
	for _, secret := range []string{"tok_0123456789", "sk_live_0123456789", "pw_0123456789"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("%s is readable: %s", secret, b)
		}
	}
	if !strings.Contains(string(b), `given \"tok_…\" and sk_l…`) {
		t.Errorf("the message lost its words: %s", b)
	}
}

// FuzzMaskJSON: masking never panics, keeps valid UTF-8 valid, keeps valid
// JSON valid, and never lets a secret member's string through whole.
func FuzzMaskJSON(f *testing.F) {
	for _, s := range []string{`{"password":"0123456789"}`, `[{"a":{"token":["x",1]}}]`, `{"token":"\u00e9\\"`, `{"secret":`, `"`, `{"a":"b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := maskJSON([]byte(in), nil)
		if utf8.ValidString(in) && !utf8.Valid(out) {
			t.Fatalf("maskJSON(%q) = %q is not valid UTF-8", in, out)
		}
		var before any
		if json.Unmarshal([]byte(in), &before) != nil {
			return
		}
		var after any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("maskJSON(%q) = %q is not JSON: %v", in, out, err)
		}
		var walk func(v any, secret bool)
		walk = func(v any, secret bool) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					walk(x, secret || bodySecretField(k))
				}
			case []any:
				for _, x := range v {
					walk(x, secret)
				}
			case string:
				if secret && !strings.HasSuffix(v, "…") {
					t.Fatalf("maskJSON(%q) = %q left %q whole", in, out, v)
				}
			}
		}
		walk(after, false)
	})
}
