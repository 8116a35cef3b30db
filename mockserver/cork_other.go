//go:build !linux

package mockserver

import "syscall"

const canCork = false

func setCork(syscall.RawConn, bool) bool { return false }
