// Package extcmd runs the external programs documents are read with (tesseract, pdftoppm,
// soffice) the way a sandboxed child may: by absolute path, with exactly the environment and
// working directory given, a wall-clock limit, a cap on what it prints, and in a process group of
// its own that is killed whole when the limit passes or the context ends.
package extcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"time"
)

// Cmd is one run of a program.
type Cmd struct {
	Path    string   // absolute path of the program
	Args    []string // arguments, without the program name
	Env     []string // the whole environment ("KEY=value"); nil is empty
	Dir     string   // working directory
	Timeout time.Duration
	// MaxOutput bounds what is kept of standard output (and, separately, of standard error);
	// default 16 MiB.
	MaxOutput int
	// Stdin, when set, is read as the program's standard input (else it reads nothing).
	Stdin io.Reader
}

// ErrTimeout is returned when the program was killed at its time limit.
var ErrTimeout = errors.New("extcmd: time limit reached")

// ErrOutput is returned when the program printed more than MaxOutput.
var ErrOutput = errors.New("extcmd: output limit reached")

// Run runs the program and returns its standard output. A non-zero exit is an error that
// carries the start of standard error.
func (c Cmd) Run(ctx context.Context) ([]byte, error) {
	if !filepath.IsAbs(c.Path) {
		return nil, fmt.Errorf("extcmd: %q is not an absolute path", c.Path)
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	max := c.MaxOutput
	if max <= 0 {
		max = 16 << 20
	}
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = c.Dir
	stdout := &capped{max: max}
	stderr := &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Stdin = c.Stdin
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	// Whatever the outcome, nothing the program started outlives it.
	if cmd.Process != nil {
		killGroup(cmd.Process.Pid)
	}
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("%s: %w (%v)", filepath.Base(c.Path), ErrTimeout, c.Timeout)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w", filepath.Base(c.Path), ctx.Err())
	case stdout.over:
		return nil, fmt.Errorf("%s: %w (%d bytes)", filepath.Base(c.Path), ErrOutput, max)
	case err != nil:
		msg := bytes.TrimSpace(stderr.buf.Bytes())
		if len(msg) > 500 {
			msg = msg[:500]
		}
		return stdout.buf.Bytes(), fmt.Errorf("%s: %w: %s", filepath.Base(c.Path), err, msg)
	}
	return stdout.buf.Bytes(), nil
}

// capped keeps up to max bytes and notes whether more came.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(p) {
		c.buf.Write(p[:max(room, 0)])
		c.over = true
		// Failing the write closes the pipe: the program stops at its next write.
		return max(room, 0), ErrOutput
	}
	return c.buf.Write(p)
}
