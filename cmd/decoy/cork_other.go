//go:build !linux

package main

import "syscall"

const canCork = false

func setCork(syscall.RawConn, bool) bool { return false }
