//go:build !linux

// Package rlimit sets the kernel's resource limits of this process; outside Linux it does
// nothing, and the callers rely on the Go memory limit and their parent's wall clock.
package rlimit

// Growth does nothing outside Linux.
func Growth(limit int64) error { return nil }

// CPU does nothing outside Linux.
func CPU(sec int) error { return nil }
