package sandbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/pdffixture"
)

// largePDF is a one-page PDF with a line of text and a photo of size bytes (random, as JPEG
// data is): the shape of a scanned dossier paper of 40 MB.
func largePDF(size int) []byte {
	photo := make([]byte, size)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range photo {
		photo[i] = byte(r.Uint32())
	}
	content := "q 400 0 0 400 100 300 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td (Bao cao tu danh gia) Tj ET"
	return pdffixture.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 2000 /Height 2000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream", len(photo), photo),
	)
}

// residentMB is a process's resident memory in MB, from /proc.
func residentMB(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := strconv.ParseInt(strings.Fields(string(b))[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize()) >> 20
}

// A long-lived child gives back the memory of a large file once it has answered: a pool of
// children that each kept the heap of the last 40 MB scan they read (about 200 MB each, under
// the bound that replaces a child) held a server with its children above 400 MB long after
// twelve such uploads were read.
func TestPoolChildGivesBackLargeFileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 40 MB file three times")
	}
	prof := sandbox.TextProfile()
	prof.MaxRSS = 1 << 40 // this test watches the memory; the pool must not replace the child
	p := pool(t, prof, 1)
	path := writeFile(t, "scan.pdf", largePDF(40<<20))
	pid := childPID(t, p)
	base := residentMB(t, pid)
	for range 3 {
		out, err := p.Read(context.Background(), path, sandbox.ReadOptions{})
		if err != nil || out.Code != "" || !strings.Contains(out.Text, "Bao cao tu danh gia") {
			t.Fatalf("%v %s %q", err, out.Code, out.Text)
		}
	}
	if got := childPID(t, p); got != pid {
		t.Fatalf("child replaced (%d → %d): the test needs the same child", pid, got)
	}
	// The file alone is 40 MB: a child that kept it (and the garbage of the copies before it)
	// is well above its start size plus one file's worth.
	switch rss := residentMB(t, pid); {
	case raceEnabled:
		t.Logf("child %d MB after the files, %d MB at start (race detector: its shadow memory stays)", rss, base)
	case rss > base+40:
		t.Errorf("child holds %d MB after reading three 40 MB files (%d MB at start)", rss, base)
	default:
		t.Logf("child %d MB after the files, %d MB at start", rss, base)
	}
}
