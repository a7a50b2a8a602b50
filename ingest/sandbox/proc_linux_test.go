package sandbox

import (
	"os"
	"testing"
	"time"
)

// threadsCPU reads the same time as /proc/PID/stat, in nanoseconds rather than ticks: a
// second of work moves both by about a second.
func TestThreadsCPUAgreesWithProc(t *testing.T) {
	pid := os.Getpid()
	clock0, ok1 := threadsCPU(pid)
	proc0, ok2 := procCPU(pid)
	if !ok1 || !ok2 {
		t.Fatalf("threadsCPU %v, procCPU %v", ok1, ok2)
	}
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
	}
	clock, _ := threadsCPU(pid)
	proc, _ := procCPU(pid)
	dc, dp := clock-clock0, proc-proc0
	if dc < 250*time.Millisecond || dc > 2*time.Second {
		t.Errorf("300 ms of work moved the CPU clock by %v", dc)
	}
	if diff := dc - dp; diff < -50*time.Millisecond || diff > 50*time.Millisecond {
		t.Errorf("the CPU clock moved %v, /proc/PID/stat %v", dc, dp)
	}
	if _, ok := threadsCPU(1 << 22); ok {
		t.Error("a CPU time for a process that does not exist")
	}
}
