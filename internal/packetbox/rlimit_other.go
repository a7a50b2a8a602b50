//go:build !linux

package packetbox

// Outside Linux the child relies on the Go memory limit and the parent's wall-clock limit.

func limitMemory(limit int64) error { return nil }

func limitCPU(sec int) error { return nil }
