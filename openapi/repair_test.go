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

func TestHasOperationRef(t *testing.T) {
	for in, want := range map[string]bool{
		"paths:\n  /a:\n    get:\n      $ref: 'ops/a.yaml'\n":   true,
		"paths:\n  /a:\n    get: {$ref: 'ops/a.yaml'}\n":        true,
		"paths:\n  /a:\n    post:\n      \"$ref\": x.yaml\n":    true,
		`{"paths": {"/a": {"get": {"$ref": "ops/a.json"}}}}`:    true,
		`{"paths": {"/a": {"get" : { "$ref" : "ops/a.json"}}}}`: true,
		"paths:\n  /a:\n    $ref: 'items/a.yaml'\n":             false,
		"schema:\n  $ref: '#/components/schemas/A'\n":           false,
		"target:\n  $ref: x\n":                                  false,
		`{"schema": {"$ref": "#/components/schemas/A"}}`:        false,
		"forget:\n  $ref: x\n":                                  false,
	} {
		if got := hasOperationRef([]byte(in)); got != want {
			t.Errorf("hasOperationRef(%q) = %v, want %v", in, got, want)
		}
	}
}
