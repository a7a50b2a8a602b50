package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
)

// Outcome is what a child said of a file: a reader result (text, or a reason code) and, when a
// PDF rendering of a non-PDF original was made, its bytes.
type Outcome struct {
	reader.Result
	Rendering []byte
}

// ErrClosed is returned by a pool's Read after Close.
var ErrClosed = errors.New("sandbox: pool closed")

// PoolConfig configures a Pool.
type PoolConfig struct {
	Exe     string   // the binary whose `extract --serve` is the child, normally os.Executable()
	Args    []string // arguments before "extract" (a test binary's hook)
	Profile Profile
	Size    int   // children at most, reading one file each; default 2
	MaxIn   int64 // largest file sent to a child; larger ones are too_complex. Default 256 MiB
	// TempDir holds the children's empty working directory and, for the tools profile, each
	// child's private work directory; default os.TempDir().
	TempDir string
	// Tools and Soffice are the programs a tools child may run (by absolute path).
	Tools   ocr.Tools
	Soffice string
	Log     *slog.Logger
}

// Pool keeps up to Size long-lived children of one profile. Children start on first need and
// are replaced after Profile.MaxFiles files, after a file they refused or overran, when their
// resident memory passes Profile.MaxRSS, and when they die.
type Pool struct {
	cfg   PoolConfig
	slots chan *child // one entry per slot: a running child, or nil to start one

	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	mu       sync.Mutex
	live     map[*child]struct{}
	emptyDir string
	reported bool
	wg       sync.WaitGroup
}

