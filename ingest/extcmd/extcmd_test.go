package extcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func sh(t *testing.T) string {
	p, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	out, err := Cmd{Path: sh(t), Args: []string{"-c", "echo $FOO; pwd"}, Env: []string{"FOO=bar"}, Dir: t.TempDir()}.Run(context.Background())
	if err != nil || !strings.HasPrefix(string(out), "bar\n/") {
		t.Errorf("%q %v", out, err)
	}
	// Nothing of the parent's environment leaks in.
	t.Setenv("LEAK", "x")
	out, err = Cmd{Path: sh(t), Args: []string{"-c", "echo ${LEAK:-none}"}}.Run(context.Background())
	if err != nil || string(out) != "none\n" {
		t.Errorf("%q %v", out, err)
	}
	if _, err := (Cmd{Path: "sh"}).Run(context.Background()); err == nil {
		t.Error("relative path accepted")
	}
	if _, err := (Cmd{Path: sh(t), Args: []string{"-c", "echo oops >&2; exit 3"}}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Errorf("exit status: %v", err)
	}
	if _, err := (Cmd{Path: sh(t), Args: []string{"-c", "yes"}, MaxOutput: 1000}).Run(context.Background()); !errors.Is(err, ErrOutput) {
		t.Errorf("output cap: %v", err)
	}
}

// TestTimeoutKillsGroup: at the limit the program and what it started are killed.
func TestTimeoutKillsGroup(t *testing.T) {
	pidFile := t.TempDir() + "/pid"
	start := time.Now()
	_, err := Cmd{Path: sh(t), Args: []string{"-c", "sleep 30 & echo $! > " + pidFile + "; wait"}, Timeout: 300 * time.Millisecond}.Run(context.Background())
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(b)) {
		pid = pid*10 + int(c-'0')
	}
	time.Sleep(100 * time.Millisecond)
	// Dead, or a zombie waiting for a reaper (a container's init may not reap).
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if f := strings.Fields(string(st)); len(f) > 2 && f[2] != "Z" && f[2] != "X" {
			t.Errorf("grandchild %d still alive (state %s)", pid, f[2])
		}
	} else if err := syscall.Kill(pid, 0); err == nil && !os.IsNotExist(err) {
		t.Logf("no /proc; kill(%d, 0) succeeds", pid)
	}
}
