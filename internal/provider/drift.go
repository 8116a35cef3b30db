package provider

import (
	"fmt"
	"strings"
)

// Drift is a set of ways the provider breaks the contract; the zero value
// is a provider that conforms.
type Drift uint

const (
	// RenamedField: the v2 sessions carry "agentKey" instead of the
	// required "agent_key".
	RenamedField Drift = 1 << iota
	// Undocumented500: a valid v2 list request is answered 500, a status
	// listAgentSessions does not document.
	Undocumented500
	// WrongType: the v1 list's "total" is a string instead of an integer.
	WrongType
	// MissingHeader: 401 answers lack the WWW-Authenticate header the spec
	// requires.
	MissingHeader
)

// Drifts lists every single drift, in declaration order.
var Drifts = []Drift{RenamedField, Undocumented500, WrongType, MissingHeader}

var driftNames = map[Drift]string{
	RenamedField:    "renamed-field",
	Undocumented500: "undocumented-500",
	WrongType:       "wrong-type",
	MissingHeader:   "missing-header",
}

// String names the drifts of d, comma-separated; "none" for the zero value.
func (d Drift) String() string {
	if d == 0 {
		return "none"
	}
	var names []string
	for _, one := range Drifts {
		if d&one != 0 {
			names = append(names, driftNames[one])
		}
	}
	if rest := d &^ (RenamedField | Undocumented500 | WrongType | MissingHeader); rest != 0 {
		names = append(names, fmt.Sprintf("drift(%#x)", uint(rest)))
	}
	return strings.Join(names, ",")
}

// UnmarshalText parses a comma-separated list of drift names ("none" or ""
// for none). An unknown name is an error listing the known ones.
func (d *Drift) UnmarshalText(b []byte) error {
	var out Drift
	for _, name := range strings.Split(string(b), ",") {
		name = strings.TrimSpace(strings.ToLower(name))
		if name == "" || name == "none" {
			continue
		}
		found := false
		for one, n := range driftNames {
			if n == name {
				out |= one
				found = true
			}
		}
		if !found {
			return fmt.Errorf("unknown drift %q (known: none, renamed-field, undocumented-500, wrong-type, missing-header)", name)
		}
	}
	*d = out
	return nil
}

// MarshalText returns String.
func (d Drift) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
