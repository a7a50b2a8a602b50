package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/ingest/reader"
)

var decideCorpus = flag.String("corpus", "", "directory made by `tinnhiem bench corpus --out DIR`, for BenchmarkDecideCorpus")

// BenchmarkDecideCorpus decides the documents of a load corpus against their rounds (one per
// group of its manifest), their texts read once beforehand, in turn, as the ingest worker does
// with a Recognizer. cpu-ms/op is the CPU spent a document, the collector's included; a verdict
// other than the manifest's kind and person fails the benchmark.
//
//	go test -run XXX -bench DecideCorpus -benchtime 3000x ./ingest/ -corpus DIR
func BenchmarkDecideCorpus(b *testing.B) {
	if *decideCorpus == "" {
		b.Skip("no -corpus DIR (tinnhiem bench corpus --out DIR makes one)")
	}
	data, err := os.ReadFile(filepath.Join(*decideCorpus, "manifest.json"))
	if err != nil {
		b.Fatal(err)
	}
	var m struct {
		Groups []struct {
			Key          string `json:"key"`
			Organization string `json:"organization"`
			Nominees     []struct {
				ID       string `json:"id"`
				Name     string `json:"name"`
				Position string `json:"position"`
			} `json:"nominees"`
		} `json:"groups"`
		Documents []struct {
			File    string `json:"file"`
			Group   string `json:"group"`
			Nominee string `json:"nominee"`
			Kind    string `json:"kind"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	rounds := map[string]dossier.Round{}
	for _, g := range m.Groups {
		rf, _ := json.Marshal(map[string]any{"id": "r-" + g.Key, "track": "party", "organization": g.Organization,
			"title": "Lấy phiếu tín nhiệm", "vote_date": "2029-03-01", "summoned": 3 * len(g.Nominees),
			"required": []string{"self_assessment", "asset_declaration"}, "nominees": g.Nominees})
		r, err := dossier.ParseRound(rf)
		if err != nil {
			b.Fatal(err)
		}
		rounds[g.Key] = r
	}
	type doc struct {
		round         dossier.Round
		ex            Extraction
		nominee, kind string
	}
	var docs []doc
	for _, d := range m.Documents {
		res, err := reader.Read(context.Background(), filepath.Join(*decideCorpus, d.File), reader.Options{NoOCR: true, NoConvert: true})
		if err != nil || res.Code != "" {
			b.Fatalf("%s: %v %s", d.File, err, res.Code)
		}
		docs = append(docs, doc{rounds[d.Group], ExtractionOf(res), d.Nominee, d.Kind})
	}
	var rc Recognizer
	report := ingesttest.CPUPerOp(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := docs[i%len(docs)]
		got := rc.Decide(dossier.Document{ID: "d1", Round: d.round.ID, Status: dossier.StatusPending, Size: 1, SHA256: "ab"}, d.round, d.ex)
		if got.Nominee != d.nominee || string(got.Kind) != d.kind {
			b.Fatalf("document %d: %s of %s, want %s of %s", i%len(docs), got.Kind, got.Nominee, d.kind, d.nominee)
		}
	}
	report()
}
