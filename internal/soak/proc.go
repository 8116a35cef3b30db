package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procSample is what /proc says about the decoy process at one moment.
// There is no goroutine count from outside the process: threads stand in.
type procSample struct {
	at       time.Time
	rss, hwm int64 // bytes: VmRSS and VmHWM (the peak RSS so far)
	threads  int
	fds      int
}

func (s procSample) String() string {
	return fmt.Sprintf("RSS %s (peak %s), %d threads, %d fds", mibs(s.rss), mibs(s.hwm), s.threads, s.fds)
}

// sample reads /proc/PID/status and /proc/PID/fd (Linux only).
func sample(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("sampling decoy (the soak needs Linux /proc): %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			s.rss = n << 10 // kB
		case "VmHWM":
			s.hwm = n << 10
		case "Threads":
			s.threads = int(n)
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, fmt.Errorf("counting decoy's fds: %w", err)
	}
	s.fds = len(fds)
	return s, nil
}

func peakRSS(list []procSample) int64 {
	var m int64
	for _, s := range list {
		m = max(m, s.rss, s.hwm)
	}
	return m
}

func peakThreads(list []procSample) int {
	m := 0
	for _, s := range list {
		m = max(m, s.threads)
	}
	return m
}

func peakFDs(list []procSample) int {
	m := 0
	for _, s := range list {
		m = max(m, s.fds)
	}
	return m
}

// sampleLine is every sample's RSS / threads / fds, in order.
func sampleLine(list []procSample) string {
	parts := make([]string, 0, len(list))
	for _, s := range list {
		parts = append(parts, fmt.Sprintf("%.1fM/%dt/%dfd", float64(s.rss)/mib, s.threads, s.fds))
	}
	return strings.Join(parts, " ")
}
