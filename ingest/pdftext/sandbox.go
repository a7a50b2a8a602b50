package pdftext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Sandbox runs the extraction of each file in a child process of the same
// binary (`Exe [Args…] extract --json …`), so that what the PDF library cannot
// survive (a fatal out-of-memory, a stack overflow from cyclic objects, an
// endless loop) ends that child only. Zero fields take the defaults below.
type Sandbox struct {
	Exe      string        // normally os.Executable()
	Args     []string      // arguments before "extract" (a test binary's hook)
	MemLimit int64         // bytes the child may grow by; default 1 GiB. It bounds address space, in which Go reserves its heap 64 MiB at a time: give at least 256 MiB.
	CPUTime  time.Duration // CPU time of the child; default 60 s
	Timeout  time.Duration // wall clock; default 2 min
	Limits   Limits
}

// Sandbox defaults.
const (
	DefaultMemLimit = 1 << 30
	DefaultCPUTime  = 60 * time.Second
	DefaultTimeout  = 2 * time.Minute
)

const (
	maxChildStdout = 256 << 20
	maxChildStderr = 16 << 10
)

// Extract runs `exe extract --json …` on the file at path. It kills the
// child's process group on timeout or when ctx ends. A child that dies
// (signal, out of memory, exit without JSON) means the file is corrupt; one
// that runs out of time (wall clock or CPU) means too_complex. When ctx
// itself ends, the error carries ctx.Err() and no reason code: that is no
// verdict on the file.
func (s Sandbox) Extract(ctx context.Context, path string) (Result, error) {
	if s.Exe == "" {
		return Result{}, errors.New("pdftext: sandbox: no executable")
	}
	mem, cpu, timeout := s.MemLimit, s.CPUTime, s.Timeout
	if mem <= 0 {
		mem = DefaultMemLimit
	}
	if cpu <= 0 {
		cpu = DefaultCPUTime
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	lim := s.Limits.withDefaults()
	// The child's own clock stops it a little before the wall-clock kill, so
	// that most overruns end in a clean too_complex answer.
	inner := lim.Timeout
	if inner <= 0 || inner > timeout*9/10 {
		inner = timeout * 9 / 10
	}
	args := append(append([]string(nil), s.Args...), "extract", "--json",
		"--max-pages", strconv.Itoa(lim.MaxPages),
		"--max-decompressed", strconv.FormatInt(lim.MaxDecompressed, 10),
		"--max-form-depth", strconv.Itoa(lim.MaxFormDepth),
		"--timeout", inner.String(),
		"--mem-limit", strconv.FormatInt(mem, 10),
		"--cpu-limit", strconv.Itoa(int(math.Ceil(cpu.Seconds()))),
		"--", path)

	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, s.Exe, args...)
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 5 * time.Second
	stdout := &capBuffer{max: maxChildStdout}
	stderr := &capBuffer{max: maxChildStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("pdftext: sandbox: start %s: %w", s.Exe, err)
	}
	waitErr := cmd.Wait()

	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("pdftext: sandbox %s: %w", path, err)
	}
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		return Result{}, reject(CodeTooComplex, "pdftext: sandbox %s: no answer within %v", path, timeout)
	}
	var out childOutput
	if !stdout.truncated && json.Unmarshal(stdout.Bytes(), &out) == nil && (out.Error != nil || out.Result != nil) {
		if out.Error != nil {
			if out.Error.Code == "" {
				return Result{}, fmt.Errorf("pdftext: sandbox %s: child: %s", path, out.Error.Detail)
			}
			return Result{Pages: out.Error.Pages}, &Error{Code: out.Error.Code, Err: errors.New(out.Error.Detail)}
		}
		if waitErr == nil {
			return *out.Result, nil
		}
	}
	st := cmd.ProcessState
	if st == nil {
		return Result{}, fmt.Errorf("pdftext: sandbox %s: %w", path, waitErr)
	}
	used := st.UserTime() + st.SystemTime()
	if sig, cpuKill, ok := killedBy(st); ok {
		if cpuKill(used >= cpu-500*time.Millisecond) {
			return Result{}, reject(CodeTooComplex, "pdftext: sandbox %s: CPU time limit %v reached", path, cpu)
		}
		return Result{}, reject(CodeCorrupt, "pdftext: sandbox %s: extraction died (%v)%s", path, sig, stderrTail(stderr))
	}
	return Result{}, reject(CodeCorrupt, "pdftext: sandbox %s: extraction failed (exit status %d)%s", path, st.ExitCode(), stderrTail(stderr))
}

func stderrTail(b *capBuffer) string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return ""
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] // the first line names the fatal error; the rest is stacks
	}
	return ": " + s
}

// capBuffer keeps at most max bytes and notes that it dropped the rest.
type capBuffer struct {
	bytes.Buffer
	max       int
	truncated bool
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.truncated = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
