//go:build unix

package pdftext_test

import (
	"strconv"
	"syscall"
)

// spinCPULimit applies the child's --cpu-limit to the spinning child, as the
// real child does to itself before reading the file.
func spinCPULimit(args []string) {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--cpu-limit" {
			if n, err := strconv.ParseUint(args[i+1], 10, 64); err == nil && n > 0 {
				syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: n, Max: n + 1})
			}
		}
	}
}
