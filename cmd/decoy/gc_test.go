package main

import "testing"

// TestGCDefaultsLeaveTheUsersSettings: GOGC and GOMEMLIMIT set by the user
// win; unset, the binary's measured defaults apply. (The test only computes
// them: nothing here changes this process's collector.)
func TestGCDefaultsLeaveTheUsersSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	tests := []struct {
		env     map[string]string
		percent int
		limit   int64
	}{
		{nil, defaultGCPercent, defaultMemoryLimit},
		{map[string]string{"GOGC": "100"}, -1, defaultMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "256MiB"}, defaultGCPercent, -1},
		{map[string]string{"GOGC": "off", "GOMEMLIMIT": "2GiB"}, -1, -1},
	}
	for _, tt := range tests {
		p, l := gcDefaults(env(tt.env))
		if p != tt.percent || l != tt.limit {
			t.Errorf("%v: %d, %d; want %d, %d", tt.env, p, l, tt.percent, tt.limit)
		}
	}
}
