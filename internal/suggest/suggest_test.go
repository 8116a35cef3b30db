package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	ops := []string{"listAgentSessions", "listSessions", "getPet"}
	tests := []struct {
		name string
		want []string
	}{
		{"listAgentSesions", []string{"listAgentSessions", "listSessions"}},
		{"LISTSESSIONS", []string{"listSessions"}},
		{"Sessions", []string{"listSessions", "listAgentSessions"}},
		{"nothing", []string{}},
	}
	for _, tt := range tests {
		if got := Closest(tt.name, ops, 3); !slices.Equal(got, tt.want) {
			t.Errorf("Closest(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d", d)
	}
}
