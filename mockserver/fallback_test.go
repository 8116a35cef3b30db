package mockserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// cannotGenerateSpec has one operation per kind of response schema that
// once made Decoy answer an undocumented 500 cannot-generate (issue 14, the
// APIs-guru corpus; issue 15 item 8).
const cannotGenerateSpec = `openapi: 3.0.3
info: {title: gen, version: "1"}
components:
  schemas:
    Unsat:
      type: object
      required: [gender]
      properties:
        gender: {type: string, enum: [M, F], minLength: 4}
    Error:
      type: object
      required: [message]
      properties: {message: {type: string}}
paths:
  /account:
    get:
      operationId: account
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [OwnerAccount, ServiceId, Arn]
                properties:
                  OwnerAccount: {type: string, pattern: '[0-9]+', minLength: 12, maxLength: 12}
                  ServiceId: {type: string, pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}', minLength: 36, maxLength: 36}
                  Arn: {type: string, pattern: '^arn:aws:gamesparks:', minLength: 40, maxLength: 2048}
  /unsat-with-5xx:
    get:
      operationId: unsatWith5xx
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Unsat'}}
        "503":
          description: unavailable
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
  /unsat-with-example:
    get:
      operationId: unsatWithExample
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {type: object, required: [a], properties: {a: {type: integer}, name: {type: string}}}
                  - {type: object, required: [a], properties: {a: {type: integer, minimum: -1000000}}}
              example: {a: -2000000, name: from the example}
  /unsat-other-2xx:
    get:
      operationId: unsatOther2xx
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Unsat'}}
        "202":
          description: accepted
  /unsat-default:
    get:
      operationId: unsatDefault
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Unsat'}}
        default:
          description: error
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
  /huge:
    get:
      operationId: huge
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {type: string, minLength: 100000000}}
        "500":
          description: error
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
  /big:
    get:
      operationId: big
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {type: string, minLength: 300000}}
  /overlap:
    get:
      operationId: overlap
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {type: object, properties: {a: {type: integer}}}
                  - {type: object, properties: {a: {type: integer}}}
        "502":
          description: upstream
  /overlap-solvable:
    get:
      operationId: overlapSolvable
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {type: object, properties: {a: {type: integer}}}
                  - {type: object, properties: {b: {type: integer}}}
  /nothing:
    get:
      operationId: nothing
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Unsat'}}
  /only-4xx:
    get:
      operationId: only4xx
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Unsat'}}
        "480":
          description: ResourceNotFoundException
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
`

// TestCannotGenerateAnswersWithinContract: what Decoy cannot generate is
// answered with something the contract documents (the example, a
// documented 5xx or default, another 2xx), each answer checked with the
// operation's own response validation, and the schema becomes a finding.
func TestCannotGenerateAnswersWithinContract(t *testing.T) {
	ts, spec := newInlineServer(t, cannotGenerateSpec)
	tests := []struct {
		path   string
		header map[string]string
		status int
		want   string // in the body
	}{
		{path: "/account", status: 200, want: `"Arn":"arn:aws:gamesparks:`},
		{path: "/unsat-with-5xx", status: 503, want: `cannot generate`},
		{path: "/unsat-with-example", header: map[string]string{"Prefer": "dynamic=true"}, status: 200, want: "from the example"},
		{path: "/unsat-other-2xx", status: 202},
		{path: "/unsat-default", status: 500, want: `"message"`},
		{path: "/huge", status: 500, want: "larger than Decoy generates"},
		// Issue 15 item 6: linear, so this is a plain answer (it took
		// 15 s of CPU when padding was quadratic).
		{path: "/big", status: 200, want: `"`},
		{path: "/overlap", status: 502},
		{path: "/overlap-solvable", status: 200},
		// Only a 4xx is documented besides: it, with Decoy's message.
		{path: "/only-4xx", status: 480, want: "cannot generate"},
		// Nothing else is documented: Decoy's problem document, as before.
		{path: "/nothing", status: 500, want: "cannot-generate"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			for range 3 { // the same answer every time, and still valid
				res := do(t, ts, call{method: "GET", path: tt.path, header: tt.header})
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if !strings.Contains(string(res.body), tt.want) {
					t.Errorf("body %s, want it to contain %q", res.body, tt.want)
				}
				if tt.path == "/nothing" {
					continue
				}
				op := operationAt(t, spec, tt.path)
				req, _ := http.NewRequest("GET", ts.URL+tt.path, nil)
				if err := op.ValidateResponse(context.Background(), req, nil, res.status, res.header, res.body); err != nil {
					t.Errorf("answer out of contract: %v\n%s", err, res.body)
				}
			}
		})
	}
	var classes []string
	for _, f := range spec.RuntimeFindings() {
		if f.Class == openapi.ClassCannotGenerate {
			classes = append(classes, f.Pointer)
		}
	}
	if len(classes) != 8 {
		t.Errorf("cannot-generate findings: %d, want 8 (one per operation, whatever the requests): %v", len(classes), classes)
	}
}

func operationAt(tb testing.TB, spec *openapi.Spec, path string) *openapi.Operation {
	tb.Helper()
	for _, op := range spec.Operations {
		if op.Path == path {
			return op
		}
	}
	tb.Fatalf("no operation at %s", path)
	return nil
}
