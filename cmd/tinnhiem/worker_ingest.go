package main

import (
	"context"
	"os"
	"time"

	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/worker"
)

// startIngest runs the ingest workers: each file is read by a child process of this binary
// (`tinnhiem extract`) under memory and CPU limits, so a hostile PDF can only kill the child.
func (s *system) startIngest(ctx context.Context) (func(context.Context), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	w := &worker.Ingest{
		JS: s.js, Objects: s.stores.Uploads.Objects, Docs: s.stores.Documents, Rounds: s.stores.Rounds, Audit: s.stores.Audit, Now: s.now,
		Sandbox: pdftext.Sandbox{
			Exe:      exe,
			MemLimit: envInt64(s.getenv, "TINNHIEM_EXTRACT_MEM", 512<<20),
			CPUTime:  time.Duration(envInt64(s.getenv, "TINNHIEM_EXTRACT_CPU_SECONDS", 30)) * time.Second,
			Timeout:  time.Duration(envInt64(s.getenv, "TINNHIEM_EXTRACT_TIMEOUT_SECONDS", 45)) * time.Second,
			// Text needs content streams and fonts, a few MB even for hundreds of pages; a
			// decompression bomb is stopped here, long before it costs time or memory.
			Limits: pdftext.Limits{
				MaxPages:        int(envInt64(s.getenv, "TINNHIEM_EXTRACT_MAX_PAGES", pdftext.DefaultMaxPages)),
				MaxDecompressed: envInt64(s.getenv, "TINNHIEM_EXTRACT_MAX_DECOMPRESSED", 64<<20),
			},
		},
		Log:         s.log.With("worker", "ingest"),
		Concurrency: int(envInt64(s.getenv, "TINNHIEM_INGEST_CONCURRENCY", 2)),
		Metrics:     s.metrics,
	}
	return w.Start(ctx)
}
