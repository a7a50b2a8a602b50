//go:build !unix

package pdftext

import "os"

func killedBy(st *os.ProcessState) (os.Signal, func(bool) bool, bool) { return nil, nil, false }
