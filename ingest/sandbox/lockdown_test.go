package sandbox_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tinnhiem/ingest/sandbox"
)

func probe(t *testing.T, p *sandbox.Pool, name, arg string) string {
	t.Helper()
	out, err := p.Hook(context.Background(), name, arg)
	if err != nil {
		t.Fatalf("probe %s: %v", name, err)
	}
	return out
}

// listener accepts TCP connections on the loopback and counts them.
func listener(t *testing.T) (string, func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			accepted <- struct{}{}
		}
	}()
	return ln.Addr().String(), func() int { return len(accepted) }
}

// The text profile, proved from inside the child: no socket, no program, no file opened or
// written, nothing of the parent's environment, no signal or ptrace to the parent; the limits in
// force; the Go runtime still grows threads.
func TestTextChildIsLockedDown(t *testing.T) {
	t.Setenv("TINNHIEM_TEST_SECRET", "mat-khau-cua-cha")
	p := pool(t, sandbox.TextProfile(), 1)
	addr, accepted := listener(t)
	outside := filepath.Join(t.TempDir(), "written-by-child")
	parent := strconv.Itoa(os.Getpid())
	for _, c := range []struct{ probe, arg string }{
		{"socket-inet", ""},
		{"socket-unix", ""},
		{"dial", addr},
		{"exec", "/bin/true"},
		{"execve", "/bin/true"},
		{"fork", "/bin/true"},
		{"write", outside},
		{"read", "/etc/hostname"},
		{"read", "/proc/" + parent + "/environ"},
		{"kill", parent},
		{"ptrace", parent},
	} {
		if got := probe(t, p, c.probe, c.arg); !denied(got) {
			t.Errorf("%s %s: %s, want it denied", c.probe, c.arg, got)
		} else {
			t.Logf("%s %s: %s", c.probe, c.arg, got)
		}
	}
	if n := accepted(); n != 0 {
		t.Errorf("the listener accepted %d connections from the child", n)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Error("the child wrote a file")
	}
	if env := probe(t, p, "env", ""); env != "" {
		t.Errorf("the child's environment is not empty: %q", env)
	}
	cwd := probe(t, p, "cwd", "")
	if ents, err := os.ReadDir(cwd); err != nil || len(ents) != 0 || cwd == "" {
		t.Errorf("working directory %q: %d entries, %v", cwd, len(ents), err)
	}
	if got := probe(t, p, "thread", ""); got != "ok" {
		t.Errorf("a new thread: %s", got)
	}
	lim := probe(t, p, "limits", "")
	for _, want := range []string{"nofile=16/16", "fsize=0/0", "core=0/0", "no_new_privs=1", "seccomp=2"} {
		if !strings.Contains(lim, want) {
			t.Errorf("limits %q lack %q", lim, want)
		}
	}
	if strings.Contains(lim, "cpu=18446744073709551615") || strings.Contains(lim, "as=18446744073709551615") {
		t.Errorf("no CPU or memory limit: %s", lim)
	}
	// And the child still reads files after all of that.
	out, err := p.Read(context.Background(), "../pdftext/testdata/lo-de-nghi-giai-trinh.pdf", sandbox.ReadOptions{})
	if err != nil || out.Code != "" || !strings.Contains(out.Text, "ĐẢNG CỘNG SẢN VIỆT NAM") {
		t.Errorf("read after the probes: %v %s %q", err, out.Code, out.Detail)
	}
}

// The tools profile: programs run (only system ones), write only in the child's work directory,
// read no file outside system directories, reach no TCP port, cannot read the parent's
// environment; the Go child opens no Internet socket either.
func TestToolsChildIsConfined(t *testing.T) {
	t.Setenv("TINNHIEM_TEST_SECRET", "mat-khau-cua-cha")
	p := pool(t, sandbox.ToolsProfile(), 1)
	addr, accepted := listener(t)
	host, port, _ := net.SplitHostPort(addr)
	private := filepath.Join(t.TempDir(), "private.txt")
	if err := os.WriteFile(private, []byte("bí mật"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "written-by-tool")
	parent := strconv.Itoa(os.Getpid())
	work := probe(t, p, "cwd", "")
	if !strings.HasPrefix(filepath.Base(work), "tinnhiem-tools-") {
		t.Fatalf("work directory %q", work)
	}
	if got := probe(t, p, "sh", "echo trong > "+filepath.Join(work, "inside")+" && cat "+filepath.Join(work, "inside")); got != "ok: trong" {
		t.Errorf("a program writing in the work directory: %s", got)
	}
	if got := probe(t, p, "sh", "echo $HOME $OMP_THREAD_LIMIT"); got != "ok: "+work+" 1" {
		t.Errorf("environment of the programs: %s", got)
	}
	for _, c := range []struct{ probe, arg string }{
		{"sh", "echo x > " + outside},
		{"sh", "echo x > /tmp/tinnhiem-sandbox-escape"},
		{"sh", "cat " + private},
		{"sh", "cat /proc/" + parent + "/environ"},
		{"sh", "kill -0 " + parent},
		{"exec", os.Args[0]}, // a program outside the allowed directories
		{"socket-inet", ""},
		{"dial", addr},
		{"ptrace", parent},
		{"read", "/proc/" + parent + "/environ"},
	} {
		if got := probe(t, p, c.probe, c.arg); !denied(got) {
			t.Errorf("%s %q: %s, want it denied", c.probe, c.arg, got)
		} else {
			t.Logf("%s %q: %s", c.probe, c.arg, got)
		}
	}
	// A program's own TCP connect, if it has the means: perl is in every Debian.
	if _, err := os.Stat("/usr/bin/perl"); err == nil {
		script := "perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr=>\"" + host + "\",PeerPort=>" + port + ",Timeout=>2) or die \"$!\\n\"'"
		if got := probe(t, p, "sh", script); !denied(got) {
			t.Errorf("perl connected: %s", got)
		}
	}
	if n := accepted(); n != 0 {
		t.Errorf("the listener accepted %d connections", n)
	}
	for _, f := range []string{outside, "/tmp/tinnhiem-sandbox-escape"} {
		if _, err := os.Stat(f); err == nil {
			os.Remove(f)
			t.Errorf("%s was written", f)
		}
	}
	if env := probe(t, p, "env", ""); strings.Contains(env, "TINNHIEM_TEST_SECRET") {
		t.Errorf("the parent's environment leaked: %q", env)
	}
	lim := probe(t, p, "limits", "")
	for _, want := range []string{"nofile=256/256", "core=0/0", "no_new_privs=1", "seccomp=2"} {
		if !strings.Contains(lim, want) {
			t.Errorf("limits %q lack %q", lim, want)
		}
	}
	if got := probe(t, p, "socket-unix", ""); got != "ok" {
		t.Errorf("a Unix socket (LibreOffice's pipe): %s", got)
	}
}
