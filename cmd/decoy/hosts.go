package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/decoy-mock/decoy/mockserver"
)

// hostList is the repeatable --allowed-host flag: each value may also be a
// comma-separated list.
type hostList struct {
	names []string
	set   bool
}

func (h *hostList) String() string { return strings.Join(h.names, ",") }

func (h *hostList) Set(v string) error {
	h.set = true
	for _, n := range strings.Split(v, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		// A name matches itself unless it cannot be a Host value at all
		// (a bad port); a URL would never match any request.
		if n != "*" && (strings.ContainsAny(n, "/@ \t") || !mockserver.HostAllowed(n, []string{n})) {
			return fmt.Errorf("%q is not a host name or address such as decoy.internal, 192.168.1.20 or [fd00::1] (no scheme, no path)", n)
		}
		h.names = append(h.names, n)
	}
	return nil
}

// registerAllowedHosts adds --allowed-host to fs.
func registerAllowedHosts(fs *flag.FlagSet) *hostList {
	h := &hostList{}
	fs.Var(h, "allowed-host", "also answer the admin API and --pprof when addressed by this Host `name` (repeatable, or comma-separated; env DECOY_ALLOWED_HOSTS); "+
		"by default only localhost, *.localhost, 127.0.0.1 and [::1] are, so that no web page can rename itself to Decoy's address (DNS rebinding); '*' allows any")
	return h
}

// readEnv fills the list from DECOY_ALLOWED_HOSTS, the plural the flag's
// help names, unless the flag (or DECOY_ALLOWED_HOST) gave it. Call it
// after parse; a bad name is a usage error.
func (h *hostList) readEnv() error {
	if h.set {
		return nil
	}
	v, ok := os.LookupEnv("DECOY_ALLOWED_HOSTS")
	if !ok {
		return nil
	}
	if err := h.Set(v); err != nil {
		return usagef("DECOY_ALLOWED_HOSTS=%q: %v (it sets --allowed-host)", v, err)
	}
	return nil
}
