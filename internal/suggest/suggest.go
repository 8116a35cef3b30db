// Package suggest finds the names a mistyped name was probably meant to be,
// for "did you mean" messages in every loader.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns up to n of candidates nearest to name by edit distance,
// case-insensitively and nearest first: only those close enough to be a
// plausible typo, or that contain name when it has at least 4 letters.
// It returns an empty slice when none is close.
func Closest(name string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	var out []scored
	lower := strings.ToLower(name)
	limit := max(2, len(name)/3)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(lower, lc)
		if d <= limit || len(lower) >= 4 && strings.Contains(lc, lower) {
			out = append(out, scored{c, d})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return a.d - b.d })
	res := make([]string, 0, n)
	for i := 0; i < len(out) && i < n; i++ {
		res = append(res, out[i].s)
	}
	return res
}

// Distance is the Levenshtein distance of a and b, in bytes; strings over
// 200 bytes count as entirely different, to bound the work.
func Distance(a, b string) int {
	if len(a) > 200 || len(b) > 200 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
