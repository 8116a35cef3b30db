package scenarios

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const afterTwo = `
name: third
description: the third call fails.
rules:
  - operations: [listPets]
    status: 500
    allowUndocumented: true
    when: {after: 2, times: 1}
`

// TestCarryFromKeepsCountersOfUnchangedScenarios: a reload keeps the rate
// limit window and the "after N" count of a scenario whose rules are the
// same (whatever its description or place in the file), and starts a
// changed one from zero.
func TestCarryFromKeepsCountersOfUnchangedScenarios(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	opts := Options{Now: clock.Now}
	old := loadYAML(t, spec, opts, "rl.yaml", rateLimited, "third.yaml", afterTwo)
	auth := map[string]string{"Authorization": "Bearer k1"}
	for range 5 {
		decide(t, old, spec, "rl", req{op: "listPets", header: auth})
	}
	for range 2 {
		decide(t, old, spec, "third", req{op: "listPets"})
	}

	// Same rules, another description and place: both kept.
	next := loadYAML(t, spec, opts, "rl.yaml", "# moved\n"+rateLimited, "third.yaml", strings.Replace(afterTwo, "the third call fails", "call 3 fails", 1))
	if kept := next.CarryFrom(old); !slices.Equal(kept, []string{"rl", "third"}) {
		t.Fatalf("kept %v, want [rl third]", kept)
	}
	clock.Advance(time.Second)
	if d, _ := decide(t, next, spec, "rl", req{op: "listPets", header: auth}); d.RateLimit == nil || !d.RateLimit.Limited {
		t.Errorf("the 6th call in the window after a reload was not limited: %+v", d)
	}
	if d, ok := decide(t, next, spec, "third", req{op: "listPets"}); !ok || d.Status != 500 {
		t.Errorf("the 3rd call after a reload: %s, want 500", outcome(d, ok))
	}

	// A changed limit is a new rule: its window starts empty.
	changed := loadYAML(t, spec, opts, "rl.yaml", strings.Replace(rateLimited, "limit: 5", "limit: 6", 1), "third.yaml", afterTwo)
	if kept := changed.CarryFrom(next); !slices.Equal(kept, []string{"third"}) {
		t.Fatalf("kept %v, want [third]", kept)
	}
	if d, _ := decide(t, changed, spec, "rl", req{op: "listPets", header: auth}); d.RateLimit == nil || d.RateLimit.Limited || d.RateLimit.Remaining != 5 {
		t.Errorf("a changed rate limit kept its window: %+v", d.RateLimit)
	}
	// The carried copy is independent of the old set.
	if d, _ := decide(t, old, spec, "rl", req{op: "listPets", header: auth}); d.RateLimit == nil || !d.RateLimit.Limited {
		t.Errorf("the old set lost its own counters: %+v", d.RateLimit)
	}
}
