package mockserver

import "testing"

// FuzzUnquoteSimpleAgreesWithLibrary: wherever the fast path answers, it
// answers what the standard library's decoder does.
func FuzzUnquoteSimpleAgreesWithLibrary(f *testing.F) {
	for _, seed := range []string{`"abc"`, `"sess_123"`, `""`, `"a\"b"`, `"\u00e9t\u00e9"`, `"été"`, "\"\xff\"", "\"a\tb\"", `"unterminated`, `x`, `"`, `"a"b"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := unquoteSimple(raw)
		if !ok {
			return
		}
		if want := unquoteLenientLibrary(raw); got != want {
			t.Fatalf("unquoteSimple(%q) = %q; the library decodes %q", raw, got, want)
		}
	})
}

func TestUnquoteSimpleTakesOnlySimpleStrings(t *testing.T) {
	for raw, want := range map[string]bool{`"sess_123"`: true, `""`: true, `"été"`: true, `"a\"b"`: false, `"\u0041"`: false, "\"\xff\"": false, "\"a\tb\"": false, `"open`: false, `x`: false} {
		if _, ok := unquoteSimple([]byte(raw)); ok != want {
			t.Errorf("unquoteSimple(%q) ok = %v; want %v", raw, ok, want)
		}
	}
}

// FuzzSecretMemberAgreesWithUnquote: judging a member name from its text
// (secretMember) says what judging its decoded value does.
func FuzzSecretMemberAgreesWithUnquote(f *testing.F) {
	for _, seed := range []string{`"password"`, `"new_password"`, `"API-Key"`, `"page_token"`, `"id"`, `"pass\u0077ord"`, "\"tok\xffen\"", `"` + "x123456789012345678901234567890123456789012345678901234567890password" + `"`, `"token`, `""`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := secretMember(raw), bodySecretField(unquoteLenient(raw)); got != want {
			t.Fatalf("secretMember(%q) = %v; bodySecretField of its value %q says %v", raw, got, unquoteLenient(raw), want)
		}
	})
}
