// Package defaultapi holds the API Decoy serves when given no spec: the two
// "list sessions" endpoints of the agent sessions API, laid out exactly as a
// user's own project folder is (openapi.yaml, fixtures/, scenarios/).
package defaultapi

import "embed"

// FS is the default project folder; its spec is SpecFile.
//
//go:embed openapi.yaml fixtures scenarios
var FS embed.FS

// SpecFile is the name of the spec inside FS.
const SpecFile = "openapi.yaml"
