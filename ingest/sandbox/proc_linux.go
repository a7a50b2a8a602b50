package sandbox

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// setProcessGroup puts a child in its own process group, so that a kill reaches whatever it
// started, and has the kernel kill it should the parent die.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) {
	if pid > 0 {
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// userHZ is the unit of the times in /proc/PID/stat (USER_HZ, 100 on every Linux architecture
// Go supports).
const userHZ = 100

// cpuTime is the CPU time a process has used: its threads, and with children the programs it
// started and waited for (the tools profile's OCR and LibreOffice).
func cpuTime(pid int, children bool) (time.Duration, bool) {
	if !children {
		if d, ok := threadsCPU(pid); ok {
			return d, true
		}
	}
	return procCPU(pid)
}

// threadsCPU reads the CPU time of a process's threads from its CPU-time clock
// (clock_getcpuclockid(3): CPUCLOCK_SCHED of the whole process), one system call where
// /proc/PID/stat is an open, a read, a close and a parse: 2 % of the server's CPU under the load
// tool, read at the start of every file.
func threadsCPU(pid int) (time.Duration, bool) {
	clock := int32((^pid)<<3 | 2)
	var ts unix.Timespec
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// procCPU is cpuTime with the children, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: count fields after its end.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return 0, false
	}
	var ticks int64
	for _, s := range f[11:15] { // utime, stime, cutime, cstime
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, true
}

// residentBytes is a process's resident memory.
func residentBytes(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return n * int64(os.Getpagesize()), true
}

// signalOf is the signal that ended a process, if one did.
func signalOf(st *os.ProcessState) (os.Signal, bool) {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return nil, false
	}
	return ws.Signal(), true
}

// cpuKill: SIGXCPU, or the SIGKILL the kernel sends at the hard RLIMIT_CPU.
func cpuKill(sig os.Signal) bool { return sig == syscall.SIGXCPU || sig == syscall.SIGKILL }
