package openapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// The string formats Decoy asserts on requests, in 3.0 and 3.1 alike, in
// parameters and bodies. Each check says what is wrong in a few words; the
// validator words the rest ("string doesn't match the format "uuid" (…)").
//
// They are Decoy's, not the library's package-level table: a Validator gets
// them through its own options (ValidatorOptions.StringFormats), so two
// specs, or a program embedding Decoy, never see each other's formats.
var stringFormatChecks = map[string]func(string) error{
	"uuid":          checkUUID,
	"date-time":     checkDateTime,
	"date":          checkDate,
	"time":          checkTime,
	"email":         checkEmail,
	"hostname":      checkHostname,
	"ipv4":          checkIPv4,
	"ipv6":          checkIPv6,
	"uri":           checkURI,
	"uri-reference": checkURIReference,
	"byte":          checkByte,
}

// annotationFormats are the formats the OpenAPI format registry names that
// say nothing a value can break (binary, password) or that the library
// asserts through its number tables (int32, int64, float, double).
var annotationFormats = map[string]bool{
	"binary": true, "password": true, "int32": true, "int64": true, "float": true, "double": true,
}

// strictStringFormats are the formats a value Decoy generates must meet, on
// top of the library's: well formed even for a stricter consumer than
// Decoy. It is never written after initialisation.
var strictStringFormats = map[string]openapi3.StringFormatValidator{
	"uuid":     openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562),
	"email":    openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	"ipv4":     openapi3.NewIPValidator(true),
	"ipv6":     openapi3.NewIPValidator(false),
	"hostname": openapi3.NewRegexpFormatValidator(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))*$`),
	"time":     openapi3.NewRegexpFormatValidator(`^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`),
	"uri": openapi3.NewCallbackValidator(func(s string) error {
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if u.Scheme == "" {
			return errors.New("uri has no scheme")
		}
		return nil
	}),
	"date":      openapi3.SchemaStringFormats["date"],
	"date-time": openapi3.SchemaStringFormats["date-time"],
	"byte":      openapi3.SchemaStringFormats["byte"],
}

// StrictStringFormat returns the check a generated string of format must
// pass (see Spec.GeneratedValidator); nil when the format asks nothing more
// than the library's.
func StrictStringFormat(format string) openapi3.StringFormatValidator {
	return strictStringFormats[format]
}

// StrictStringFormats returns the table of StrictStringFormat, for the
// library's WithStringFormatValidators option; it must not be written.
func StrictStringFormats() map[string]openapi3.StringFormatValidator {
	return strictStringFormats
}

// requestStringFormats returns a new table of Decoy's string format
// validators, for one Validator's options.
func requestStringFormats() map[string]openapi3.StringFormatValidator {
	out := make(map[string]openapi3.StringFormatValidator, len(stringFormatChecks))
	for name, check := range stringFormatChecks {
		out[name] = openapi3.NewCallbackValidator(check)
	}
	return out
}

// knownFormat reports whether Decoy asserts or knowingly ignores format.
func knownFormat(format string) bool {
	if _, ok := stringFormatChecks[format]; ok {
		return true
	}
	return annotationFormats[format]
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkUUID accepts RFC 9562's textual form, any version and variant:
// what JSON Schema's "uuid" means.
func checkUUID(s string) error {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' ||
		!isHex(s[:8]) || !isHex(s[9:13]) || !isHex(s[14:18]) || !isHex(s[19:23]) || !isHex(s[24:]) {
		return errors.New("not a UUID such as 123e4567-e89b-12d3-a456-426614174000")
	}
	return nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkDate accepts an RFC 3339 full-date that exists (no February 30).
func checkDate(s string) error {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return errors.New("not an RFC 3339 date such as 2024-01-31")
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return errors.New("not a day of the calendar")
	}
	return nil
}

// checkTime accepts an RFC 3339 partial-time with an optional offset
// (JSON Schema wants the offset; clients of APIs that say "time" often
// leave it out, and nothing in the value is ambiguous without it).
func checkTime(s string) error {
	if !validTime(s, true) {
		return errors.New("not an RFC 3339 time such as 14:30:00Z")
	}
	return nil
}

// validTime reads hh:mm:ss[.frac][offset]; offset is optional if allowed.
func validTime(s string, optionalOffset bool) bool {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' || !digits(s[:2]) || !digits(s[3:5]) || !digits(s[6:8]) {
		return false
	}
	h, m, sec := atoi2(s[:2]), atoi2(s[3:5]), atoi2(s[6:8])
	if h > 23 || m > 59 || sec > 60 {
		return false
	}
	rest := s[8:]
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	switch {
	case rest == "":
		return optionalOffset
	case rest == "Z" || rest == "z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && digits(rest[1:3]) && digits(rest[4:]):
		return atoi2(rest[1:3]) <= 23 && atoi2(rest[4:]) <= 59
	}
	return false
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// checkDateTime accepts an RFC 3339 date-time: a date, T, a time and an
// offset (lowercase t and z too, as RFC 3339 allows).
func checkDateTime(s string) error {
	if len(s) < 20 || (s[10] != 'T' && s[10] != 't') || checkDate(s[:10]) != nil || !validTime(s[11:], false) {
		return errors.New("not an RFC 3339 date-time such as 2024-01-31T14:30:00Z")
	}
	return nil
}

// checkEmail accepts an RFC 5322 addr-spec (no display name, no angle
// brackets) whose domain has a dot-free or dotted host name.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return errors.New("not an email address such as ann@example.com")
	}
	return nil
}

// checkHostname accepts an RFC 1123 host name.
func checkHostname(s string) error {
	if !validHostname(s) {
		return errors.New("not a host name such as api.example.com")
	}
	return nil
}

func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func checkIPv4(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return errors.New("not an IPv4 address such as 192.0.2.1")
	}
	return nil
}

func checkIPv6(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return errors.New("not an IPv6 address such as 2001:db8::1")
	}
	return nil
}

// uriChars reports whether s holds only characters a URI may (RFC 3986):
// no spaces, controls, or non-ASCII (an IRI is another format).
func uriChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0 {
			return false
		}
	}
	return true
}

func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || !uriChars(s) || u.Scheme == "" {
		return errors.New("not an absolute URI such as https://example.com/a")
	}
	return nil
}

func checkURIReference(s string) error {
	if _, err := url.Parse(s); err != nil || !uriChars(s) {
		return errors.New("not a URI reference such as /a/b?c=d")
	}
	return nil
}

// checkByte accepts base64 (RFC 4648), standard or URL-safe, padded or not.
func checkByte(s string) error {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if _, err := enc.DecodeString(s); err == nil {
			return nil
		}
	}
	return errors.New("not base64")
}

// formatFinder gathers the unknown formats of the schemas it visits: the
// first place each is used, and how often.
type formatFinder struct {
	found map[string]*formatUse
}

type formatUse struct {
	pointer string
	origin  *openapi3.Origin
	count   int
}

func newFormatFinder() *formatFinder { return &formatFinder{found: map[string]*formatUse{}} }

func (ff *formatFinder) visit(pointer string, s *openapi3.Schema) {
	if s.Format == "" || knownFormat(s.Format) {
		return
	}
	if f := ff.found[s.Format]; f != nil {
		f.count++
	} else {
		ff.found[s.Format] = &formatUse{pointer: pointer, origin: s.Origin, count: 1}
	}
}

func (ff *formatFinder) findings() []Finding {
	found := ff.found
	names := sortedKeys(found)
	out := make([]Finding, 0, len(names))
	for _, name := range names {
		f := found[name]
		msg := fmt.Sprintf("format %q is not one Decoy asserts; it is an annotation and values are not checked against it", name)
		if f.count > 1 {
			msg += fmt.Sprintf(" (used by %d schemas)", f.count)
		}
		out = append(out, Finding{Where: where(f.origin), Pointer: f.pointer + "/format", Class: ClassUnknownFormat, Message: msg})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
