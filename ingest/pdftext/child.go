package pdftext

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// childOutput is what `extract --json` writes: a Result, or an error with its
// reason code. Pages is set with no_text_layer, so that a scan's page count
// still reaches the caller.
type childOutput struct {
	*Result
	Error *childError `json:"error,omitempty"`
}

type childError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
	Pages   int    `json:"pages,omitempty"`
}

// maxStdinPDF bounds a PDF read from standard input ("-").
const maxStdinPDF = 512 << 20

// Main is the child side: what `tinnhiem extract` runs. args are the
// command-line arguments after "extract":
//
//	extract [--json] [--max-pages N] [--max-decompressed BYTES] [--max-form-depth N]
//	        [--timeout DURATION] [--mem-limit BYTES] [--cpu-limit SECONDS] FILE|-
//
// With --json it writes the Result as JSON, or {"error":{"code","message"}};
// without, the NFC text. The limits apply to this process itself
// (RLIMIT_AS/RLIMIT_DATA and the Go memory limit; RLIMIT_CPU), so a file that
// makes the PDF library blow up takes only this process down. It returns an
// error (a non-zero exit status) when the file is rejected.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "write the result as JSON")
	var lim Limits
	fs.IntVar(&lim.MaxPages, "max-pages", DefaultMaxPages, "reject files with more pages")
	fs.Int64Var(&lim.MaxDecompressed, "max-decompressed", DefaultMaxDecompressed, "cap on decompressed stream bytes")
	fs.IntVar(&lim.MaxFormDepth, "max-form-depth", DefaultMaxFormDepth, "nesting limit of Form XObjects")
	fs.DurationVar(&lim.Timeout, "timeout", 0, "give up (too_complex) after this long, checked between operations")
	memLimit := fs.Int64("mem-limit", 0, "memory limit of this process in bytes (0 = none)")
	cpuLimit := fs.Int("cpu-limit", 0, "CPU-time limit of this process in seconds (0 = none)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tinnhiem extract [flags] FILE.pdf|-")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("pdftext: extract: %w", err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("pdftext: extract: want exactly one file")
	}
	res, err := runChild(ctx, fs.Arg(0), lim, *memLimit, *cpuLimit)
	if *asJSON {
		out := childOutput{}
		if err != nil {
			// Errors without a code (the file cannot be opened, a limit cannot
			// be set) are reported too, so the parent can tell them from a
			// child that died.
			ce := &childError{Code: Code(err), Message: Message(Code(err)), Detail: err.Error()}
			if e := (*Error)(nil); errors.As(err, &e) && e.Err != nil {
				ce.Detail = e.Err.Error()
			}
			if Code(err) == CodeNoTextLayer {
				ce.Pages = res.Pages
			}
			out.Error = ce
		} else {
			out.Result = &res
		}
		if werr := json.NewEncoder(stdout).Encode(out); werr != nil {
			return fmt.Errorf("pdftext: extract: write: %w", werr)
		}
		return err
	}
	if err != nil {
		if m := Message(Code(err)); m != "" {
			fmt.Fprintln(stderr, m)
		}
		return err
	}
	if _, werr := io.WriteString(stdout, res.Text+"\n"); werr != nil {
		return fmt.Errorf("pdftext: extract: write: %w", werr)
	}
	return nil
}

func runChild(ctx context.Context, path string, lim Limits, memLimit int64, cpuLimit int) (Result, error) {
	if memLimit > 0 {
		debug.SetMemoryLimit(memLimit / 5 * 4)
		if err := limitMemory(memLimit); err != nil {
			return Result{}, fmt.Errorf("pdftext: extract: memory limit: %w", err)
		}
	}
	if cpuLimit > 0 {
		if err := limitCPU(cpuLimit); err != nil {
			return Result{}, fmt.Errorf("pdftext: extract: cpu limit: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return extractPath(path, lim)
}

func extractPath(path string, lim Limits) (Result, error) {
	if path == "-" {
		data, err := io.ReadAll(io.LimitReader(os.Stdin, maxStdinPDF+1))
		if err != nil {
			return Result{}, fmt.Errorf("pdftext: extract: read stdin: %w", err)
		}
		if len(data) > maxStdinPDF {
			return Result{}, reject(CodeTooComplex, "pdftext: extract: more than %d bytes on stdin", maxStdinPDF)
		}
		return Extract(bytesReaderAt(data), int64(len(data)), lim)
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("pdftext: extract: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("pdftext: extract: %w", err)
	}
	if !st.Mode().IsRegular() {
		return Result{}, fmt.Errorf("pdftext: extract: %s is not a regular file", path)
	}
	return Extract(f, st.Size(), lim)
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("pdftext: negative offset")
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
