package openapi

import "testing"

func TestRawVersion(t *testing.T) {
	for in, want := range map[string]string{
		`{"openapi": "3.1.0", "info": {}}`: "3.1",
		`{"info": {}, "openapi":"3.0.3"}`:  "3.0",
		"swagger: '2.0'\ninfo: {}\n":       "2.0",
		"info:\n  x: 1\nopenapi: 3.1.1\n":  "3.1",
		"# c\nopenapi: \"3.0.0\"\n":        "3.0",
		`{"swagger": "2.0"}`:               "2.0",
		"paths: {}\n":                      "3.0",
	} {
		if got := rawVersion([]byte(in)); got != want {
			t.Errorf("rawVersion(%q) = %s, want %s", in, got, want)
		}
	}
}
