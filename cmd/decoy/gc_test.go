package main

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want int
	}{
		{0, gcMaxPercent},
		{4 << 20, gcMaxPercent}, // the default project: as high as allowed
		{16 << 20, 200},         // 32 MiB of growth is twice the live heap
		{32 << 20, 100},         // the default from here on
		{85 << 20, 100},         // GitHub's spec: never below the default
		{1 << 40, 100},
	} {
		if got := gcPercentFor(tt.live); got != tt.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", tt.live>>20, got, tt.want)
		}
	}
}
