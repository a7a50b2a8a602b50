package main

import (
	"context"
	"os"
	"testing"

	"tinnhiem/internal/packetbox"
)

// TestMain lets the test binary stand in for the tinnhiem binary when the ingest workers start
// their sandboxed `extract` child process (they exec os.Executable()).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "extract" || os.Args[1] == packetbox.Subcommand) {
		err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}
