//go:build unix

package mockserver_test

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU this process has used; false
// where the system does not say.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
