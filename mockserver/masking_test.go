package mockserver_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Secrets of the requests below: none may be read back in full.
const (
	liveHeader   = "LIVEKEY_header_0123456789"
	liveQuery    = "LIVEKEY_query_0123456789"
	livePassword = "hunter2-correct-horse"
	liveAPIKey   = "AKIA_body_0123456789"
	liveAccess   = "ya29.access_0123456789"
)

// TestJournalMasksCredentialsOnEveryRoute is the regression test of issue
// 15 item 5: an apiKey sent to a route that does not declare it (a
// `security: []` route, an unknown path) was journaled in full, and so were
// secrets inside JSON bodies.
func TestJournalMasksCredentialsOnEveryRoute(t *testing.T) {
	ts, _ := newServer(t, "secrets.yaml")
	key := map[string]string{"X-Client": liveHeader}
	requests := []call{
		{method: "GET", path: "/public?client=" + liveQuery, header: key},
		{method: "GET", path: "/nowhere?client=" + liveQuery, header: key},
		{method: "DELETE", path: "/public?client=" + liveQuery, header: key},
		// An invalid query puts the request among the violations too.
		{method: "GET", path: "/public?limit=50&client=" + liveQuery, header: key},
		{method: "POST", path: "/accounts", body: `{"name": "ann", "credentials": {"password": "` + livePassword + `", "API_KEY": "` + liveAPIKey + `"},
			"tokens": [{"accessToken": "` + liveAccess + `", "page_token": "cursor-visible-42"}]}`},
		// Invalid: the password is too short and the api_key not in its
		// enum, so the violations quote them.
		{method: "POST", path: "/accounts", body: `{"name": "bob", "credentials": {"password": "` + livePassword[:12] + `", "api_key": "` + liveAPIKey + `"}}`},
		// Bodies of unknown paths are not read, so not journaled; a body
		// the spec does not describe in full is, masked at any depth.
		{method: "POST", path: "/nowhere", body: `{"password":"` + livePassword + `"}`},
		{method: "POST", path: "/accounts", body: `{"name":"cy","credentials":{},"Password":"` + livePassword + `","nested":{"deeper":[{"client_secret":"` + liveAPIKey + `","n":1}],"secret":{"pin":12345678,"keys":["` + liveAccess + `"]}}}`},
	}
	for _, c := range requests {
		do(t, ts, c)
	}
	var all strings.Builder
	var list struct {
		Entries []struct {
			ID uint64 `json:"id"`
		} `json:"entries"`
	}
	res := do(t, ts, call{method: "GET", path: "/__decoy/requests"})
	all.Write(res.body)
	if err := json.Unmarshal(res.body, &list); err != nil || len(list.Entries) != len(requests) {
		t.Fatalf("journal: %v, %d entries, want %d", err, len(list.Entries), len(requests))
	}
	for _, e := range list.Entries {
		res := do(t, ts, call{method: "GET", path: "/__decoy/requests/" + jsonNumber(e.ID)})
		all.Write(res.body)
	}
	for _, p := range []string{"/__decoy/violations", "/__decoy/report", "/__decoy/coverage"} {
		all.Write(do(t, ts, call{method: "GET", path: p}).body)
	}
	text := all.String()
	for _, secret := range []string{liveHeader, liveQuery, livePassword, livePassword[:12], liveAPIKey, liveAccess} {
		if strings.Contains(text, secret) {
			i := strings.Index(text, secret)
			t.Errorf("%q is readable in the admin API: …%s…", secret, text[max(0, i-200):min(len(text), i+100)])
		}
	}
	// What is masked keeps its first characters, and the rest is kept.
	for _, want := range []string{`"X-Client": "LIVE…"`, `client=LIVE%E2%80%A6`, `\"password\": \"hunt…\"`, `\"accessToken\": \"ya29…\"`,
		`\"page_token\": \"cursor-visible-42\"`, `\"name\": \"ann\"`, `\"client_secret\":\"AKIA…\",\"n\":1`, `\"secret\":{\"pin\":\"…\",\"keys\":[\"ya29…\"]}`} {
		if !strings.Contains(text, want) {
			t.Errorf("the journal lacks %s", want)
		}
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }
