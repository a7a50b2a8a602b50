//go:build !linux

package pdftext

import "errors"

var errNoRlimit = errors.New("resource limits are supported on Linux only")

func limitMemory(limit int64) error { return errNoRlimit }

func limitCPU(sec int) error { return errNoRlimit }
