package main

import "syscall"

// sysProcAttr makes the kernel kill decoy if the soak dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
