//go:build !linux

package pdftext

// Outside Linux the child relies on the Go memory limit and the parent's
// wall-clock timeout alone: the rlimits it would set are Linux-specific in
// how they count (RLIMIT_DATA covers mmap only since Linux 4.7).

func limitMemory(limit int64) error { return nil }

func limitCPU(sec int) error { return nil }
