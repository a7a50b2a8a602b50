//go:build !linux

package sandbox

import (
	"os"
	"os/exec"
	"time"
)

func setProcessGroup(cmd *exec.Cmd) {}

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func cpuTime(pid int, children bool) (time.Duration, bool) { return 0, false }

func residentBytes(pid int) (int64, bool) { return 0, false }

func signalOf(st *os.ProcessState) (os.Signal, bool) { return nil, false }

func cpuKill(sig os.Signal) bool { return false }
