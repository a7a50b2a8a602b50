package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/pdffixture"
)

const fixture = "../pdftext/testdata/lo-ke-khai-tai-san.pdf"

func childPID(t *testing.T, p *sandbox.Pool) int {
	t.Helper()
	n, err := strconv.Atoi(probe(t, p, "pid", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A pool's answer is the in-process reader's, page for page.
func TestPoolReadsAsTheReader(t *testing.T) {
	p := pool(t, sandbox.TextProfile(), 1)
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reader.ReadAt(context.Background(), bytes.NewReader(data), int64(len(data)), reader.Options{NoOCR: true, NoConvert: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != want.Text || got.Pages != want.Pages || len(got.PageTexts) != len(want.PageTexts) || got.Format != reader.FormatPDF {
		t.Errorf("pool result differs from in-process:\n%q\n%q", got.Text, want.Text)
	}
}

// A child that dies or overruns on a file is a verdict on that file; the pool goes on with a new
// child. The misbehaviour is played by probes (see probes), the files by the reader's hostile
// fixtures, which it now refuses cleanly.
func TestPoolHostileFiles(t *testing.T) {
	tests := []struct {
		name  string
		pdf   []byte // read as a file
		probe string // or run as a probe
		prof  func(sandbox.Profile) sandbox.Profile
		code  string
	}{
		{name: "stack overflow: the child dies, the file is corrupt", probe: "overflow", code: pdftext.CodeCorrupt},
		{name: "an exit: the file is corrupt", probe: "exit", code: pdftext.CodeCorrupt},
		{name: "endless loop: wall clock", probe: "spin", code: pdftext.CodeTooComplex,
			prof: func(p sandbox.Profile) sandbox.Profile { p.Timeout = 2 * time.Second; return p }},
		{name: "endless loop: CPU budget of the file", probe: "spin", code: pdftext.CodeTooComplex,
			prof: func(p sandbox.Profile) sandbox.Profile { p.CPU = time.Second; p.Timeout = 30 * time.Second; return p }},
		{name: "memory limit: the child dies, the file is too complex", probe: "hog", code: pdftext.CodeTooComplex,
			prof: func(p sandbox.Profile) sandbox.Profile { p.Mem = 64 << 20; return p }},
		{name: "a self-referencing object stream: refused by the reader", pdf: pdffixture.StackOverflow(), code: pdftext.CodeCorrupt},
		{name: "endless /Extends: refused by the reader", pdf: pdffixture.EndlessLoop(), code: pdftext.CodeCorrupt},
		{name: "no text layer: a clean answer", pdf: pdffixture.Raw("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"), code: pdftext.CodeNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prof := sandbox.TextProfile()
			if tc.prof != nil {
				prof = tc.prof(prof)
			}
			p := pool(t, prof, 1)
			before := childPID(t, p)
			start := time.Now()
			var out sandbox.Outcome
			var err error
			if tc.probe != "" {
				out, err = p.HookOutcome(context.Background(), tc.probe)
			} else {
				out, err = p.Read(context.Background(), writeFile(t, "in.pdf", tc.pdf), sandbox.ReadOptions{})
			}
			if err != nil || out.Code != tc.code {
				t.Fatalf("code %q (%s, %v), want %q", out.Code, out.Detail, err, tc.code)
			}
			t.Logf("%s after %v", out.Detail, time.Since(start).Round(time.Millisecond))
			after := childPID(t, p)
			if replaced := after != before; replaced == (tc.code == pdftext.CodeNoTextLayer) {
				t.Errorf("child %d then %d: replaced %v after %s", before, after, replaced, tc.code)
			}
			got, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{})
			if err != nil || got.Code != "" {
				t.Errorf("the next file: %v %s", err, got.Code)
			}
		})
	}
}

// The CPU budget is per file: a child that has read many files is not nearer its end.
func TestPoolCPUBudgetIsPerFile(t *testing.T) {
	prof := sandbox.TextProfile()
	prof.CPU = time.Second
	prof.MaxFiles = 1000 // as many files as it takes, by one child
	p := pool(t, prof, 1)
	pid := childPID(t, p)
	big := writeFile(t, "big.pdf", pdffixture.DenseGlyphs(300_000))
	var used time.Duration
	for i := 0; used < 2*prof.CPU; i++ {
		start := time.Now()
		out, err := p.Read(context.Background(), big, sandbox.ReadOptions{})
		if err != nil || out.Code != "" {
			t.Fatalf("file %d: %v %s %s", i, err, out.Code, out.Detail)
		}
		used += time.Since(start)
		if i >= prof.MaxFiles-1 {
			t.Fatal("files too fast to add up to the budget")
		}
	}
	if got := childPID(t, p); got != pid {
		t.Errorf("child replaced (%d → %d) though no file overran", pid, got)
	}
}

func TestPoolRecycles(t *testing.T) {
	t.Run("after MaxFiles files", func(t *testing.T) {
		prof := sandbox.TextProfile()
		prof.MaxFiles = 2
		p := pool(t, prof, 1)
		pids := map[int]bool{}
		for range 3 {
			pids[childPID(t, p)] = true
			for range 2 {
				if _, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(pids) != 3 {
			t.Errorf("%d children for 3 rounds of 2 files", len(pids))
		}
	})
	t.Run("when its memory passes the bound", func(t *testing.T) {
		prof := sandbox.TextProfile()
		prof.MaxRSS = 1
		p := pool(t, prof, 1)
		pid := childPID(t, p)
		if _, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := childPID(t, p); got == pid {
			t.Error("child kept after passing its memory bound")
		}
	})
	t.Run("after a refusal", func(t *testing.T) {
		p := pool(t, sandbox.TextProfile(), 1)
		pid := childPID(t, p)
		out, err := p.Read(context.Background(), writeFile(t, "bomb.pdf", pdffixture.Bomb(4<<20, []byte("q "))),
			sandbox.ReadOptions{PDF: pdftext.Limits{MaxDecompressed: 1 << 20}})
		if err != nil || out.Code != pdftext.CodeTooComplex {
			t.Fatalf("%v %s", err, out.Code)
		}
		if got := childPID(t, p); got == pid {
			t.Error("child kept after a too_complex file")
		}
	})
	t.Run("a child killed while idle costs no file", func(t *testing.T) {
		p := pool(t, sandbox.TextProfile(), 1)
		pid := childPID(t, p)
		syscall.Kill(pid, syscall.SIGKILL)
		time.Sleep(100 * time.Millisecond)
		out, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{})
		if err != nil || out.Code != "" {
			t.Errorf("%v %s %s", err, out.Code, out.Detail)
		}
	})
}

// Size children at most read at once; every file gets its own answer.
func TestPoolConcurrent(t *testing.T) {
	p := pool(t, sandbox.TextProfile(), 2)
	files := []string{fixture, "../pdftext/testdata/lo-de-nghi-giai-trinh.pdf", "../pdftext/testdata/gofpdf-bao-cao-tu-danh-gia.pdf"}
	want := map[string]string{}
	for _, f := range files {
		out, err := p.Read(context.Background(), f, sandbox.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want[f] = out.Text
	}
	var wg sync.WaitGroup
	errs := make(chan string, 30)
	for i := range 30 {
		wg.Go(func() {
			f := files[i%len(files)]
			out, err := p.Read(context.Background(), f, sandbox.ReadOptions{})
			if err != nil || out.Text != want[f] {
				errs <- f
			}
		})
	}
	wg.Wait()
	close(errs)
	for f := range errs {
		t.Errorf("%s: wrong answer", f)
	}
}

// A cancelled read is no verdict: no code, and the pool carries on.
func TestPoolCancelAndClose(t *testing.T) {
	p := pool(t, sandbox.TextProfile(), 1)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	out, err := p.HookOutcome(ctx, "spin")
	if !errors.Is(err, context.Canceled) || out.Code != "" {
		t.Fatalf("%v %q, want context.Canceled and no code", err, out.Code)
	}
	if out, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{}); err != nil || out.Code != "" {
		t.Fatalf("after a cancel: %v %s", err, out.Code)
	}
	done := make(chan error, 1)
	go func() { _, err := p.HookOutcome(context.Background(), "spin"); done <- err }()
	time.Sleep(300 * time.Millisecond)
	p.Close()
	if err := <-done; !errors.Is(err, sandbox.ErrClosed) {
		t.Errorf("read during Close: %v", err)
	}
	if _, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{}); !errors.Is(err, sandbox.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
}

func TestPoolStartFailure(t *testing.T) {
	p := sandbox.NewPool(sandbox.PoolConfig{Exe: "/nonexistent/tinnhiem", TempDir: t.TempDir()})
	defer p.Close()
	out, err := p.Read(context.Background(), fixture, sandbox.ReadOptions{})
	if err == nil || out.Code != "" {
		t.Fatalf("%v %q: want an error and no verdict", err, out.Code)
	}
	if !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("error %v does not name the binary", err)
	}
}
