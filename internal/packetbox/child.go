package packetbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"tinnhiem/internal/pdfmerge"
	"tinnhiem/internal/rlimit"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
)

var _ document.PDFTool = pdfmerge.Tool{}

// failTooBig is the child's answer when the documents exceed the input bound.
const failTooBig = "too_big"

// Main is the child: what `tinnhiem packet-assemble` runs. It limits its own memory and CPU
// time (the flags), reads the input frame from stdin, assembles the packet with
// minutes.Packet and writes the output frame to stdout. A packet that cannot be made is
// answered in the frame and with an error (a non-zero exit status).
//
//	packet-assemble [--mem-limit BYTES] [--cpu-limit SECONDS] [--max-input BYTES]
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(Subcommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	memLimit := fs.Int64("mem-limit", 0, "memory limit of this process in bytes (0 = none)")
	cpuLimit := fs.Int("cpu-limit", 0, "CPU-time limit of this process in seconds (0 = none)")
	maxInput := fs.Int64("max-input", DefaultMaxInput, "bytes of documents accepted")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("packetbox: %w", err)
	}
	if fs.NArg() != 0 {
		return errors.New("packetbox: the input comes on standard input, not as arguments")
	}
	if *memLimit > 0 {
		// The collector works harder as the heap nears the limit, before the kernel refuses.
		debug.SetMemoryLimit(*memLimit / 5 * 4)
		if err := rlimit.Growth(*memLimit); err != nil {
			return fmt.Errorf("packetbox: memory limit: %w", err)
		}
	}
	if *cpuLimit > 0 {
		if err := rlimit.CPU(*cpuLimit); err != nil {
			return fmt.Errorf("packetbox: cpu limit: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	answer := func(out Output, failure string, err error) error {
		if werr := writeOutput(stdout, out, failure); werr != nil {
			return fmt.Errorf("packetbox: write: %w", werr)
		}
		return err
	}
	rd, at, files, err := ReadInput(stdin, document.MaxPacketDocBytes, *maxInput)
	if err != nil {
		if isTooBig(err) {
			return answer(Output{}, failTooBig, err)
		}
		return answer(Output{}, err.Error(), err)
	}
	pdf, entries, err := minutes.Packet(rd, files, at, pdfmerge.Tool{})
	if err != nil {
		return answer(Output{}, err.Error(), err)
	}
	return answer(Output{PDF: pdf, Entries: entries}, "", nil)
}
