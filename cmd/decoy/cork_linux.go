package main

import "syscall"

const canCork = true

// setCork sets TCP_CORK on the connection; unsetting it sends what waits.
// It reports whether the option was set.
func setCork(rc syscall.RawConn, on bool) bool {
	v := 0
	if on {
		v = 1
	}
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
	return err == nil && serr == nil
}
