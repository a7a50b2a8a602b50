package packetbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/packetbox"
	"tinnhiem/internal/pdffixture"
)

// TestMain lets the test binary stand in for `tinnhiem packet-assemble`. A hook before the
// subcommand makes the child misbehave the way a hostile file makes the PDF library do:
// "hang" never returns, "hog" allocates without end.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case packetbox.Subcommand:
			if err := packetbox.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
				os.Exit(1)
			}
			os.Exit(0)
		case "hang":
			_, _ = io.Copy(io.Discard, os.Stdin)
			select {}
		case "hog":
			_ = packetbox.LimitForTest(os.Args[2:])
			var keep [][]byte
			for {
				b := make([]byte, 16<<20)
				for i := range b {
					b[i] = byte(i)
				}
				keep = append(keep, b)
			}
		}
	}
	os.Exit(m.Run())
}

func source(nominee string, kind dossier.Kind, file string, data []byte) packetbox.Source {
	return packetbox.Source{Nominee: nominee, Kind: kind, File: file, Open: func(context.Context) (io.ReadCloser, string, error) {
		return io.NopCloser(bytes.NewReader(data)), "", nil
	}}
}

func TestAssembleInChild(t *testing.T) {
	rd := dossiertest.Round(t)
	self := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nNguyễn Thị Thanh Hà\n\nPhẩm chất chính trị vững vàng; đạo đức, lối sống trong sáng.")
	three := pdffixture.Pages(t, 3)
	in := packetbox.Input{Round: rd, At: time.Date(2028, 11, 28, 3, 0, 0, 0, time.UTC), Sources: []packetbox.Source{
		source("n01", dossier.KindSelfAssessment, "tu-danh-gia.pdf", self),
		source("n01", dossier.KindAssetDeclaration, "ke-khai.pdf", three),
		{Nominee: "n02", Kind: dossier.KindSelfAssessment, File: "bao-cao.docx", Open: func(context.Context) (io.ReadCloser, string, error) {
			return nil, "tệp Word chưa có bản PDF", nil
		}},
		{Nominee: "n02", Kind: dossier.KindAssetDeclaration, File: "mat.pdf", Open: func(context.Context) (io.ReadCloser, string, error) {
			return nil, "", errors.New("object store down")
		}},
	}}
	r := packetbox.New(os.Args[0], nil, 512<<20, 60*time.Second, 90*time.Second, 64<<20, 1)
	out, err := r.Assemble(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdftext.Extract(bytes.NewReader(out.PDF), int64(len(out.PDF)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// Cover and contents (2) + two summaries + 1 + 3 pages of documents.
	if text.Pages != 8 {
		t.Errorf("%d pages, want 8", text.Pages)
	}
	flat := strings.Join(strings.Fields(text.Text), " ")
	for _, want := range []string{"Phẩm chất chính trị vững vàng", "Trang 3. Báo cáo tự đánh giá", "tệp Word chưa có bản PDF", "không đọc được tệp đã lưu"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the packet lacks %q:\n%s", want, text.Text)
		}
	}
	merged := 0
	for _, e := range out.Entries {
		if e.Page > 0 && e.Problem == "" {
			merged++
		}
	}
	if merged != 2 || len(out.Entries) != 6 { // two persons × three kinds
		t.Errorf("entries: %+v", out.Entries)
	}
}

func TestChildLimits(t *testing.T) {
	rd := dossiertest.Round(t)
	in := packetbox.Input{Round: rd, At: time.Now(), Sources: []packetbox.Source{source("n01", dossier.KindSelfAssessment, "a.pdf", pdffixture.Pages(t, 1))}}
	t.Run("wall clock", func(t *testing.T) {
		r := packetbox.New(os.Args[0], []string{"hang"}, 512<<20, 30*time.Second, 2*time.Second, 64<<20, 1)
		start := time.Now()
		_, err := r.Assemble(context.Background(), in)
		if !errors.Is(err, packetbox.ErrTooSlow) {
			t.Fatalf("err %v, want ErrTooSlow", err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("the hanging child was stopped only after %v", d)
		}
	})
	t.Run("memory", func(t *testing.T) {
		r := packetbox.New(os.Args[0], []string{"hog"}, 256<<20, 30*time.Second, 60*time.Second, 64<<20, 1)
		_, err := r.Assemble(context.Background(), in)
		if !errors.Is(err, packetbox.ErrTooBig) {
			t.Fatalf("err %v, want ErrTooBig", err)
		}
	})
	t.Run("input bound", func(t *testing.T) {
		r := packetbox.New(os.Args[0], nil, 512<<20, 30*time.Second, 60*time.Second, 1<<20, 1)
		big := packetbox.Input{Round: rd, At: time.Now(), Sources: []packetbox.Source{
			source("n01", dossier.KindSelfAssessment, "a.pdf", bytes.Repeat([]byte("x"), 700<<10)),
			source("n02", dossier.KindSelfAssessment, "b.pdf", bytes.Repeat([]byte("y"), 700<<10)),
		}}
		_, err := r.Assemble(context.Background(), big)
		if !errors.Is(err, packetbox.ErrTooBig) {
			t.Fatalf("err %v, want ErrTooBig", err)
		}
	})
}

// A frame that lies about its lengths is refused, never read past its bounds.
func TestReadInputBounds(t *testing.T) {
	rd := dossiertest.Round(t)
	var buf bytes.Buffer
	err := packetbox.WriteInput(context.Background(), &buf, packetbox.Input{Round: rd, At: time.Now(), Sources: []packetbox.Source{
		source("n01", dossier.KindSelfAssessment, "a.pdf", bytes.Repeat([]byte("%PDF-"), 3000)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	frame := buf.Bytes()
	if _, _, files, err := packetbox.ReadInput(bytes.NewReader(frame), 1<<20, 1<<20); err != nil || len(files) != 1 || len(files[0].PDF) != 15000 {
		t.Fatalf("round trip: %v %+v", err, files)
	}
	// One file over the per-file bound is passed on empty with its reason.
	if _, _, files, err := packetbox.ReadInput(bytes.NewReader(frame), 10000, 1<<20); err != nil || files[0].PDF != nil || files[0].Problem == "" {
		t.Fatalf("over the file bound: %v %+v", err, files)
	}
	for i := range len(frame) {
		_, _, _, _ = packetbox.ReadInput(bytes.NewReader(frame[:i]), 1<<20, 1<<20) // cut anywhere: an error, never a panic
	}
	bad := append([]byte(nil), frame...)
	copy(bad[len("TNPACKET1\n"):], []byte{0x7f, 0xff, 0xff, 0xff})
	if _, _, _, err := packetbox.ReadInput(bytes.NewReader(bad), 1<<20, 1<<20); !errors.Is(err, packetbox.ErrFrame) {
		t.Errorf("a 2 GB header length: %v", err)
	}
}

// BenchmarkAssemble assembles the packet of a 45-person round, each with a three-page
// self-assessment and a two-page asset declaration, in the child process; it reports the
// packet's pages and the child's peak memory.
func BenchmarkAssemble(b *testing.B) {
	var persons strings.Builder
	for i := 1; i <= 45; i++ {
		fmt.Fprintf(&persons, "  - {id: p%02d, name: Người Thứ %d, position: Ủy viên}\n", i, i)
	}
	rd, err := dossier.ParseRound([]byte("id: bench\ntrack: party\norganization: Tỉnh ủy Bình Sơn\ntitle: Lấy phiếu tín nhiệm\nvote_date: 2028-12-15\nsummoned: 60\nnominees:\n" + persons.String()))
	if err != nil {
		b.Fatal(err)
	}
	self, decl := pdffixture.Pages(b, 3), pdffixture.Pages(b, 2)
	var sources []packetbox.Source
	for _, n := range rd.Nominees {
		sources = append(sources, source(n.ID, dossier.KindSelfAssessment, "a.pdf", self), source(n.ID, dossier.KindAssetDeclaration, "b.pdf", decl))
	}
	r := packetbox.New(os.Args[0], nil, 1<<30, 5*time.Minute, 5*time.Minute, 256<<20, 1)
	b.ResetTimer()
	var out packetbox.Output
	for range b.N {
		if out, err = r.Assemble(context.Background(), packetbox.Input{Round: rd, At: time.Now(), Sources: sources}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	res, err := pdftext.Extract(bytes.NewReader(out.PDF), int64(len(out.PDF)), pdftext.Limits{MaxPages: 1000})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Pages), "pages")
	b.ReportMetric(float64(len(out.PDF))/(1<<20), "MB")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "child-peak-MiB")
	}
}
