package mockserver

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/openapi"
)

// encodeXML renders v as XML for an XML media type, naming elements after the
// schema's xml.name where given, else after the property. It returns false
// for media types that are not XML.
func encodeXML(media *openapi.Media, v any) ([]byte, bool) {
	mt, _, _ := mime.ParseMediaType(media.Type)
	if mt != "application/xml" && mt != "text/xml" && !strings.HasSuffix(mt, "+xml") {
		return nil, false
	}
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	name := "root"
	if schema != nil && schema.XML != nil && schema.XML.Name != "" {
		name = schema.XML.Name
	} else if media.Schema != nil && media.Schema.Ref != "" {
		name = media.Schema.Ref[strings.LastIndex(media.Schema.Ref, "/")+1:]
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	writeXML(&buf, name, schema, v)
	return buf.Bytes(), true
}

func writeXML(buf *bytes.Buffer, name string, schema *openapi3.Schema, v any) {
	switch t := v.(type) {
	case []any:
		var items *openapi3.Schema
		if schema != nil && schema.Items != nil {
			items = schema.Items.Value
		}
		itemName := name
		if items != nil && items.XML != nil && items.XML.Name != "" {
			itemName = items.XML.Name
		}
		wrapped := schema != nil && schema.XML != nil && schema.XML.Wrapped
		if wrapped {
			fmt.Fprintf(buf, "<%s>", name)
		}
		for _, e := range t {
			writeXML(buf, itemName, items, e)
		}
		if wrapped {
			fmt.Fprintf(buf, "</%s>", name)
		}
	case map[string]any:
		fmt.Fprintf(buf, "<%s>", name)
		for _, k := range sortedKeys(t) {
			var prop *openapi3.Schema
			if schema != nil && schema.Properties[k] != nil {
				prop = schema.Properties[k].Value
			}
			child := k
			if prop != nil && prop.XML != nil && prop.XML.Name != "" {
				child = prop.XML.Name
			}
			writeXML(buf, child, prop, t[k])
		}
		fmt.Fprintf(buf, "</%s>", name)
	default:
		fmt.Fprintf(buf, "<%s>", name)
		if v != nil {
			_ = xml.EscapeText(buf, []byte(headerValue(v)))
		}
		fmt.Fprintf(buf, "</%s>", name)
	}
}
