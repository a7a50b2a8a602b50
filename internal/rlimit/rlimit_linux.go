// Package rlimit sets the kernel's resource limits of this process, for the children that read
// or assemble files others sent (ingest/sandbox, internal/packetbox, cmd/pdfcompare).
package rlimit

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Set sets soft and hard limit of resource res to v (never above the current hard limit). The
// syscall package's Setrlimit is used so that programs started later inherit a new
// RLIMIT_NOFILE rather than the one the Go runtime saved at start.
func Set(res int, v uint64) error {
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(res, &cur); err != nil {
		return err
	}
	if cur.Max != unix.RLIM_INFINITY && v > cur.Max {
		v = cur.Max
	}
	return syscall.Setrlimit(res, &syscall.Rlimit{Cur: v, Max: v})
}

// Growth caps this process's growth at limit bytes beyond what it has mapped now (RLIMIT_AS
// and RLIMIT_DATA): a Go process reserves much address space at start (the race detector far
// more), so a flat RLIMIT_AS would not let it run at all.
func Growth(limit int64) error {
	vm, data := Sizes()
	if err := Set(unix.RLIMIT_AS, vm+uint64(limit)); err != nil {
		return err
	}
	return Set(unix.RLIMIT_DATA, data+uint64(limit))
}

// CPU has the kernel kill this process once it used sec seconds of CPU (Go ignores SIGXCPU, so
// with equal soft and hard limits the end is a SIGKILL).
func CPU(sec int) error { return Set(unix.RLIMIT_CPU, uint64(sec)) }

// Sizes returns VmSize and VmData of this process in bytes (0 when /proc cannot say).
func Sizes() (vm, data uint64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if !ok || len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmSize":
			vm = n << 10
		case "VmData":
			data = n << 10
		}
	}
	return vm, data
}
