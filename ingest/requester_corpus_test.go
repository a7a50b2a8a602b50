package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
)

// TestRequesterCorpus checks who asks in every request of testdata/classify: each states its
// requester ("" where the paper names nobody who asks).
func TestRequesterCorpus(t *testing.T) {
	rosters, _ := loadCorpus(t)
	var cases []struct {
		File     string `json:"file"`
		Roster   string `json:"roster"`
		Declared struct {
			Kind    dossier.Kind `json:"kind"`
			Nominee string       `json:"nominee"`
		} `json:"declared"`
		Kind      dossier.Kind `json:"kind"`
		Requester *string      `json:"requester"`
	}
	readJSON(t, filepath.Join("testdata", "classify", "cases.json"), &cases)
	named, checked := 0, 0
	for _, c := range cases {
		if c.Requester == nil {
			if c.Kind == dossier.KindExplanationRequest {
				t.Errorf("%s: a request must state its requester", c.File)
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", "classify", c.File))
		if err != nil {
			t.Fatal(err)
		}
		got := Recognize(string(b), rosters[c.Roster], Declared{Kind: c.Declared.Kind, Nominee: c.Declared.Nominee})
		checked++
		if *c.Requester != "" {
			named++
		}
		if got.Requester != *c.Requester {
			t.Errorf("%s: requester = %q, want %q", c.File, got.Requester, *c.Requester)
		}
	}
	if checked < 12 || named < 6 {
		t.Errorf("corpus states %d requesters, %d of them named; want at least 12 and 6", checked, named)
	}
}

// TestRequesterPDFs reads who asks in the requests LibreOffice printed to PDF — the classify
// corpus's and the blind corpus's, whose layouts (signature columns, tables, a header in two
// columns) put the words in the order a real extraction does.
func TestRequesterPDFs(t *testing.T) {
	var exp struct {
		Rosters map[string][]Person `json:"rosters"`
		Cases   []struct {
			Name   string `json:"name"`
			Roster string `json:"roster"`
		} `json:"cases"`
	}
	dir := filepath.Join("testdata", "classify", "pdf")
	readJSON(t, filepath.Join(dir, "expect.json"), &exp)
	rosters := map[string][]Person{}
	for _, c := range exp.Cases {
		rosters[filepath.Join(dir, c.Name+".pdf")] = exp.Rosters[c.Roster]
	}
	rounds, blind := loadBlind(t)
	for _, c := range blind {
		rosters[filepath.Join("testdata", "blind", "pdf", c.File)] = Roster(rounds[c.Round])
	}
	tests := []struct{ file, want string }{
		{"testdata/classify/pdf/v_rq1.pdf", ""}, // the board forwards, T/M
		{"testdata/classify/pdf/v_rq2.pdf", "Quách Văn Lực"},
		{"testdata/classify/pdf/v_rq3.pdf", ""}, // "ý kiến của đại biểu" naming nobody, TM. Thường trực
		{"testdata/classify/pdf/v_rq4.pdf", "Đồng Văn Tám"},
		{"testdata/classify/pdf/w_rq1.pdf", ""}, // the requester's field left blank
		{"testdata/classify/pdf/w_rq2.pdf", ""},
		{"testdata/classify/pdf/x_rq1.pdf", "Tạ Quang Bửu"},
		{"testdata/classify/pdf/x_rq2.pdf", ""}, // voters of a commune, through the Front
		{"testdata/blind/pdf/d07.pdf", "Phạm Thị Lan"},
		{"testdata/blind/pdf/d08.pdf", "Bùi Thanh Hà"},
		{"testdata/blind/pdf/d24.pdf", ""}, // the standing committee asks, its secretary signs T/M
		{"testdata/blind/pdf/d33.pdf", "Hà Văn Thắng"},
		{"testdata/blind/pdf/e07.pdf", "Quàng Thị Dung"},
		{"testdata/blind/pdf/e14.pdf", "Nông Văn Khải"},
		{"testdata/blind/pdf/f02.pdf", ""},
		{"testdata/blind/pdf/f09.pdf", "Nông Văn Khải"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			file := filepath.FromSlash(tt.file)
			roster, ok := rosters[file]
			if !ok {
				t.Fatalf("%s is in no corpus", file)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{Timeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			got := Recognize(res.Text, roster, Declared{})
			if got.Kind != dossier.KindExplanationRequest {
				t.Fatalf("kind = %s", got.Kind)
			}
			if got.Requester != tt.want {
				t.Errorf("requester = %q, want %q", got.Requester, tt.want)
			}
		})
	}
}
