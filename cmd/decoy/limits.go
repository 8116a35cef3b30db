package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
)

// byteSize is a size in bytes written as 1048576, 512KiB, 10MiB, 1GiB (or
// KB/MB/GB, taken as the binary units too).
type byteSize int64

var byteUnits = []struct {
	suffix string
	n      int64
}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}}

func (b *byteSize) UnmarshalText(text []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(text)))
	mult := int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size (e.g. 1048576, 512KiB, 10MiB)", text)
	}
	*b = byteSize(n * mult)
	return nil
}

func (b byteSize) MarshalText() ([]byte, error) {
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if int64(b) >= u.n && int64(b)%u.n == 0 {
			return []byte(strconv.FormatInt(int64(b)/u.n, 10) + u.suffix), nil
		}
	}
	return []byte(strconv.FormatInt(int64(b), 10)), nil
}

// isLoopback reports whether host only accepts connections from this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// longestLatency is the longest wait any scenario can add to a response.
func longestLatency(cfg *mockserver.Config) time.Duration {
	var longest time.Duration
	if cfg.Scenarios == nil {
		return 0
	}
	for _, name := range cfg.Scenarios.Names() {
		for _, r := range cfg.Scenarios.Lookup(name).Rules {
			if r.Latency.Max > longest {
				longest = r.Latency.Max
			}
			if r.Latency.Min > longest {
				longest = r.Latency.Min
			}
		}
	}
	return longest
}
