// Package openapi loads an OpenAPI document (3.0, 3.1, or Swagger 2.0 or a
// Postman collection v2.0/v2.1 converted to 3.0) and turns it into what a
// mock needs on its hot path: a router that maps a request to its
// operation, and a per-operation index of parameters, security
// requirements, documented responses and examples that were checked against
// their schemas at load.
//
// Nothing here walks the spec per request: Load precomputes everything, and
// Spec is immutable once returned, so it is safe for concurrent use.
package openapi
