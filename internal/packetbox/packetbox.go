// Package packetbox assembles the voters' packet (minutes.Packet) in a child process of the
// tinnhiem binary, `tinnhiem packet-assemble`, under wall-clock, CPU-time and memory limits.
// The packet merges files people uploaded, and the PDF library can hang or exhaust memory on a
// hostile one (the packet's fuzz target found inputs it never returns from): in a child, such a
// file costs that child, never the server's goroutines or its memory. The parent streams the
// documents to the child's standard input in bounded frames (frame.go) and reads the packet
// back from its standard output.
package packetbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tinnhiem/ingest/extcmd"
)

// Subcommand is the hidden subcommand of the tinnhiem binary that runs Main.
const Subcommand = "packet-assemble"

// Defaults of a Runner's limits.
const (
	DefaultMemLimit = 1 << 30
	DefaultCPUTime  = 3 * time.Minute
	DefaultTimeout  = 4 * time.Minute
	DefaultMaxInput = 256 << 20
	// DefaultConcurrency is how many packets one process assembles at once; a packet is a
	// job of the board, asked for a few times per round.
	DefaultConcurrency = 2
)

// ErrTooSlow means the child ran out of time (wall clock or CPU); ErrTooBig that it ran out
// of memory or the documents exceed the input bound; ErrFailed that it could not make the
// packet for another reason, said in the error.
var (
	ErrTooSlow = errors.New("packetbox: the packet took longer than allowed")
	ErrTooBig  = errors.New("packetbox: the packet needs more memory than allowed")
	ErrFailed  = errors.New("packetbox: the packet could not be assembled")
	ErrBusy    = errors.New("packetbox: other packets are being assembled")
)

// Runner starts the child. Build it once (New): it bounds how many children run at once.
type Runner struct {
	Exe      string   // the tinnhiem binary (os.Executable())
	Args     []string // arguments before the subcommand (a test binary's hook)
	MemLimit int64    // bytes the child may grow by; at least 256 MiB
	CPUTime  time.Duration
	Timeout  time.Duration // wall clock
	MaxInput int64         // bytes of documents one packet may carry

	slots chan struct{}
}

// New returns a runner of the binary exe with the limits given (zero: the defaults) and at
// most concurrency children at once (0: DefaultConcurrency).
func New(exe string, args []string, mem int64, cpu, timeout time.Duration, maxInput int64, concurrency int) *Runner {
	if mem <= 0 {
		mem = DefaultMemLimit
	}
	if cpu <= 0 {
		cpu = DefaultCPUTime
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxInput <= 0 {
		maxInput = DefaultMaxInput
	}
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	return &Runner{Exe: exe, Args: args, MemLimit: mem, CPUTime: cpu, Timeout: timeout, MaxInput: maxInput,
		slots: make(chan struct{}, concurrency)}
}

// slotWait is how long a request waits for a child to finish before it is told to come back.
const slotWait = 30 * time.Second

// Assemble runs the child on in and returns the packet. The documents are read from their
// sources as the child takes them.
func (r *Runner) Assemble(ctx context.Context, in Input) (Output, error) {
	if r == nil || r.Exe == "" {
		return Output{}, fmt.Errorf("%w: no executable", ErrFailed)
	}
	wait := time.NewTimer(slotWait)
	defer wait.Stop()
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-wait.C:
		return Output{}, ErrBusy
	case <-ctx.Done():
		return Output{}, ctx.Err()
	}
	pr, pw := io.Pipe()
	writeCtx, stopWriting := context.WithCancel(ctx)
	written := make(chan error, 1)
	go func() {
		err := WriteInput(writeCtx, pw, in)
		pw.CloseWithError(err)
		written <- err
	}()
	args := append(append([]string(nil), r.Args...), Subcommand,
		"--mem-limit", strconv.FormatInt(r.MemLimit, 10),
		"--cpu-limit", strconv.Itoa(int(r.CPUTime/time.Second)+1),
		"--max-input", strconv.FormatInt(r.MaxInput, 10))
	out, err := extcmd.Cmd{
		Path: r.Exe, Args: args, Dir: filepath.Dir(r.Exe), Timeout: r.Timeout, Stdin: pr,
		// The packet is about as large as the documents it carries, plus its own pages.
		MaxOutput: int(r.MaxInput + 64<<20),
	}.Run(ctx)
	// The child is gone: whatever the writer still holds is not wanted.
	stopWriting()
	pr.CloseWithError(io.ErrClosedPipe)
	<-written
	if ctx.Err() != nil {
		return Output{}, ctx.Err()
	}
	if errors.Is(err, extcmd.ErrTimeout) {
		return Output{}, fmt.Errorf("%w (%v)", ErrTooSlow, r.Timeout)
	}
	res, failure, ferr := readOutput(out)
	switch {
	case ferr == nil && failure != "":
		if failure == failTooBig {
			return Output{}, fmt.Errorf("%w: more than %d bytes of documents", ErrTooBig, r.MaxInput)
		}
		return Output{}, fmt.Errorf("%w: %s", ErrFailed, failure)
	case ferr == nil && err == nil:
		return res, nil
	case err != nil:
		// No answer: the child died. The kernel's kill at the CPU limit and an allocation
		// refused at the memory limit are the usual causes.
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.UserTime()+ee.SystemTime() >= r.CPUTime-500*time.Millisecond {
			return Output{}, fmt.Errorf("%w (%v of CPU)", ErrTooSlow, r.CPUTime)
		}
		if msg := err.Error(); strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory") ||
			strings.Contains(msg, "failed to allocate") || strings.Contains(msg, "signal: killed") {
			return Output{}, fmt.Errorf("%w (%d MiB): %w", ErrTooBig, r.MemLimit>>20, err)
		}
		return Output{}, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	return Output{}, fmt.Errorf("%w: %w", ErrFailed, ferr)
}
