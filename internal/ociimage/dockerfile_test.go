package ociimage

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDockerfileMatchesTheImage holds the repository's Dockerfile, for
// teams that build their own image, to the image releases ship: the same
// user, port, environment, working folder, entrypoint and arguments.
func TestDockerfileMatchesTheImage(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// The final stage: everything after the last FROM.
	text := string(data)
	text = text[strings.LastIndex(text, "\nFROM "):]
	got := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch word {
		case "FROM", "USER", "EXPOSE", "ENV", "WORKDIR", "ENTRYPOINT", "CMD":
			got[word] = rest
		}
	}
	jsonList := func(s string) []string {
		var v []string
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Errorf("%q is not a JSON list (the exec form): %v", s, err)
		}
		return v
	}
	if got["FROM"] != "scratch" {
		t.Errorf("FROM %q, want scratch", got["FROM"])
	}
	if got["USER"] != User {
		t.Errorf("USER %q, want %q", got["USER"], User)
	}
	if want := "4010"; got["EXPOSE"] != want {
		t.Errorf("EXPOSE %q, want %q", got["EXPOSE"], want)
	}
	if want := strings.Join(Env, " "); got["ENV"] != want {
		t.Errorf("ENV %q, want %q", got["ENV"], want)
	}
	if got["WORKDIR"] != WorkDir {
		t.Errorf("WORKDIR %q, want %q", got["WORKDIR"], WorkDir)
	}
	if e := jsonList(got["ENTRYPOINT"]); !reflect.DeepEqual(e, []string{BinaryPath}) {
		t.Errorf("ENTRYPOINT %q, want [%q]", e, BinaryPath)
	}
	if c := jsonList(got["CMD"]); !reflect.DeepEqual(c, Cmd) {
		t.Errorf("CMD %q, want %q", c, Cmd)
	}
}
