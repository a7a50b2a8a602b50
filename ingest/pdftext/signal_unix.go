//go:build unix

package pdftext

import (
	"os"
	"syscall"
)

// killedBy reports the signal that ended a child, and a function that says
// whether that was the CPU-time limit: SIGXCPU, or the SIGKILL the kernel
// sends at the hard limit, given whether the child's CPU time reached it.
func killedBy(st *os.ProcessState) (sig os.Signal, cpuKill func(atLimit bool) bool, ok bool) {
	ws, isWS := st.Sys().(syscall.WaitStatus)
	if !isWS || !ws.Signaled() {
		return nil, nil, false
	}
	s := ws.Signal()
	return s, func(atLimit bool) bool {
		return s == syscall.SIGXCPU || (s == syscall.SIGKILL && atLimit)
	}, true
}
