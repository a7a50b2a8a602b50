package sandbox_test

import (
	"context"

	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/sandbox"
)

// TestMain lets this test binary be `tinnhiem extract`: a pool's child (with the probes below)
// or the command run by hand.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "extract" {
		if len(os.Args) > 2 && os.Args[2] == "--serve" {
			if err := sandbox.Serve(context.Background(), os.Stdin, os.Stdout, probes); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			os.Exit(0)
		}
		if err := sandbox.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// probes run inside a locked-down child: each tries what the sandbox must prevent (or allow)
// and says what happened, "ok" or the error.
var probes = map[string]sandbox.Hook{
	"pid": func(string) string { return strconv.Itoa(os.Getpid()) },
	"env": func(string) string { return strings.Join(os.Environ(), "\n") },
	"cwd": func(string) string { d, _ := os.Getwd(); return d },
	"socket-inet": func(string) string {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err == nil {
			unix.Close(fd)
		}
		return outcome(err)
	},
	"socket-unix": func(string) string {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err == nil {
			unix.Close(fd)
		}
		return outcome(err)
	},
	"dial": func(addr string) string {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.Close()
		}
		return outcome(err)
	},
	"exec": func(prog string) string { return outcome(exec.Command(prog).Run()) },
	// execve itself, and a new process: should either succeed, the child is gone or doubled.
	"execve": func(prog string) string { return outcome(syscall.Exec(prog, []string{prog}, nil)) },
	"fork": func(prog string) string {
		pid, err := syscall.ForkExec(prog, []string{prog}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
		if err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return outcome(err)
	},
	"sh": func(script string) string {
		out, err := exec.Command("/bin/sh", "-c", script).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("%v: %s", err, strings.TrimSpace(string(out)))
		}
		return "ok: " + strings.TrimSpace(string(out))
	},
	"write": func(path string) string { return outcome(os.WriteFile(path, []byte("x"), 0o644)) },
	"read":  func(path string) string { _, err := os.ReadFile(path); return outcome(err) },
	"kill":  func(pid string) string { n, _ := strconv.Atoi(pid); return outcome(syscall.Kill(n, 0)) },
	"ptrace": func(pid string) string {
		n, _ := strconv.Atoi(pid)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := unix.PtraceAttach(n)
		if err == nil {
			unix.PtraceDetach(n)
		}
		return outcome(err)
	},
	// The Go runtime must still grow: a goroutine locked to a new thread.
	"thread": func(string) string {
		done := make(chan int)
		go func() { runtime.LockOSThread(); done <- unix.Gettid() }()
		if tid := <-done; tid == unix.Gettid() {
			return "same thread"
		}
		return "ok"
	},
	"limits": func(string) string {
		var b strings.Builder
		for _, r := range []struct {
			name string
			res  int
		}{{"nofile", unix.RLIMIT_NOFILE}, {"fsize", unix.RLIMIT_FSIZE}, {"core", unix.RLIMIT_CORE}, {"cpu", unix.RLIMIT_CPU}, {"as", unix.RLIMIT_AS}} {
			var l unix.Rlimit
			unix.Getrlimit(r.res, &l)
			fmt.Fprintf(&b, "%s=%d/%d ", r.name, l.Cur, l.Max)
		}
		nnp, _ := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
		sec, _ := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0)
		fmt.Fprintf(&b, "no_new_privs=%d seccomp=%d", nnp, sec)
		return b.String()
	},
}

func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// pool is a pool whose children are this test binary.
func pool(t testing.TB, prof sandbox.Profile, size int) *sandbox.Pool {
	t.Helper()
	p := sandbox.NewPool(sandbox.PoolConfig{Exe: os.Args[0], Profile: prof, Size: size, TempDir: t.TempDir(),
		Tools: toolsOf(), Soffice: "/usr/bin/soffice"})
	t.Cleanup(func() { p.Close() })
	return p
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func denied(s string) bool {
	return s != "ok" && !strings.HasPrefix(s, "ok:")
}

func toolsOf() ocr.Tools { return ocr.DefaultTools() }
