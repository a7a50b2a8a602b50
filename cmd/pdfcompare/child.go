package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/rlimit"
)

// childOutput is what the child writes: the reader's result, or its refusal.
type childOutput struct {
	*pdftext.Result
	Error *childError `json:"error,omitempty"`
}

type childError struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// child is `pdfcompare extract [limits] -- FILE`: one file read in a process of its own
// under memory and CPU limits, as pdftotext is run, so the two are timed alike (the
// server's pool of locked-down children is ingest/sandbox's and is benchmarked there).
func child(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("json", true, "write the result as JSON (always)")
	var lim pdftext.Limits
	fs.Int64Var(&lim.MaxDecompressed, "max-decompressed", pdftext.DefaultMaxDecompressed, "cap on decompressed stream bytes")
	fs.DurationVar(&lim.Timeout, "timeout", 0, "give up (too_complex) after this long")
	memLimit := fs.Int64("mem-limit", 0, "address-space limit in bytes (0 = none)")
	cpuLimit := fs.Int("cpu-limit", 0, "CPU seconds (0 = none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("extract: want exactly one file, got %d", fs.NArg())
	}
	if *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit / 5 * 4)
		if err := rlimit.Growth(*memLimit); err != nil {
			return fmt.Errorf("extract: memory limit: %w", err)
		}
	}
	if *cpuLimit > 0 {
		if err := rlimit.CPU(*cpuLimit); err != nil {
			return fmt.Errorf("extract: CPU limit: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	out := childOutput{}
	res, err := readFile(fs.Arg(0), lim)
	if err != nil {
		out.Error = &childError{Code: pdftext.Code(err), Detail: err.Error()}
	} else {
		out.Result = &res
	}
	return json.NewEncoder(stdout).Encode(out)
}

func readFile(path string, lim pdftext.Limits) (pdftext.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return pdftext.Result{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return pdftext.Result{}, err
	}
	return pdftext.Extract(f, st.Size(), lim)
}
