package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimit is the soft limit of serve's Go memory when neither --memory-limit nor
// GOMEMLIMIT says otherwise. Left alone, the heap of an all-in-one server under a burst of
// uploads grows to about twice what it holds live (Go's GOGC=100) on top of nats-server's write
// cache: 250 MB, with the extraction children over the 300 MB issue 13 allows. At 200 MiB the
// collector runs earlier in such a burst and the server stays near 180 MB at the same speed; it
// is a soft limit, so a server that really holds more (large uploads in flight) grows past it
// rather than fail, the collector then capped at half the CPU by the Go runtime.
const defaultMemoryLimit = 200 << 20

// applyMemoryLimit sets the process's soft memory limit, unless GOMEMLIMIT was given to the Go
// runtime (which has applied it already) or limit is 0.
func applyMemoryLimit(getenv func(string) string, limit int64, log *slog.Logger) {
	if getenv("GOMEMLIMIT") != "" || limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit", "bytes", limit)
}
