package pdftext_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/pdftext"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the fixtures")

func extractFile(t testing.TB, path string, lim pdftext.Limits) (pdftext.Result, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return pdftext.Extract(bytes.NewReader(data), int64(len(data)), lim)
}

// TestGolden extracts every fixture with text and compares with the
// committed text exactly. -update rewrites the golden files.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pdf")
	n := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "bad-") || strings.HasPrefix(filepath.Base(f), "enc-") {
			continue // refused, or checked against their source (TestOwnerPasswordOnly)
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			res, err := extractFile(t, f, pdftext.Limits{})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !norm.NFC.IsNormalString(res.Text) {
				t.Error("text is not NFC")
			}
			if got := strings.Count(res.Text, "\f") + 1; got != res.Pages || len(res.PageTexts) != res.Pages {
				t.Errorf("%d pages, %d page texts, %d separators+1", res.Pages, len(res.PageTexts), got)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".pdf")+".txt")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(res.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden: %v (run testdata/make-fixtures.sh)", err)
			}
			if res.Text != string(want) {
				t.Errorf("text differs from %s\n got: %q\nwant: %q", golden, res.Text, want)
			}
		})
	}
	if n < 4 {
		t.Fatalf("only %d fixtures", n)
	}
}

// TestWordsRoundTrip checks, independently of the golden files, that the
// words of a source text come back exactly from every producer (line wrapping
// differs between them, the words must not).
func TestWordsRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/src/de-nghi-giai-trinh.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(src))
	for _, f := range []string{"testdata/gofpdf-de-nghi-giai-trinh.pdf", "testdata/lo-de-nghi-giai-trinh.pdf"} {
		res, err := extractFile(t, f, pdftext.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got := strings.Fields(strings.ReplaceAll(res.Text, "\f", ""))
		// gofpdf's footer "Trang 1/1" is not part of the source.
		if len(got) >= 2 && got[len(got)-2] == "Trang" {
			got = got[:len(got)-2]
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: words differ\n got: %s\nwant: %s", f, strings.Join(got, " "), strings.Join(want, " "))
		}
	}
}

func TestMarkupRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/src/bao-cao-tu-danh-gia.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimLeft(line, "# ")
		line = strings.Trim(line, "_")
		for _, w := range strings.Fields(line) {
			if w != "|" {
				want = append(want, w)
			}
		}
	}
	for _, f := range []string{"testdata/gofpdf-bao-cao-tu-danh-gia.pdf", "testdata/qpdf-objstm-bao-cao-tu-danh-gia.pdf"} {
		res, err := extractFile(t, f, pdftext.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.PageTexts {
			lines := strings.Split(p, "\n")
			if last := lines[len(lines)-1]; strings.HasPrefix(last, "Trang ") {
				lines = lines[:len(lines)-1] // the footer
			}
			got = append(got, strings.Fields(strings.Join(lines, "\n"))...)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: words differ\n got: %s\nwant: %s", f, strings.Join(got, " "), strings.Join(want, " "))
		}
	}
}

// TestOwnerPasswordOnly: files protected by an owner password only (an
// empty user password: viewers open them without asking) read exactly as
// the file they were made from, whatever the cipher: RC4 of 40 and 128
// bits, AES-128, AES-256 of revisions 5 and 6, with object streams.
func TestOwnerPasswordOnly(t *testing.T) {
	files, _ := filepath.Glob("testdata/enc-owner-*.pdf")
	if len(files) < 6 {
		t.Fatalf("%d owner-password fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src := f[strings.Index(f, "-lo-")+1:]
			if i := strings.Index(f, "-gofpdf-"); i >= 0 {
				src = f[i+1:]
			}
			want, err := extractFile(t, "testdata/"+src, pdftext.Limits{})
			if err != nil {
				t.Fatalf("source %s: %v", src, err)
			}
			got, err := extractFile(t, f, pdftext.Limits{})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got.Text != want.Text || want.Text == "" {
				t.Errorf("text differs from %s\n got: %q\nwant: %q", src, got.Text, want.Text)
			}
		})
	}
}

func ExampleExtract() {
	data, _ := os.ReadFile("testdata/lo-de-nghi-giai-trinh.pdf")
	res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
	if err != nil {
		fmt.Println(pdftext.Code(err), pdftext.Message(pdftext.Code(err)))
		return
	}
	fmt.Println(res.Pages, strings.SplitN(res.Text, "\n", 3)[1])
	// Output: 1 Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH
}

// TestBytesReadInPlace reads every fixture, refused ones and encrypted ones too, from memory
// (pdftext.Bytes, read where it is) and through a reader (copied first): the answers are the
// same and the bytes are as they were, so a caller may keep reusing its buffer.
func TestBytesReadInPlace(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pdf")
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		orig := bytes.Clone(data)
		want, werr := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
		got, gerr := pdftext.Extract(pdftext.Bytes(data), int64(len(data)), pdftext.Limits{})
		if pdftext.Code(gerr) != pdftext.Code(werr) || (gerr == nil) != (werr == nil) {
			t.Errorf("%s: error %v in place, %v copied", f, gerr, werr)
		}
		if got.Text != want.Text || got.Pages != want.Pages {
			t.Errorf("%s: %d pages %q in place, %d pages %q copied", f, got.Pages, got.Text, want.Pages, want.Text)
		}
		if !bytes.Equal(data, orig) {
			t.Errorf("%s: Extract wrote into the bytes it was given", f)
		}
	}
}
