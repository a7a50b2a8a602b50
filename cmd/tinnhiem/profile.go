package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
)

// startCPUProfile profiles this process into path until the returned function is called:
// `serve --cpuprofile FILE` under `tinnhiem bench ingest` shows where a document's cost goes.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// writeAllocProfile writes the allocations of this process since it started (the runtime samples
// one every 512 KB) to path: `serve --memprofile FILE` under `tinnhiem bench ingest` shows what a
// document allocates, and so what the collector has to do.
func writeAllocProfile(path string, log *slog.Logger) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		log.Warn("memprofile", "err", err)
	}
}
