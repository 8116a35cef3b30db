package defaultapi

import "embed"

// FS is the default project folder; its spec is SpecFile.
//
//go:embed openapi.yaml fixtures scenarios
var FS embed.FS

// SpecFile is the name of the spec inside FS.
const SpecFile = "openapi.yaml"
