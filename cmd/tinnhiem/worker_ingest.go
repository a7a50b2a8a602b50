package main

import (
	"context"
	"os"
	"time"

	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
)

// startIngest runs the ingest workers. Files are read by long-lived, locked-down children of
// this binary (`tinnhiem extract --serve`, see ingest/sandbox): PDF text in the text profile,
// OCR and LibreOffice in the tools profile, so that a hostile file can only end a child.
func (s *system) startIngest(ctx context.Context) (func(context.Context), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cfg := s.sandboxConfig(exe)
	ex := sandbox.New(cfg)
	w := &worker.Ingest{
		JS: s.js, Originals: store.NewObjectReader(s.js, bus.ObjectUploads), Renderings: s.stores.Uploads.Renderings, Docs: s.stores.Documents, Rounds: s.stores.Rounds, Audit: s.stores.Audit, Now: s.now,
		Sandbox: ex,
		Log:     s.log.With("worker", "ingest"),
		// A file for each child of both pools: scans and Word files waiting on the tools
		// children (OCR takes seconds a page) do not hold back the text PDFs behind them.
		Concurrency: cfg.Size + cfg.ToolsSize,
		Metrics:     s.metrics,
		// The uploads this process receives reach its workers in memory.
		Handoff: s.stores.Uploads.Handoff,
	}
	w.Handoff.Enable()
	stop, err := w.Start(ctx)
	if err != nil {
		ex.Close()
		return nil, err
	}
	return func(ctx context.Context) {
		stop(ctx)
		ex.Close()
	}, nil
}

// sandboxConfig reads the limits of the extraction children from the environment.
func (s *system) sandboxConfig(exe string) sandbox.Config {
	sec := func(name string, def time.Duration) time.Duration {
		return time.Duration(envInt64(s.getenv, name, int64(def/time.Second))) * time.Second
	}
	text := sandbox.Profile{
		Mem:      envInt64(s.getenv, "TINNHIEM_EXTRACT_MEM", sandbox.DefaultTextMem),
		CPU:      sec("TINNHIEM_EXTRACT_CPU_SECONDS", sandbox.DefaultTextCPU),
		Timeout:  sec("TINNHIEM_EXTRACT_TIMEOUT_SECONDS", sandbox.DefaultTextTimeout),
		MaxFiles: int(envInt64(s.getenv, "TINNHIEM_EXTRACT_MAX_FILES", sandbox.DefaultMaxFiles)),
	}
	tools := sandbox.Profile{
		Mem:     envInt64(s.getenv, "TINNHIEM_TOOLS_MEM", sandbox.DefaultToolsMem),
		CPU:     sec("TINNHIEM_TOOLS_CPU_SECONDS", sandbox.DefaultToolsCPU),
		Timeout: sec("TINNHIEM_TOOLS_TIMEOUT_SECONDS", sandbox.DefaultToolsTimeout),
	}
	return sandbox.Config{
		Exe:       exe,
		Size:      int(envInt64(s.getenv, "TINNHIEM_INGEST_CONCURRENCY", 2)),
		ToolsSize: int(envInt64(s.getenv, "TINNHIEM_OCR_CONCURRENCY", sandbox.DefaultToolsSize)),
		Text:      text, Tools: tools,
		Limits: sandbox.ReadOptions{
			// Text needs content streams and fonts, a few MB even for hundreds of pages; a
			// decompression bomb is stopped here, long before it costs time or memory. The
			// child's own clock stops a file a little before the wall-clock kill, so that most
			// overruns end in a clean too_complex answer.
			PDF: pdftext.Limits{
				MaxPages:        int(envInt64(s.getenv, "TINNHIEM_EXTRACT_MAX_PAGES", pdftext.DefaultMaxPages)),
				MaxDecompressed: envInt64(s.getenv, "TINNHIEM_EXTRACT_MAX_DECOMPRESSED", 64<<20),
				Timeout:         text.Timeout * 9 / 10,
			},
		},
		Log: s.log.With("worker", "ingest"),
	}
}
