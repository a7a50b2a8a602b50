package main

import (
	"log/slog"
	"testing"

	"tinnhiem/ingest/sandbox"
)

// The pools' sizes come from the environment: text children from TINNHIEM_INGEST_CONCURRENCY,
// tools children (Tesseract, LibreOffice: 160–450 MB each) from TINNHIEM_OCR_CONCURRENCY, one by
// default whatever the ingest concurrency, so that scans cannot multiply the memory.
func TestSandboxConfigPoolSizes(t *testing.T) {
	for _, tc := range []struct {
		env         map[string]string
		text, tools int
	}{
		{nil, 2, sandbox.DefaultToolsSize},
		{map[string]string{"TINNHIEM_INGEST_CONCURRENCY": "6"}, 6, sandbox.DefaultToolsSize},
		{map[string]string{"TINNHIEM_INGEST_CONCURRENCY": "4", "TINNHIEM_OCR_CONCURRENCY": "3"}, 4, 3},
	} {
		s := &system{getenv: func(k string) string { return tc.env[k] }, log: slog.New(slog.DiscardHandler)}
		cfg := s.sandboxConfig("/bin/true")
		if cfg.Size != tc.text || cfg.ToolsSize != tc.tools {
			t.Errorf("%v: text %d tools %d, want %d and %d", tc.env, cfg.Size, cfg.ToolsSize, tc.text, tc.tools)
		}
	}
	if sandbox.DefaultToolsSize != 1 {
		t.Errorf("DefaultToolsSize %d: one Tesseract at a time is what keeps a 2-core server under 400 MB", sandbox.DefaultToolsSize)
	}
}
