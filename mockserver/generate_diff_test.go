package mockserver_test

import (
	"fmt"
	"testing"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// TestGeneratedResponsesPassTheSpecsValidator is the differential property
// of the generator: every value it generates for a documented response
// schema, for many seeds, is valid for the operation's own response
// Validator (the one that judges Decoy's answers), in every spec the
// contract tests use; and a value it cannot generate is an error, never
// an invalid value.
func TestGeneratedResponsesPassTheSpecsValidator(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for _, name := range append(specs, "ecma-pattern.yaml", "ecma-pattern-31.yaml") {
		t.Run(name, func(t *testing.T) {
			spec := loadSpec(t, name)
			for _, op := range spec.Operations {
				val := op.Validator(openapi.DirResponse)
				for _, resp := range op.Responses {
					for _, media := range resp.Content {
						if media.Schema == nil || media.Schema.Value == nil {
							continue
						}
						for seed := range uint64(seeds) {
							for _, examples := range []bool{false, true} {
								v, err := fixtures.Generate(media.Schema, fixtures.GenerateOptions{
									Seed: seed, UseExamples: examples, OpenAPI31: op.OpenAPI31})
								if err != nil {
									continue
								}
								if !val.Valid(media.Schema.Value, v) {
									t.Errorf("%s %s %s seed %d: generated %s fails the spec's validator",
										op.ID, resp.Code, media.Type, seed, fmt.Sprint(v))
								}
							}
						}
					}
				}
			}
		})
	}
}
