package reader_test

import (
	"context"
	"flag"
	"path/filepath"
	"testing"

	"tinnhiem/ingest/ingesttest"
	"tinnhiem/ingest/reader"
)

var corpus = flag.String("corpus", "", "directory made by `tinnhiem bench corpus --out DIR`, for BenchmarkReadCorpus")

// BenchmarkReadCorpus reads the first 300 dossier PDFs (2–6 pages) of a load corpus in turn, as a
// long-lived extraction child does. cpu-ms/op is the CPU the process spent a document, the
// garbage collector's included: what the child costs the machine, steadier than ns/op on a
// shared one.
//
//	go test -run XXX -bench ReadCorpus -benchtime 2000x -benchmem ./ingest/reader/ -corpus DIR
func BenchmarkReadCorpus(b *testing.B) {
	if *corpus == "" {
		b.Skip("no -corpus DIR (tinnhiem bench corpus --out DIR makes one)")
	}
	files, err := filepath.Glob(filepath.Join(*corpus, "*", "*.pdf"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no PDFs in %s/*/ (%v)", *corpus, err)
	}
	files = files[:min(len(files), 300)]
	report := ingesttest.CPUPerOp(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := reader.Read(context.Background(), files[i%len(files)], reader.Options{NoOCR: true, NoConvert: true})
		if err != nil || res.Code != "" {
			b.Fatalf("%s: %v %s %s", files[i%len(files)], err, res.Code, res.Detail)
		}
	}
	report()
}
