// Package ingesttest holds the fixtures shared by the tests of recognition (ingest) and of the
// ingest pipeline (internal/worker): rounds made of a roster, and the recognition corpus.
package ingesttest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"tinnhiem/dossier"
)

// Person is one person of a test roster.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// RoundWith is a round of the given persons whose dossier deadline is deadline (a date).
func RoundWith(t testing.TB, id string, people []Person, deadline string) dossier.Round {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\norganization: Tỉnh ủy Bình Sơn\ntitle: Lấy phiếu tín nhiệm\nvote_date: 2028-12-15\nsummoned: 45\n", id)
	fmt.Fprintf(&b, "deadlines: {dossier: %s, explanation_request: 2028-12-05, explanation: 2028-12-12}\nnominees:\n", deadline)
	for _, p := range people {
		fmt.Fprintf(&b, "  - {id: %s, name: %q}\n", p.ID, p.Name)
	}
	r, err := dossier.ParseRound([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// CorpusCase is one document of the recognition corpus and what recognition must make of it.
type CorpusCase struct {
	File     string `json:"file"`
	Roster   string `json:"roster"`
	Kind     string `json:"kind"`
	Nominee  string `json:"nominee"`
	Declared struct {
		Kind    string `json:"kind"`
		Nominee string `json:"nominee"`
	} `json:"declared"`
	Warnings []string `json:"warnings"`
}

// CorpusDir is the recognition corpus (ingest/testdata/classify), wherever the test runs.
func CorpusDir() string { return Path("testdata", "classify") }

// Path is a file of the ingest package's tree (e.g. "pdftext", "testdata", "x.pdf"), wherever
// the test runs.
func Path(parts ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), ".."}, parts...)...)
}

// LoadCorpus reads the corpus cases and their rosters.
func LoadCorpus(t testing.TB) ([]CorpusCase, map[string][]Person) {
	t.Helper()
	var cases []CorpusCase
	var rosters map[string][]Person
	for name, v := range map[string]any{"cases.json": &cases, "rosters.json": &rosters} {
		data, err := os.ReadFile(filepath.Join(CorpusDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return cases, rosters
}

// HungSelfAssessment is a self-assessment of Trần Quốc Hùng that addresses every criterion.
const HungSelfAssessment = "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nVề phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con gương mẫu chấp hành pháp luật."

// CPUPerOp starts measuring the CPU this process spends, user and system, the collector's
// included; the function it returns reports it as cpu-ms/op of b (call it after the loop).
// On a shared machine that is steadier than ns/op, and it counts what a child process costs.
func CPUPerOp(b *testing.B) func() {
	start := processCPU()
	return func() {
		b.ReportMetric(float64(processCPU()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
