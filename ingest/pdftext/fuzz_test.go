package pdftext_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/pdftext"
)

// FuzzExtract: whatever the bytes, Extract returns (no panic escapes) within
// a time bound, with a known reason code or a well-formed Result.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.pdf")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Add([]byte("%PDF-1.7\n"))
	f.Add(simpleDoc(2, "Trang").finish())
	f.Add(forgedXrefSize())
	f.Add(pad(simpleDoc(1, "Trang").finish(), bytes.Repeat([]byte("\x00 %%EOF\n"), 1000)))
	f.Add(onePage(func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) },
		"BT /F1 12 Tf 72 700 Td ["+utf16hex("Trần")+" -300 "+utf16hex("Quốc")+"] TJ ET"))
	f.Add(formDoc(func(d *doc, font int) string {
		n := d.add("")
		d.set(n, form("<< /XObject << /Fm1 "+itoa(n)+" 0 R >> >>", "BT 0 0 Td (Loop) Tj ET /Fm1 Do"))
		return "/Fm1 " + itoa(n) + " 0 R"
	}))
	f.Add(fanOut(4, 4, show("(x)")))
	f.Add(appendXrefStreamUpdate(simpleDoc(1, "Before").finish(), map[int]string{4: stream("", show("(After)"))}, "/Root 1 0 R"))
	noTable := simpleDoc(1, "No table").finish()
	f.Add(noTable[:bytes.Index(noTable, []byte("xref"))])
	known := map[string]bool{"": true, pdftext.CodeEmpty: true, pdftext.CodeNotPDF: true, pdftext.CodeEncrypted: true,
		pdftext.CodeCorrupt: true, pdftext.CodeTooComplex: true, pdftext.CodeTooManyPages: true, pdftext.CodeNoTextLayer: true,
		pdftext.CodeUndecodableText: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		var res pdftext.Result
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err = pdftext.Extract(bytes.NewReader(data), int64(len(data)),
				pdftext.Limits{MaxPages: 50, MaxDecompressed: 16 << 20, Timeout: 2 * time.Second})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("Extract did not return within 20 s")
		}
		code := pdftext.Code(err)
		if err != nil && (code == "" || !known[code]) {
			t.Fatalf("error without a known reason code: %v", err)
		}
		if err == nil {
			if res.Pages != len(res.PageTexts) || !norm.NFC.IsNormalString(res.Text) {
				t.Fatalf("malformed result: %d pages, %d page texts", res.Pages, len(res.PageTexts))
			}
		}
	})
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

// TestMutations runs mutated fixtures through Extract as a deterministic,
// bounded stand-in for fuzzing in ordinary test runs: flipped bytes, cuts,
// and spliced tokens must end in a result or a known reason code, quickly.
func TestMutations(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pdf")
	seeds := [][]byte{simpleDoc(2, "Trang").finish()}
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			seeds = append(seeds, b)
		}
	}
	tokens := []string{"<<", ">>", "[", "]", "(", ")", "<", ">", "/", "0 0 R", "99999 0 R", "-1", "1e308", "obj", "endobj",
		"stream\n", "endstream", "BT", "ET", "Tj", "TJ", "Tf", "Do", "BI", "ID", "EI", "q", "Q", "cm", "begincodespacerange", "beginbfrange"}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 120
	if testing.Short() {
		n = 10
	}
	for si, seed := range seeds {
		for i := 0; i < n; i++ {
			data := append([]byte(nil), seed...)
			switch i % 4 {
			case 0:
				for k := 0; k < 1+rng.IntN(8); k++ {
					data[rng.IntN(len(data))] = byte(rng.IntN(256))
				}
			case 1:
				data = data[:rng.IntN(len(data))]
			case 2:
				at := rng.IntN(len(data))
				tok := tokens[rng.IntN(len(tokens))]
				data = append(data[:at], append([]byte(" "+tok+" "), data[at:]...)...)
			case 3:
				a, b := rng.IntN(len(data)), rng.IntN(len(data))
				if a > b {
					a, b = b, a
				}
				data = append(data[:a], data[b:]...)
			}
			start := time.Now()
			res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{Timeout: 5 * time.Second})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("seed %d mutation %d: %v", si, i, d)
			}
			if err != nil && pdftext.Code(err) == "" {
				t.Errorf("seed %d mutation %d: error without a code: %v", si, i, err)
			}
			if err == nil && (res.Pages != len(res.PageTexts) || !norm.NFC.IsNormalString(res.Text)) {
				t.Errorf("seed %d mutation %d: malformed result", si, i)
			}
		}
	}
}
