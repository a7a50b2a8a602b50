package packetbox

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// limitMemory caps this process's growth at limit bytes beyond what it has mapped now: a Go
// process reserves much address space at start (the race detector far more), so a flat
// RLIMIT_AS would not let it run at all.
func limitMemory(limit int64) error {
	vm, data := procSizes()
	if err := setrlimit(unix.RLIMIT_AS, vm+uint64(limit)); err != nil {
		return err
	}
	return setrlimit(unix.RLIMIT_DATA, data+uint64(limit))
}

// limitCPU has the kernel kill this process once it used sec seconds of CPU (Go ignores
// SIGXCPU, so with equal soft and hard limits the end is a SIGKILL).
func limitCPU(sec int) error { return setrlimit(unix.RLIMIT_CPU, uint64(sec)) }

func setrlimit(res int, v uint64) error {
	var cur unix.Rlimit
	if err := unix.Getrlimit(res, &cur); err != nil {
		return err
	}
	if cur.Max != unix.RLIM_INFINITY && v > cur.Max {
		v = cur.Max
	}
	return unix.Setrlimit(res, &unix.Rlimit{Cur: v, Max: v})
}

// procSizes returns VmSize and VmData of this process in bytes.
func procSizes() (vm, data uint64) {
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
