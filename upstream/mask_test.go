package upstream

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMaskJSONSecrets(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"none", `{"session_id":"ses_1","page_key":"abc"}`, `{"session_id":"ses_1","page_key":"abc"}`},
		{"top level", `{"access_token":"tok_123","id":"x"}`, `{"access_token":"*******","id":"x"}`},
		{"nested and spaced", `{ "a": { "client_secret" : "s3" }, "b": [ {"password":"pw"} ] }`, `{ "a": { "client_secret" : "**" }, "b": [ {"password":"**"} ] }`},
		{"escapes kept in length", `{"token":"a\"b"}`, `{"token":"****"}`},
		{"a secret name as a value is data", `{"kind":"token","x":"token"}`, `{"kind":"token","x":"token"}`},
		{"non-string secret untouched", `{"token":null,"api_key":3}`, `{"token":null,"api_key":3}`},
		{"secret key holding an object", `{"credentials":{"user":"u"},"id":"i"}`, `{"credentials":{"user":"u"},"id":"i"}`},
		{"array of strings is not a secret", `["token","password"]`, `["token","password"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := maskJSONSecrets([]byte(tt.in))
			if string(got) != tt.want || changed != (tt.in != tt.want) {
				t.Errorf("got %s (changed %v), want %s", got, changed, tt.want)
			}
		})
	}
}

// FuzzMaskJSONSecrets: masking keeps the length, changes only bytes inside
// strings into '*', and keeps valid JSON valid.
func FuzzMaskJSONSecrets(f *testing.F) {
	for _, s := range []string{`{"token":"abc"}`, `{"a":[{"password":"x\u00e9y"}],"b":1}`, `[1,"token"]`, `{"token"`, `{"x":{"secret":"` + "\xff" + `"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, changed := maskJSONSecrets(in)
		if len(out) != len(in) {
			t.Fatalf("length %d → %d", len(in), len(out))
		}
		if !changed && !bytes.Equal(out, in) {
			t.Fatal("changed without saying so")
		}
		for i := range in {
			if in[i] != out[i] && out[i] != '*' {
				t.Fatalf("byte %d: %q → %q", i, in[i], out[i])
			}
		}
		if json.Valid(in) && !json.Valid(out) {
			t.Fatalf("masking broke valid JSON: %s → %s", in, out)
		}
	})
}

func TestFileStem(t *testing.T) {
	for in, want := range map[string]string{"listSessions": "listSessions", "GET /v2/agents/{agent_key}/sessions": "GET__v2_agents__agent_key__sessions", "a.b": "a_b"} {
		if got := fileStem(in); got != want {
			t.Errorf("fileStem(%q) = %q, want %q", in, got, want)
		}
	}
}
