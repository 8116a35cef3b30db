package jsondoc

// The OpenAPI objects of a document, each read into its openapi3 type with
// the fields kin-openapi's decoder sets, from the scanner in decode.go.

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// document reads the root object into doc.
func (d *jsonDecoder) document(doc *openapi3.T) {
	if d.next() != '{' {
		d.wrongKind("an object")
		return
	}
	doc.Origin = d.firstKeyOrigin()
	for m, _ := d.object(true); d.member(&m); {
		switch string(m.key) {
		case "openapi":
			doc.OpenAPI = d.str()
		case "components":
			doc.Components = d.components(d.keyOrigin(&m, "components"))
		case "info":
			doc.Info = d.info(d.keyOrigin(&m, "info"))
		case "paths":
			doc.Paths = d.paths(d.keyOrigin(&m, "paths"))
		case "security":
			doc.Security = d.securityRequirements()
		case "servers":
			doc.Servers = d.servers()
		case "tags":
			doc.Tags = objectList(d, d.tag)
		case "externalDocs":
			doc.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		case "webhooks":
			doc.Webhooks = objectMap(d, d.pathItem)
		case "jsonSchemaDialect":
			doc.JSONSchemaDialect = d.str()
		case "swagger":
			if d.next() != 'n' {
				d.notFast(m.at, "a Swagger 2.0 document")
			}
			d.extension(&doc.Extensions, &m)
		default:
			d.extension(&doc.Extensions, &m)
		}
	}
}

// structStart checks that a struct-typed object follows; null is left to
// kin-openapi, which keeps a nil.
func (d *jsonDecoder) structStart() (members, bool) {
	if !d.notNull() {
		return members{}, false
	}
	return d.object(true)
}

