package openapi

import (
	"regexp"
	"strings"
)

// The JSON Schema 2020-12 validator (used for 3.1 documents) words its
// errors tersely ("maximum: got 500, want 100") and prefixes them with the
// location, which Decoy reports separately. humanize rewrites them in the
// plain words the 3.0 validator uses, so both read alike.
var (
	locationPrefix = regexp.MustCompile(`^(?:error at "[^"]*": )?(?:at '[^']*': )?`)
	rewrites       = []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`^maximum: got (\S+), want (\S+)$`), "must be at most $2 (got $1)"},
		{regexp.MustCompile(`^minimum: got (\S+), want (\S+)$`), "must be at least $2 (got $1)"},
		{regexp.MustCompile(`^exclusiveMaximum: got (\S+), want (\S+)$`), "must be less than $2 (got $1)"},
		{regexp.MustCompile(`^exclusiveMinimum: got (\S+), want (\S+)$`), "must be greater than $2 (got $1)"},
		{regexp.MustCompile(`^multipleOf: got (\S+), want (\S+)$`), "must be a multiple of $2 (got $1)"},
		{regexp.MustCompile(`^maxLength: got (\d+), want (\d+)$`), "must be at most $2 characters long (got $1)"},
		{regexp.MustCompile(`^minLength: got (\d+), want (\d+)$`), "must be at least $2 characters long (got $1)"},
		{regexp.MustCompile(`^maxItems: got (\d+), want (\d+)$`), "must have at most $2 items (got $1)"},
		{regexp.MustCompile(`^minItems: got (\d+), want (\d+)$`), "must have at least $2 items (got $1)"},
		{regexp.MustCompile(`^maxProperties: got (\d+), want (\d+)$`), "must have at most $2 properties (got $1)"},
		{regexp.MustCompile(`^minProperties: got (\d+), want (\d+)$`), "must have at least $2 properties (got $1)"},
		{regexp.MustCompile(`^got (\S+), want (.+)$`), "must be $2, not $1"},
		{regexp.MustCompile(`^missing property '([^']*)'$`), "required property \"$1\" is missing"},
		{regexp.MustCompile(`^missing properties (.+)$`), "required properties $1 are missing"},
		{regexp.MustCompile(`^additional properties (.+) not allowed$`), "properties $1 are not allowed"},
		{regexp.MustCompile(`<nil>`), "null"},
	}
)

func humanize(msg string) string {
	msg = locationPrefix.ReplaceAllString(msg, "")
	for _, r := range rewrites {
		msg = r.re.ReplaceAllString(msg, r.with)
	}
	return msg
}

// parseReason words a parameter that could not be parsed: `value "maybe"
// is not a valid boolean`.
func parseReason(value any, reason string) string {
	reason = strings.TrimPrefix(reason, "an invalid ")
	reason = strings.TrimPrefix(reason, "a invalid ")
	if s, ok := value.(string); ok {
		return `value "` + s + `" is not a valid ` + reason
	}
	return "is not a valid " + reason
}
