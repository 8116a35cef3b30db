package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// findingsShown is how many findings of one class are printed unless every
// one is asked for (--all): enough to see what the class is about, few
// enough that hundreds of findings still read as a summary.
const findingsShown = 20

// outputFormat is text or json; it parses once for flags and env alike.
type outputFormat string

func (o *outputFormat) UnmarshalText(b []byte) error {
	switch s := strings.ToLower(string(b)); s {
	case "text", "json":
		*o = outputFormat(s)
		return nil
	}
	return fmt.Errorf("unknown format %q (known: text, json)", b)
}

func (o outputFormat) MarshalText() ([]byte, error) { return []byte(o), nil }

// printFindings writes list grouped by class, the classes in name order,
// each as its name and count, then its findings in place order as
// "file:line:col: /pointer: message". Unless all is set, it prints the
// first findingsShown of a class and says how many more there are and that
// more lists them.
func printFindings(w io.Writer, list mockserver.FindingList, all bool, more string) {
	groups := map[string][]openapi.Finding{}
	for _, f := range list.Findings {
		groups[f.Class] = append(groups[f.Class], f)
	}
	classes := make([]string, 0, len(groups))
	for c := range groups {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	for _, c := range classes {
		fs := groups[c]
		name := c
		if name == "" {
			name = "unclassified"
		}
		fmt.Fprintf(w, "%s (%d)\n", name, len(fs))
		for i, f := range fs {
			if !all && i == findingsShown {
				fmt.Fprintf(w, "  ... and %d more (%s)\n", len(fs)-i, more)
				break
			}
			fmt.Fprintf(w, "  %s\n", findingLine(f))
		}
	}
}

// findingLine is a finding as a compiler would print it, without its class.
func findingLine(f openapi.Finding) string {
	var b strings.Builder
	if f.Where != "" {
		b.WriteString(f.Where)
		b.WriteString(": ")
	}
	if f.Pointer != "" {
		b.WriteString(f.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// writeFindingsJSON writes the findings as a JSON array of openapi.Finding.
func writeFindingsJSON(w io.Writer, list mockserver.FindingList) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(list.Findings)
}

// countFindings is "1 finding" or "N findings".
func countFindings(n int) string {
	if n == 1 {
		return "1 finding"
	}
	return fmt.Sprintf("%d findings", n)
}

// validateCommand is the `decoy validate` command line that loads the same
// spec the same way as f, to list its findings.
func (f *projectFlags) validateCommand() string {
	args := []string{"decoy", "validate"}
	for _, kv := range []struct{ flag, value string }{{"--dir", f.dir}, {"--spec", f.spec}, {"--ref-root", f.refRoot}} {
		if kv.value != "" {
			args = append(args, kv.flag, shellQuote(kv.value))
		}
	}
	if f.allowRemoteRefs {
		args = append(args, "--allow-remote-refs")
	}
	if f.maxSpecSize != openapi.DefaultMaxSpecBytes {
		if b, err := f.maxSpecSize.MarshalText(); err == nil {
			args = append(args, "--max-spec-size", string(b))
		}
	}
	if f.maxFileSize != 0 && f.maxFileSize != mockserver.DefaultMaxFileBytes {
		if b, err := f.maxFileSize.MarshalText(); err == nil {
			args = append(args, "--max-file-size", string(b))
		}
	}
	return strings.Join(args, " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
