package main

import (
	"regexp"
	"testing"
)

func TestBannerPrintsTheDashboardURL(t *testing.T) {
	out, _ := serveUntil(t, "dashboard:")
	if !regexp.MustCompile(`(?m)^  dashboard: http://127\.0\.0\.1:\d+/__decoy/$`).MatchString(out) {
		t.Errorf("banner lacks the dashboard's URL:\n%s", out)
	}
}
