package sandbox_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"tinnhiem/ingest/reader"
	"tinnhiem/ingest/sandbox"
)

// fixtures are the repository's PDF fixtures that have a text layer.
func fixtures(b *testing.B) []string {
	files, _ := filepath.Glob("../pdftext/testdata/*.pdf")
	var out []string
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), "bad-") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		b.Fatal("no fixtures")
	}
	return out
}

// BenchmarkPool: files read by a pool of two long-lived children, two at a time (the ingest
// worker's default), children already started.
func BenchmarkPool(b *testing.B) {
	files := fixtures(b)
	p := pool(b, sandbox.TextProfile(), 2)
	for _, f := range files { // start both children, read each file once
		if _, err := p.Read(context.Background(), f, sandbox.ReadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				out, err := p.Read(context.Background(), files[int(i)%len(files)], sandbox.ReadOptions{})
				if err != nil || out.Code != "" {
					b.Error(err, out.Code)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkForkPerFile: the same files, each read by a process of its own (`tinnhiem extract
// --json FILE`, locking itself down as the pool's children do), two at a time: what every file
// cost before the pool.
func BenchmarkForkPerFile(b *testing.B) {
	files := fixtures(b)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if out, err := extractCmd("--json", files[int(i)%len(files)]).Output(); err != nil || len(out) == 0 {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkInProcess: the same files read in this process, two at a time: the floor the
// sandbox's cost is measured against.
func BenchmarkInProcess(b *testing.B) {
	files := fixtures(b)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				out, err := reader.Read(context.Background(), files[int(i)%len(files)], reader.Options{NoOCR: true, NoConvert: true})
				if err != nil || out.Code != "" {
					b.Error(err, out.Code)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
