//go:build linux

package rlimit

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Limits are set in a child of the test binary (they cannot be raised back): the child reports
// what it has.
func TestMain(m *testing.M) {
	if os.Getenv("RLIMIT_TEST_CHILD") == "1" {
		if err := Growth(64 << 20); err != nil {
			os.Exit(2)
		}
		if err := CPU(7); err != nil {
			os.Exit(3)
		}
		var as, cpu unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_AS, &as)
		unix.Getrlimit(unix.RLIMIT_CPU, &cpu)
		vm, _ := Sizes()
		if as.Cur < vm || as.Cur > vm+80<<20 || cpu.Cur != 7 || cpu.Max != 7 {
			os.Stdout.WriteString("wrong limits\n")
			os.Exit(4)
		}
		os.Stdout.WriteString("limits ok\n")
		// Past the growth, allocation fails: the runtime dies out of memory (out of address
		// space under the race detector).
		sink = make([]byte, 512<<20)
		for i := range sink {
			sink[i] = 1
		}
		os.Stdout.WriteString("allocated\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestGrowthAndCPU(t *testing.T) {
	if vm, data := Sizes(); vm == 0 || data == 0 {
		t.Fatalf("sizes %d %d", vm, data)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RLIMIT_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "limits ok") || strings.Contains(string(out), "allocated") ||
		err == nil || !(strings.Contains(string(out), "out of memory") || strings.Contains(string(out), "address space")) {
		t.Fatalf("child (want its limits set, then death out of memory): %v\n%s", err, out)
	}
}

var sink []byte