// info reads an Info Object.
func (d *jsonDecoder) info(origin *openapi3.Origin) *openapi3.Info {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Info{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "title":
			v.Title = d.str()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "termsOfService":
			v.TermsOfService = d.str()
		case "contact":
			v.Contact = d.contact(d.keyOrigin(&m, "contact"))
		case "license":
			v.License = d.license(d.keyOrigin(&m, "license"))
		case "version":
			v.Version = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// contact reads a Contact Object.
func (d *jsonDecoder) contact(origin *openapi3.Origin) *openapi3.Contact {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Contact{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "url":
			v.URL = d.str()
		case "email":
			v.Email = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// license reads a License Object.
func (d *jsonDecoder) license(origin *openapi3.Origin) *openapi3.License {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.License{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "url":
			v.URL = d.str()
		case "identifier":
			v.Identifier = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// externalDocs reads an External Documentation Object.
func (d *jsonDecoder) externalDocs(origin *openapi3.Origin) *openapi3.ExternalDocs {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.ExternalDocs{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "description":
			v.Description = d.str()
		case "url":
			v.URL = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// tag reads a Tag Object.
func (d *jsonDecoder) tag(origin *openapi3.Origin) *openapi3.Tag {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Tag{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "description":
			v.Description = d.str()
		case "externalDocs":
			v.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// servers reads a list of Server Objects.
func (d *jsonDecoder) servers() openapi3.Servers {
	return objectList(d, d.server)
}

// server reads a Server Object.
func (d *jsonDecoder) server(origin *openapi3.Origin) *openapi3.Server {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Server{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "url":
			v.URL = d.str()
		case "description":
			v.Description = d.str()
		case "variables":
			v.Variables = objectMap(d, d.serverVariable)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// serverVariable reads a Server Variable Object.
func (d *jsonDecoder) serverVariable(origin *openapi3.Origin) *openapi3.ServerVariable {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.ServerVariable{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "enum":
			v.Enum = d.stringList()
		case "default":
			v.Default = d.str()
		case "description":
			v.Description = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// securityRequirements reads a list of Security Requirement Objects.
func (d *jsonDecoder) securityRequirements() openapi3.SecurityRequirements {
	if d.null() {
		return nil
	}
	out := openapi3.SecurityRequirements{}
	for e, ok := d.array(); ok && d.element(&e); {
		if !d.notNull() {
			return nil
		}
		out = append(out, d.securityRequirement())
	}
	return out
}

// securityRequirement reads a Security Requirement Object: scheme names to
// lists of scopes.
func (d *jsonDecoder) securityRequirement() openapi3.SecurityRequirement {
	out := openapi3.SecurityRequirement{}
	for m, _ := d.object(false); d.member(&m); {
		key, ok := mapKey(d, &m, out)
		if !ok {
			return nil
		}
		if d.next() != '[' {
			d.wrongKind("a list of scopes")
			return nil
		}
		out[key] = d.stringList()
	}
	return out
}

// components reads a Components Object.
func (d *jsonDecoder) components(origin *openapi3.Origin) *openapi3.Components {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Components{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "schemas":
			v.Schemas = objectMap(d, d.schemaRef)
		case "parameters":
			v.Parameters = objectMap(d, d.parameterRef)
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "requestBodies":
			v.RequestBodies = objectMap(d, d.requestBodyRef)
		case "responses":
			v.Responses = objectMap(d, d.responseRef)
		case "securitySchemes":
			v.SecuritySchemes = objectMap(d, d.securitySchemeRef)
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "links":
			v.Links = objectMap(d, d.linkRef)
		case "callbacks":
			v.Callbacks = objectMap(d, d.callbackRef)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// paths reads a Paths Object: path items, and x- keys as extensions.
func (d *jsonDecoder) paths(origin *openapi3.Origin) *openapi3.Paths {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := openapi3.NewPathsWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if !d.notNull() {
			return nil
		}
		v.Set(key, d.pathItem(d.originAt(m.at, key)))
	}
	return v
}

// callback reads a Callback Object, which is shaped as a Paths Object; a
// "$ref" key in it is reported through sawRef.
func (d *jsonDecoder) callback(origin *openapi3.Origin) (v *openapi3.Callback, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = openapi3.NewCallbackWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if key == "$ref" && d.refString() {
			// A Reference Object with siblings, which kin-openapi reads.
			sawRef = true
			d.anyValue()
			continue
		}
		if !d.notNull() {
			return nil, false
		}
		v.Set(key, d.pathItem(d.originAt(m.at, key)))
	}
	return v, sawRef
}

// pathItem reads a Path Item Object.
func (d *jsonDecoder) pathItem(origin *openapi3.Origin) *openapi3.PathItem {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.PathItem{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "$ref":
			v.Ref = d.str()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "connect", "delete", "get", "head", "options", "patch", "post", "put", "trace", "query":
			if !d.null() {
				*methodField(v, key) = d.operation(d.keyOrigin(&m, key))
			}
		case "servers":
			v.Servers = d.servers()
		case "parameters":
			v.Parameters = objectList(d, d.parameterRef)
		case "additionalOperations":
			v.AdditionalOperations = objectMap(d, d.operation)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// methodField returns the field of v that holds the operation for method,
// one of the lower-case keys a Path Item Object declares.
func methodField(v *openapi3.PathItem, method string) **openapi3.Operation {
	switch method {
	case "connect":
		return &v.Connect
	case "delete":
		return &v.Delete
	case "get":
		return &v.Get
	case "head":
		return &v.Head
	case "options":
		return &v.Options
	case "patch":
		return &v.Patch
	case "post":
		return &v.Post
	case "put":
		return &v.Put
	case "trace":
		return &v.Trace
	}
	return &v.Query
}

// operation reads an Operation Object.
func (d *jsonDecoder) operation(origin *openapi3.Origin) *openapi3.Operation {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Operation{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "tags":
			v.Tags = d.stringList()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "operationId":
			v.OperationID = d.str()
		case "parameters":
			v.Parameters = objectList(d, d.parameterRef)
		case "requestBody":
			if d.notNull() {
				v.RequestBody = d.requestBodyRef(d.keyOrigin(&m, "requestBody"))
			}
		case "responses":
			v.Responses = d.responses(d.keyOrigin(&m, "responses"))
		case "callbacks":
			v.Callbacks = objectMap(d, d.callbackRef)
		case "deprecated":
			v.Deprecated = d.boolean()
		case "security":
			if !d.null() {
				security := d.securityRequirements()
				v.Security = &security
			}
		case "servers":
			if !d.null() {
				servers := d.servers()
				v.Servers = &servers
			}
		case "externalDocs":
			v.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// responses reads a Responses Object: responses by status, and x- keys as
// extensions. A null is left to kin-openapi, which marks it.
func (d *jsonDecoder) responses(origin *openapi3.Origin) *openapi3.Responses {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := openapi3.NewResponsesWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if !d.notNull() {
			return nil
		}
		v.Set(key, d.responseRef(d.originAt(m.at, key)))
	}
	return v
}

// parameter reads a Parameter Object; a "$ref" key in it is reported
// through sawRef.
func (d *jsonDecoder) parameter(origin *openapi3.Origin) (v *openapi3.Parameter, sawRef bool) {
	v = &openapi3.Parameter{Origin: origin}
	return v, d.parameterFields(v)
}

// header reads a Header Object, which has the fields of a Parameter Object.
func (d *jsonDecoder) header(origin *openapi3.Origin) (v *openapi3.Header, sawRef bool) {
	v = &openapi3.Header{}
	v.Origin = origin
	return v, d.parameterFields(&v.Parameter)
}

// parameterFields reads the members of a Parameter or Header Object into v
// and reports whether one is a "$ref".
func (d *jsonDecoder) parameterFields(v *openapi3.Parameter) (sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return false
	}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "name":
			v.Name = d.str()
		case "in":
			v.In = d.str()
		case "description":
			v.Description = d.str()
		case "style":
			v.Style = d.str()
		case "explode":
			v.Explode = d.boolPtr()
		case "allowEmptyValue":
			v.AllowEmptyValue = d.boolean()
		case "allowReserved":
			v.AllowReserved = d.boolean()
		case "deprecated":
			v.Deprecated = d.boolean()
		case "required":
			v.Required = d.boolean()
		case "schema":
			v.Schema = d.nullableSchemaRef(d.keyOrigin(&m, "schema"))
		case "example":
			v.Example = d.anyValue()
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "content":
			v.Content = objectMap(d, d.mediaType)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	restampSchema(v.Schema, v.Origin)
	return sawRef
}

// restampSchema gives the schema of a Parameter, Header or Media Type the
// origin of the object that holds it. kin-openapi does so: stamping an
// object's Key, it stamps the same Key on the object's "Schema" field, as it
// does on the Value of a $ref wrapper.
func restampSchema(schema *openapi3.SchemaRef, origin *openapi3.Origin) {
	if schema == nil || origin == nil {
		return
	}
	schema.Origin = origin
	if schema.Value != nil {
		schema.Value.Origin = origin
	}
}

// requestBody reads a Request Body Object.
func (d *jsonDecoder) requestBody(origin *openapi3.Origin) (v *openapi3.RequestBody, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.RequestBody{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "description":
			v.Description = d.str()
		case "required":
			v.Required = d.boolean()
		case "content":
			v.Content = objectMap(d, d.mediaType)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// response reads a Response Object.
func (d *jsonDecoder) response(origin *openapi3.Origin) (v *openapi3.Response, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Response{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "description":
			v.Description = d.strPtr()
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "content":
			v.Content = objectMap(d, d.mediaType)
		case "links":
			v.Links = objectMap(d, d.linkRef)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// mediaType reads a Media Type Object.
func (d *jsonDecoder) mediaType(origin *openapi3.Origin) *openapi3.MediaType {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.MediaType{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "schema":
			v.Schema = d.nullableSchemaRef(d.keyOrigin(&m, "schema"))
		case "itemSchema":
			v.ItemSchema = d.nullableSchemaRef(d.keyOrigin(&m, "itemSchema"))
		case "example":
			v.Example = d.anyValue()
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "encoding":
			v.Encoding = objectMap(d, d.encoding)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	restampSchema(v.Schema, origin)
	return v
}

// encoding reads an Encoding Object.
func (d *jsonDecoder) encoding(origin *openapi3.Origin) *openapi3.Encoding {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Encoding{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "contentType":
			v.ContentType = d.str()
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "style":
			v.Style = d.str()
		case "explode":
			v.Explode = d.boolPtr()
		case "allowReserved":
			v.AllowReserved = d.boolean()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// example reads an Example Object.
func (d *jsonDecoder) example(origin *openapi3.Origin) (v *openapi3.Example, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Example{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "value":
			v.Value = d.anyValue()
		case "externalValue":
			v.ExternalValue = d.str()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// link reads a Link Object.
func (d *jsonDecoder) link(origin *openapi3.Origin) (v *openapi3.Link, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Link{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "operationRef":
			v.OperationRef = d.str()
		case "operationId":
			v.OperationID = d.str()
		case "description":
			v.Description = d.str()
		case "parameters":
			v.Parameters = d.anyMap()
		case "server":
			v.Server = d.server(d.keyOrigin(&m, "server"))
		case "requestBody":
			v.RequestBody = d.anyValue()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// securityScheme reads a Security Scheme Object.
func (d *jsonDecoder) securityScheme(origin *openapi3.Origin) (v *openapi3.SecurityScheme, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.SecurityScheme{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "type":
			v.Type = d.str()
		case "description":
			v.Description = d.str()
		case "name":
			v.Name = d.str()
		case "in":
			v.In = d.str()
		case "scheme":
			v.Scheme = d.str()
		case "bearerFormat":
			v.BearerFormat = d.str()
		case "flows":
			v.Flows = d.oauthFlows(d.keyOrigin(&m, "flows"))
		case "openIdConnectUrl":
			v.OpenIdConnectUrl = d.str()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// oauthFlows reads an OAuth Flows Object.
func (d *jsonDecoder) oauthFlows(origin *openapi3.Origin) *openapi3.OAuthFlows {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.OAuthFlows{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "implicit":
			v.Implicit = d.oauthFlow(d.keyOrigin(&m, key))
		case "password":
			v.Password = d.oauthFlow(d.keyOrigin(&m, key))
		case "clientCredentials":
			v.ClientCredentials = d.oauthFlow(d.keyOrigin(&m, key))
		case "authorizationCode":
			v.AuthorizationCode = d.oauthFlow(d.keyOrigin(&m, key))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// oauthFlow reads an OAuth Flow Object.
func (d *jsonDecoder) oauthFlow(origin *openapi3.Origin) *openapi3.OAuthFlow {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.OAuthFlow{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "authorizationUrl":
			v.AuthorizationURL = d.str()
		case "tokenUrl":
			v.TokenURL = d.str()
		case "refreshUrl":
			v.RefreshURL = d.str()
		case "scopes":
			v.Scopes = d.stringMap()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// stringMap reads an object of strings.
func (d *jsonDecoder) stringMap() map[string]string {
	return valueMap(d, d.stringValue)
}

// stringValue reads a string, failing on any other value.
func (d *jsonDecoder) stringValue() (string, bool) {
	if d.next() != '"' {
		d.wrongKind("a string")
		return "", false
	}
	return d.str(), true
}

// valueMap reads an object into a map, each value read by read, which
// reports false when it fails; the map is then nil. A null is a nil map.
func valueMap[V any](d *jsonDecoder, read func() (V, bool)) map[string]V {
	if d.null() {
		return nil
	}
	out := map[string]V{}
	for m, _ := d.object(false); d.member(&m); {
		key, ok := mapKey(d, &m, out)
		if !ok {
			return nil
		}
		v, ok := read()
		if !ok {
			return nil
		}
		out[key] = v
	}
	return out
}

// schema reads a Schema Object (not a boolean one).
func (d *jsonDecoder) schema(origin *openapi3.Origin) (v *openapi3.Schema, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Schema{Origin: origin}
	for d.member(&m) {
		if !d.schemaField(v, &m) {
			sawRef = sawRef || string(m.key) == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// schemaField reads the current member into the field of v it names, and
// reports whether Schema declares one; the fields are split by kind.
func (d *jsonDecoder) schemaField(v *openapi3.Schema, m *members) bool {
	return d.schemaSubschema(v, m) || d.schemaScalar(v, m) || d.schemaOther(v, m)
}

// schemaSubschema reads the members of a Schema that hold schemas.
func (d *jsonDecoder) schemaSubschema(v *openapi3.Schema, m *members) bool {
	switch key := d.keyText(m); key {
	case "oneOf":
		v.OneOf = d.schemaRefs()
	case "anyOf":
		v.AnyOf = d.schemaRefs()
	case "allOf":
		v.AllOf = d.schemaRefs()
	case "prefixItems":
		v.PrefixItems = d.schemaRefs()
	case "not":
		v.Not = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "items":
		v.Items = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "contains":
		v.Contains = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "propertyNames":
		v.PropertyNames = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "if":
		v.If = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "then":
		v.Then = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "else":
		v.Else = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "contentSchema":
		v.ContentSchema = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "properties":
		v.Properties = objectMap(d, d.schemaRef)
	case "patternProperties":
		v.PatternProperties = objectMap(d, d.schemaRef)
	case "dependentSchemas":
		v.DependentSchemas = objectMap(d, d.schemaRef)
	case "$defs":
		v.Defs = objectMap(d, d.schemaRef)
	case "additionalProperties":
		v.AdditionalProperties = d.boolSchema(d.keyOrigin(m, key))
	case "unevaluatedItems":
		v.UnevaluatedItems = d.boolSchema(d.keyOrigin(m, key))
	case "unevaluatedProperties":
		v.UnevaluatedProperties = d.boolSchema(d.keyOrigin(m, key))
	default:
		return false
	}
	return true
}

// schemaScalar reads the members of a Schema that hold strings, booleans
// and numbers.
func (d *jsonDecoder) schemaScalar(v *openapi3.Schema, m *members) bool {
	switch string(m.key) {
	case "title":
		v.Title = d.str()
	case "format":
		v.Format = d.str()
	case "description":
		v.Description = d.str()
	case "pattern":
		v.Pattern = d.str()
	case "$schema":
		v.SchemaDialect = d.str()
	case "$comment":
		v.Comment = d.str()
	case "$id":
		v.SchemaID = d.str()
	case "$anchor":
		v.Anchor = d.str()
	case "$dynamicRef":
		v.DynamicRef = d.str()
	case "$dynamicAnchor":
		v.DynamicAnchor = d.str()
	case "contentMediaType":
		v.ContentMediaType = d.str()
	case "contentEncoding":
		v.ContentEncoding = d.str()
	case "uniqueItems":
		v.UniqueItems = d.boolean()
	case "nullable":
		v.Nullable = d.boolean()
	case "readOnly":
		v.ReadOnly = d.boolean()
	case "writeOnly":
		v.WriteOnly = d.boolean()
	case "allowEmptyValue":
		v.AllowEmptyValue = d.boolean()
	case "deprecated":
		v.Deprecated = d.boolean()
	default:
		return d.schemaNumber(v, m)
	}
	return true
}

// schemaNumber reads the members of a Schema that hold numbers.
func (d *jsonDecoder) schemaNumber(v *openapi3.Schema, m *members) bool {
	switch string(m.key) {
	case "minimum":
		v.Min = d.floatPtr()
	case "maximum":
		v.Max = d.floatPtr()
	case "multipleOf":
		v.MultipleOf = d.floatPtr()
	case "exclusiveMinimum":
		v.ExclusiveMin = d.exclusiveBound()
	case "exclusiveMaximum":
		v.ExclusiveMax = d.exclusiveBound()
	case "minLength":
		v.MinLength = d.count()
	case "maxLength":
		v.MaxLength = d.countPtr()
	case "minItems":
		v.MinItems = d.count()
	case "maxItems":
		v.MaxItems = d.countPtr()
	case "minProperties":
		v.MinProps = d.count()
	case "maxProperties":
		v.MaxProps = d.countPtr()
	case "minContains":
		v.MinContains = d.countPtr()
	case "maxContains":
		v.MaxContains = d.countPtr()
	default:
		return false
	}
	return true
}

// schemaOther reads the remaining members of a Schema.
func (d *jsonDecoder) schemaOther(v *openapi3.Schema, m *members) bool {
	switch key := d.keyText(m); key {
	case "type":
		v.Type = d.types()
	case "enum":
		v.Enum = d.anyList()
	case "default":
		v.Default = d.anyValue()
	case "example":
		v.Example = d.anyValue()
	case "const":
		v.Const = d.anyValue()
	case "examples":
		v.Examples = d.anyList()
	case "required":
		v.Required = d.stringList()
	case "externalDocs":
		v.ExternalDocs = d.externalDocs(d.keyOrigin(m, key))
	case "xml":
		v.XML = d.xml(d.keyOrigin(m, key))
	case "discriminator":
		v.Discriminator = d.discriminator(d.keyOrigin(m, key))
	case "dependentRequired":
		v.DependentRequired = d.dependentRequired()
	default:
		return false
	}
	return true
}

// types reads a schema's type: one name or a list of them.
func (d *jsonDecoder) types() *openapi3.Types {
	switch d.next() {
	case 'n':
		d.literal("null")
		return nil
	case '"':
		t := openapi3.Types{d.str()}
		return &t
	case '[':
		t := openapi3.Types(d.stringList())
		return &t
	}
	d.wrongKind("a type name or a list of them")
	return nil
}

// exclusiveBound reads exclusiveMinimum or exclusiveMaximum: a boolean in
// OpenAPI 3.0, a number in 3.1.
func (d *jsonDecoder) exclusiveBound() openapi3.ExclusiveBound {
	switch c := d.next(); {
	case c == 'n':
		d.literal("null")
		return openapi3.ExclusiveBound{}
	case c == 't' || c == 'f':
		b := d.boolean()
		return openapi3.ExclusiveBound{Bool: &b}
	}
	f, ok := d.float()
	if !ok {
		return openapi3.ExclusiveBound{}
	}
	return openapi3.ExclusiveBound{Value: &f}
}

// boolSchema reads a member that holds a boolean or a schema.
func (d *jsonDecoder) boolSchema(origin *openapi3.Origin) openapi3.BoolSchema {
	switch d.next() {
	case 'n':
		d.literal("null")
		return openapi3.BoolSchema{}
	case 't', 'f':
		b := d.boolean()
		return openapi3.BoolSchema{Has: &b}
	}
	return openapi3.BoolSchema{Schema: d.schemaRef(origin)}
}

// xml reads an XML Object.
func (d *jsonDecoder) xml(origin *openapi3.Origin) *openapi3.XML {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.XML{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "namespace":
			v.Namespace = d.str()
		case "prefix":
			v.Prefix = d.str()
		case "attribute":
			v.Attribute = d.boolean()
		case "wrapped":
			v.Wrapped = d.boolean()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// discriminator reads a Discriminator Object.
func (d *jsonDecoder) discriminator(origin *openapi3.Origin) *openapi3.Discriminator {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Discriminator{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "propertyName":
			v.PropertyName = d.str()
		case "mapping":
			v.Mapping = d.mapping()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// mapping reads a discriminator's mapping: values to schema names or $refs.
func (d *jsonDecoder) mapping() map[string]openapi3.MappingRef {
	return valueMap(d, func() (openapi3.MappingRef, bool) {
		ref, ok := d.stringValue()
		return openapi3.MappingRef{Ref: ref}, ok
	})
}

// dependentRequired reads dependentRequired: property names to lists of them.
func (d *jsonDecoder) dependentRequired() map[string][]string {
	return valueMap(d, func() ([]string, bool) { return d.strictStringList(), true })
}

// schemaRefs reads a list of schemas.
func (d *jsonDecoder) schemaRefs() openapi3.SchemaRefs {
	return objectList(d, d.schemaRef)
}

// nullableSchemaRef reads a schema where kin-openapi keeps a null as nil.
func (d *jsonDecoder) nullableSchemaRef(origin *openapi3.Origin) *openapi3.SchemaRef {
	if d.null() {
		return nil
	}
	return d.schemaRef(origin)
}

// schemaRef reads a schema where a Reference Object may stand: a boolean
// schema, a $ref or a Schema Object.
func (d *jsonDecoder) schemaRef(origin *openapi3.Origin) *openapi3.SchemaRef {
	if c := d.next(); c == 't' || c == 'f' {
		b := d.boolean()
		return &openapi3.SchemaRef{Origin: origin, Value: &openapi3.Schema{Always: &b, Origin: origin}}
	}
	// A SchemaRef declares no "summary" or "description".
	return refOrValue(d, "a schema", false, origin, d.schema,
		func(r plainRef, v *openapi3.Schema) *openapi3.SchemaRef {
			return &openapi3.SchemaRef{Origin: origin, Ref: r.ref, Value: v}
		},
		func(x *openapi3.SchemaRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// refOrValue reads what stands where a Reference Object may: an object
// kin-openapi reads into an XxxRef R, with its Value a V. want names the
// object in errors, and withSummary says whether R declares a "summary" and
// a "description" (see readPlainRef). A plain Reference Object, or an
// object read by read (given origin) with no "$ref", becomes the R that
// build makes of it: build gets a plainRef and a nil V, or a zero plainRef
// and the V. A Reference Object with siblings is decoded by kin-openapi,
// and stamp then gives the R and its Value the origin.
func refOrValue[R, V any](d *jsonDecoder, want string, withSummary bool, origin *openapi3.Origin,
	read func(*openapi3.Origin) (*V, bool), build func(plainRef, *V) *R, stamp func(*R)) *R {
	start, ok := d.refStart(want)
	if !ok {
		return nil
	}
	if r, ok := d.readPlainRef(withSummary); ok {
		return build(r, nil)
	}
	v, sawRef := read(origin)
	if !sawRef {
		return build(plainRef{}, v)
	}
	x := new(R)
	if d.kinDecode(start, x) {
		stamp(x)
	}
	return x
}

// parameterRef reads a parameter where a Reference Object may stand.
func (d *jsonDecoder) parameterRef(origin *openapi3.Origin) *openapi3.ParameterRef {
	return refOrValue(d, "a parameter", true, origin, d.parameter,
		func(r plainRef, v *openapi3.Parameter) *openapi3.ParameterRef {
			return &openapi3.ParameterRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ParameterRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// headerRef reads a header where a Reference Object may stand.
func (d *jsonDecoder) headerRef(origin *openapi3.Origin) *openapi3.HeaderRef {
	return refOrValue(d, "a header", true, origin, d.header,
		func(r plainRef, v *openapi3.Header) *openapi3.HeaderRef {
			return &openapi3.HeaderRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.HeaderRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// requestBodyRef reads a request body where a Reference Object may stand.
func (d *jsonDecoder) requestBodyRef(origin *openapi3.Origin) *openapi3.RequestBodyRef {
	return refOrValue(d, "a request body", true, origin, d.requestBody,
		func(r plainRef, v *openapi3.RequestBody) *openapi3.RequestBodyRef {
			return &openapi3.RequestBodyRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.RequestBodyRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// responseRef reads a response where a Reference Object may stand.
func (d *jsonDecoder) responseRef(origin *openapi3.Origin) *openapi3.ResponseRef {
	return refOrValue(d, "a response", true, origin, d.response,
		func(r plainRef, v *openapi3.Response) *openapi3.ResponseRef {
			return &openapi3.ResponseRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ResponseRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// exampleRef reads an example where a Reference Object may stand.
func (d *jsonDecoder) exampleRef(origin *openapi3.Origin) *openapi3.ExampleRef {
	return refOrValue(d, "an example", true, origin, d.example,
		func(r plainRef, v *openapi3.Example) *openapi3.ExampleRef {
			return &openapi3.ExampleRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ExampleRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// linkRef reads a link where a Reference Object may stand.
func (d *jsonDecoder) linkRef(origin *openapi3.Origin) *openapi3.LinkRef {
	return refOrValue(d, "a link", true, origin, d.link,
		func(r plainRef, v *openapi3.Link) *openapi3.LinkRef {
			return &openapi3.LinkRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.LinkRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// callbackRef reads a callback where a Reference Object may stand.
func (d *jsonDecoder) callbackRef(origin *openapi3.Origin) *openapi3.CallbackRef {
	return refOrValue(d, "a callback", true, origin, d.callback,
		func(r plainRef, v *openapi3.Callback) *openapi3.CallbackRef {
			return &openapi3.CallbackRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.CallbackRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// securitySchemeRef reads a security scheme where a Reference Object may
// stand.
func (d *jsonDecoder) securitySchemeRef(origin *openapi3.Origin) *openapi3.SecuritySchemeRef {
	return refOrValue(d, "a security scheme", true, origin, d.securityScheme,
		func(r plainRef, v *openapi3.SecurityScheme) *openapi3.SecuritySchemeRef {
			return &openapi3.SecuritySchemeRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.SecuritySchemeRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}
