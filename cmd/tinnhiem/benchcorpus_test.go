package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/pdftext"
)

// The load corpus is only worth its figures if every file is the paper the manifest says: each
// is read and judged as the ingest workers would, against the round the load tool creates.
func TestBenchCorpusIsRecognised(t *testing.T) {
	dir := t.TempDir()
	m, err := benchCorpus(corpusSpec{Out: dir, Rounds: 3, Docs: 23, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Documents) != 23 || len(m.Groups) != 3 {
		t.Fatalf("%d documents in %d groups", len(m.Documents), len(m.Groups))
	}
	again, err := benchCorpus(corpusSpec{Out: t.TempDir(), Rounds: 3, Docs: 23, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[dossier.Kind]int{}
	// Two groups share the second round, as with --rounds 2: nominee ids are prefixed.
	for _, tc := range []struct {
		rounds int
	}{{3}, {2}} {
		rounds := map[string]dossier.Round{}
		prefix := map[string]string{}
		for j := 0; j < tc.rounds; j++ {
			var gs []corpusGroup
			for i := j; i < len(m.Groups); i += tc.rounds {
				gs = append(gs, m.Groups[i])
				if tc.rounds < len(m.Groups) {
					prefix[m.Groups[i].Key] = m.Groups[i].Key + "-"
				}
			}
			data, err := benchRoundFile("bench-test-"+string(rune('a'+j)), gs, prefix, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			rd, err := dossier.ParseRound(data)
			if err != nil {
				t.Fatalf("round file: %v\n%s", err, data)
			}
			for _, g := range gs {
				rounds[g.Key] = rd
			}
		}
		for i, d := range m.Documents {
			data, err := os.ReadFile(filepath.Join(dir, d.File))
			if err != nil {
				t.Fatal(err)
			}
			if i < len(again.Documents) {
				other, _ := os.ReadFile(filepath.Join(dir, again.Documents[i].File))
				if tc.rounds == 3 && !bytes.Equal(data, other) {
					t.Errorf("%s: the same seed made different bytes", d.File)
				}
			}
			res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
			if err != nil {
				t.Fatalf("%s: %v", d.File, err)
			}
			if res.Pages < 2 || res.Pages > 7 {
				t.Errorf("%s: %d pages", d.File, res.Pages)
			}
			rd := rounds[d.Group]
			doc := dossier.Document{ID: ingest.NewID(time.Now()), Round: rd.ID, File: filepath.Base(d.File), SHA256: d.File, Size: int64(len(data)),
				ReceivedAt: time.Now(), Status: dossier.StatusPending}
			v := ingest.Decide(doc, rd, ingest.Extraction{Pages: res.Pages, Text: res.Text})
			if v.Status != dossier.StatusAccepted || v.Kind != d.Kind || v.Nominee != prefix[d.Group]+d.Nominee {
				t.Errorf("%s (rounds %d): %s %s %s %s %q, want %s %s", d.File, tc.rounds, v.Status, v.Reason, v.Kind, v.Nominee, v.Message, d.Kind, d.Nominee)
			}
			kinds[d.Kind]++
		}
	}
	for _, k := range []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration, dossier.KindExplanationRequest, dossier.KindExplanation} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the corpus", k)
		}
	}
}
