package extcmd

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the program in its own process group, so that a kill reaches anything it
// started, and has the kernel kill it if the parent dies.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) error {
	if pid <= 0 {
		return nil
	}
	return syscall.Kill(-pid, syscall.SIGKILL)
}
