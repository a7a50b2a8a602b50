package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/internal/pdffixture"
)

// BenchmarkServerMemory measures what the Ingest issue bounds: the server's peak memory while
// it handles a 300-page PDF and a decompression bomb. It reports the peak resident size of
// this process (the whole server runs in it) and of the largest extraction child.
//
//	go test -run XXX -bench ServerMemory -benchtime 1x ./cmd/tinnhiem/
func BenchmarkServerMemory(b *testing.B) {
	dir := b.TempDir()
	long := writeBenchFile(b, dir, "300-trang.pdf", pages300(b))
	bomb := writeBenchFile(b, dir, "bom.pdf", bomb1G())
	ts := startServer(b, b.TempDir())
	round := strings.Replace(strings.Replace(round45, "2028-12-15", "2099-12-15", 1), "id: btv-45", "id: mem", 1)
	if err := os.WriteFile(dir+"/round.yaml", []byte(round), 0o600); err != nil {
		b.Fatal(err)
	}
	if _, err := ts.cli(b, "round", "import", dir+"/round.yaml"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := ts.cli(b, "upload", "--round", "mem", "--timeout", "120s", long, bomb)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(out, `"too_complex"`) || strings.Count(out, `"status":"accepted"`) != 1 {
			b.Fatalf("unexpected verdicts:\n%s", out)
		}
	}
	b.StopTimer()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "child-peak-MB")
	}
	b.ReportMetric(float64(peakRSS())/1024, "server-peak-MB")
}

// peakRSS reads VmHWM (kB) of this process.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func writeBenchFile(b *testing.B, dir, name string, data []byte) string {
	p := dir + "/" + name
	if err := os.WriteFile(p, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}

func pages300(b *testing.B) []byte {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.SetFont("serif", "", 12)
	for i := 1; i <= 300; i++ {
		pdf.AddPage()
		if i == 1 {
			pdf.MultiCell(0, 6, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng", "", "L", false)
		}
		for j := 0; j < 15; j++ {
			pdf.MultiCell(0, 6, fmt.Sprintf("Trang %d dòng %d: phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con gương mẫu.", i, j), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// bomb1G is a 1.5 MB PDF whose one content stream inflates to 1 GB of path operators.
func bomb1G() []byte { return pdffixture.Bomb(1<<30, []byte("0 0 m\n")) }