// NewPool makes a pool; no child starts before the first Read.
func NewPool(cfg PoolConfig) *Pool {
	cfg.Profile = cfg.Profile.withDefaults()
	if cfg.Size <= 0 {
		cfg.Size = 2
	}
	if cfg.MaxIn <= 0 {
		cfg.MaxIn = DefaultMaxIn
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := &Pool{cfg: cfg, slots: make(chan *child, cfg.Size), live: map[*child]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	for range cfg.Size {
		p.slots <- nil
	}
	return p
}

// Profile is the pool's profile, defaults filled in.
func (p *Pool) Profile() Profile { return p.cfg.Profile }

// Close ends every child (those reading a file too: their Read returns ErrClosed) and removes
// their directories.
func (p *Pool) Close() error {
	p.cancel()
	p.mu.Lock()
	for c := range p.live {
		c.kill()
	}
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.emptyDir != "" {
		os.Remove(p.emptyDir)
		p.emptyDir = ""
	}
	return nil
}

// Read reads the file at path in a child. A nil error means the child gave its answer
// (Outcome.Code says whether the file can be used) or died or overran on it (corrupt,
// too_complex); an error is no verdict on the file: ctx ended, the pool closed, or no child
// could be started.
func (p *Pool) Read(ctx context.Context, path string, opt ReadOptions) (Outcome, error) {
	return p.readInput(ctx, input{path: path}, opt)
}

// input is a file to read: on disk at path, or held in memory (data).
type input struct {
	path     string
	data     []byte
	inMemory bool
}

func (p *Pool) readInput(ctx context.Context, in input, opt ReadOptions) (Outcome, error) {
	var body io.Reader = bytes.NewReader(in.data)
	n, name := int64(len(in.data)), "in memory"
	if !in.inMemory {
		f, err := os.Open(in.path)
		if err != nil {
			return Outcome{}, fmt.Errorf("sandbox: %w", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return Outcome{}, fmt.Errorf("sandbox: %w", err)
		}
		body, n, name = f, st.Size(), in.path
	}
	if n > p.cfg.MaxIn {
		return refused(pdftext.CodeTooComplex, "sandbox: %s: %d bytes (limit %d)", name, n, p.cfg.MaxIn), nil
	}
	return p.call(ctx, request{Op: "read", Options: opt}, body, n)
}

// hook runs a test's probe in a child (see Serve).
func (p *Pool) hook(ctx context.Context, name, arg string) (string, error) {
	out, err := p.call(ctx, request{Op: "hook", Hook: name}, strings.NewReader(arg), int64(len(arg)))
	if err != nil {
		return "", err
	}
	if out.Code != "" {
		return "", fmt.Errorf("hook %s: %s (%s)", name, out.Code, out.Detail)
	}
	return out.Detail, nil
}

func refused(code, format string, args ...any) Outcome {
	return Outcome{Result: reader.Result{Code: code, Detail: fmt.Sprintf(format, args...)}}
}

func (p *Pool) call(ctx context.Context, req request, body io.Reader, n int64) (Outcome, error) {
	var c *child
	select {
	case c = <-p.slots:
	case <-ctx.Done():
		return Outcome{}, fmt.Errorf("sandbox: waiting for a child: %w", ctx.Err())
	case <-p.ctx.Done():
		return Outcome{}, ErrClosed
	}
	if c != nil {
		select {
		case <-c.exited: // died while idle (killed from outside): no fault of this file
			c = nil
		default:
		}
	}
	if c == nil {
		var err error
		if c, err = p.start(); err != nil {
			p.slots <- nil
			return Outcome{}, err
		}
	}
	out, keep, err := p.exchange(ctx, c, req, body, n)
	if keep {
		p.slots <- c
	} else {
		p.retire(c)
		p.slots <- nil
	}
	return out, err
}

// benign codes are refusals decided before any deep reading; any other refusal, like any death
// or overrun, retires the child.
var benign = map[string]bool{
	"": true, pdftext.CodeEmpty: true, pdftext.CodeNotPDF: true, pdftext.CodeEncrypted: true,
	pdftext.CodeNoTextLayer: true, reader.CodeUndecodableText: true, reader.CodeUnsupportedFormat: true,
}

// exchange sends one request to c and waits for its answer within the profile's budgets. keep
// says whether c may read another file.
func (p *Pool) exchange(ctx context.Context, c *child, req request, body io.Reader, n int64) (Outcome, bool, error) {
	prof := p.cfg.Profile
	type answer struct {
		resp      response
		rendering []byte
		err       error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		if a.err = writeFrame(c.in, req, body, n); a.err == nil {
			a.err = c.in.Flush()
		}
		if a.err == nil {
			var rn int64
			if rn, a.err = readFrame(c.out, &a.resp, maxTexts+maxRendering); a.err == nil {
				rn, a.err = takeTexts(c.out, &a.resp, rn)
			}
			if a.err == nil && rn > maxRendering {
				a.err = fmt.Errorf("%w: rendering of %d bytes", errFrame, rn)
			}
			if a.err == nil && rn > 0 {
				a.rendering = make([]byte, rn)
				_, a.err = io.ReadFull(c.out, a.rendering)
			}
		}
		done <- a
	}()
	withChildren := prof.Name == ProfileTools // its programs' CPU is the file's too
	cpu0, cpuOK := cpuTime(c.pid, withChildren)
	timer := time.NewTimer(prof.Timeout)
	defer timer.Stop()
	tick := time.NewTicker(cpuPoll(prof.CPU))
	defer tick.Stop()
	var why string // why the parent ended the child
	var a answer
wait:
	for {
		select {
		case a = <-done:
			break wait
		case <-timer.C:
			why = "timeout"
		case <-ctx.Done():
			why = "cancelled"
		case <-p.ctx.Done():
			why = "closed"
		case <-tick.C:
			if cpu, ok := cpuTime(c.pid, withChildren); ok && cpuOK && cpu-cpu0 > prof.CPU {
				why = "cpu"
			}
		}
		if why != "" {
			c.kill()
			a = <-done
			break
		}
	}
	switch why {
	case "timeout":
		return refused(pdftext.CodeTooComplex, "sandbox: no answer within %v", prof.Timeout), false, nil
	case "cpu":
		return refused(pdftext.CodeTooComplex, "sandbox: CPU time limit %v reached", prof.CPU), false, nil
	case "cancelled":
		return Outcome{}, false, fmt.Errorf("sandbox: %w", ctx.Err())
	case "closed":
		return Outcome{}, false, ErrClosed
	}
	if a.err != nil {
		// The child died, or broke the protocol: the file is to blame, as it was when each
		// file had a child of its own.
		return p.died(c, a.err), false, nil
	}
	if a.resp.Error != "" {
		return Outcome{}, false, fmt.Errorf("sandbox: child: %s", a.resp.Error)
	}
	if req.Op == "hook" {
		return Outcome{Result: reader.Result{Detail: a.resp.Hook}}, true, nil
	}
	if a.resp.Result == nil {
		return Outcome{}, false, errors.New("sandbox: child answered nothing")
	}
	out := Outcome{Result: *a.resp.Result, Rendering: a.rendering}
	c.files++
	keep := benign[out.Code] && c.files < prof.MaxFiles
	if rss, ok := residentBytes(c.pid); keep && ok && rss > prof.MaxRSS {
		keep = false
	}
	return out, keep, nil
}

// died names what ended a child that gave no answer: the CPU limit or the memory limit
// (too_complex), or anything else — a signal, another fatal error of the Go runtime (a stack
// overflow), an exit — corrupt.
func (p *Pool) died(c *child, ioErr error) Outcome {
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		// Alive but speaking nonsense: end it.
		c.kill()
		<-c.exited
	}
	st := c.cmd.ProcessState
	if st == nil {
		return refused(pdftext.CodeCorrupt, "sandbox: extraction failed: %v", ioErr)
	}
	used := st.UserTime() + st.SystemTime()
	if sig, ok := signalOf(st); ok {
		if cpuKill(sig) && used >= time.Duration(c.cpuLimit)*time.Second-500*time.Millisecond {
			return refused(pdftext.CodeTooComplex, "sandbox: CPU time limit reached")
		}
		return refused(pdftext.CodeCorrupt, "sandbox: extraction died (%v)%s", sig, c.stderr.firstLine())
	}
	if outOfMemory(c.stderr) {
		// The Go runtime's "fatal error: runtime: out of memory" at the child's memory limit
		// (a race-built child's allocator says it its own way): the file needs more than a
		// file may have, as one past the CPU budget does.
		return refused(pdftext.CodeTooComplex, "sandbox: extraction ran out of memory (limit %d MiB)%s", p.cfg.Profile.Mem>>20, c.stderr.firstLine())
	}
	return refused(pdftext.CodeCorrupt, "sandbox: extraction failed (exit status %d)%s", st.ExitCode(), c.stderr.firstLine())
}

// outOfMemory tells from a dead child's last words that it ran into its address-space limit:
// the Go runtime's own message, or — where the limit is met first by a new thread's stack or, in
// a race-built child, by the race detector's shadow memory — theirs.
func outOfMemory(stderr *tail) bool {
	for _, m := range []string{
		"out of memory",
		"ThreadSanitizer failed to allocate",
		"too many address space collisions for -race mode",
		"pthread_create failed: Resource temporarily unavailable",
	} {
		if stderr.contains(m) {
			return true
		}
	}
	return false
}

func cpuPoll(budget time.Duration) time.Duration {
	return min(max(budget/20, 20*time.Millisecond), 250*time.Millisecond)
}

// child is one running child process.
type child struct {
	cmd      *exec.Cmd
	pid      int
	in       *bufio.Writer
	inFile   *os.File
	out      *bufio.Reader
	outFile  *os.File
	stderr   *tail
	exited   chan struct{}
	workDir  string // tools: removed when the child is gone
	files    int
	cpuLimit int // seconds, RLIMIT_CPU
	once     sync.Once
}

func (c *child) kill() {
	c.once.Do(func() { killGroup(c.pid) })
}

// start starts a child and waits for it to lock itself down.
func (p *Pool) start() (*child, error) {
	if p.ctx.Err() != nil {
		return nil, ErrClosed
	}
	prof := p.cfg.Profile
	c := &child{stderr: &tail{max: 8 << 10}, exited: make(chan struct{})}
	c.cpuLimit = int(math.Ceil(prof.CPU.Seconds())) * (prof.MaxFiles + 1)
	h := hello{Profile: prof.Name, Mem: prof.Mem, CPUSeconds: c.cpuLimit, MaxIn: p.cfg.MaxIn}
	var dir string
	env := []string{}
	if prof.Name == ProfileTools {
		var err error
		if c.workDir, err = os.MkdirTemp(p.cfg.TempDir, "tinnhiem-tools-*"); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if c.workDir, err = filepath.Abs(c.workDir); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		dir = c.workDir
		h.WorkDir, h.Tools, h.Soffice = c.workDir, p.cfg.Tools, p.cfg.Soffice
		h.Convert = min(2*time.Minute, prof.Timeout*2/3)
		env = []string{"HOME=" + c.workDir, "TMPDIR=" + filepath.Join(c.workDir, "tmp"), "OMP_THREAD_LIMIT=1",
			"LANG=C.UTF-8", "PATH=/usr/bin:/bin"}
	} else {
		var err error
		if dir, err = p.empty(); err != nil {
			return nil, err
		}
	}
	c.cmd = exec.Command(p.cfg.Exe, append(append([]string(nil), p.cfg.Args...), "extract", "--serve")...)
	c.cmd.Env, c.cmd.Dir = env, dir
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = inR, outW, c.stderr
	setProcessGroup(c.cmd)
	err = c.cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		p.removeWorkDir(c)
		return nil, fmt.Errorf("sandbox: start %s: %w", p.cfg.Exe, err)
	}
	c.pid = c.cmd.Process.Pid
	c.inFile, c.outFile = inW, outR
	c.in, c.out = bufio.NewWriterSize(inW, 64<<10), bufio.NewReaderSize(outR, 64<<10)
	p.mu.Lock()
	p.live[c] = struct{}{}
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		c.cmd.Wait()
		close(c.exited)
		inW.Close()
		outR.Close()
		p.removeWorkDir(c)
		p.mu.Lock()
		delete(p.live, c)
		p.mu.Unlock()
	}()

	type helloAnswer struct {
		r   ready
		err error
	}
	done := make(chan helloAnswer, 1)
	go func() {
		var a helloAnswer
		if a.err = writeFrame(c.in, h, nil, 0); a.err == nil {
			a.err = c.in.Flush()
		}
		if a.err == nil {
			_, a.err = readFrame(c.out, &a.r, 0)
		}
		done <- a
	}()
	var a helloAnswer
	select {
	case a = <-done:
	case <-time.After(30 * time.Second):
		c.kill()
		a = <-done
		a.err = errors.New("no answer within 30 s")
	case <-p.ctx.Done():
		c.kill()
		<-done
		return nil, ErrClosed
	}
	if a.err == nil && a.r.Error != "" {
		a.err = errors.New(a.r.Error)
	}
	if a.err != nil {
		c.kill()
		<-c.exited
		return nil, fmt.Errorf("sandbox: %s child did not start: %v%s", prof.Name, a.err, c.stderr.firstLine())
	}
	p.mu.Lock()
	if !p.reported {
		p.reported = true
		p.cfg.Log.Info("sandbox: child locked down", "profile", prof.Name, "pid", c.pid, "lockdown", a.r.Report.String())
	}
	p.mu.Unlock()
	return c, nil
}

// retire ends a child that reads no more: its input closes, so a healthy child ends by itself;
// one that does not within a second is killed.
func (p *Pool) retire(c *child) {
	c.inFile.Close()
	go func() {
		select {
		case <-c.exited:
		case <-time.After(time.Second):
			c.kill()
		}
	}()
}

func (p *Pool) removeWorkDir(c *child) {
	if c.workDir != "" {
		os.RemoveAll(c.workDir)
	}
}

// empty is the empty directory text children run in.
func (p *Pool) empty() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.emptyDir != "" {
		return p.emptyDir, nil
	}
	dir, err := os.MkdirTemp(p.cfg.TempDir, "tinnhiem-sandbox-*")
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("sandbox: %w", err)
	}
	p.emptyDir = dir
	return dir, nil
}

// tail keeps the first max bytes a child wrote to standard error (a Go fatal error names itself
// on its first line).
type tail struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := t.max - len(t.b); room > 0 {
		t.b = append(t.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (t *tail) contains(s string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Contains(string(t.b), s)
}

func (t *tail) firstLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return ""
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return ": " + s
}
