package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
)

// Main is `tinnhiem extract`. args are the arguments after "extract":
//
//	extract [--json] [--ocr] [--max-pages N] [--max-decompressed BYTES] [--max-form-depth N]
//	        [--timeout DURATION] [--mem-limit BYTES] [--cpu-limit SECONDS] FILE|-
//	extract --serve
//
// By hand it reads one file of any format in this very process, after locking the process
// down as a pool's child is (resource limits, no_new_privs, seccomp; Landlock when programs must
// run), so that a person or a script pays one process start per file. PDFs, DOCX and ODT are
// read in the text profile: no program, no file opened once the input is. Images, .doc and
// .rtf — and PDFs with --ocr — need Tesseract or LibreOffice, so are read in the tools profile,
// in a private temporary directory. It prints the NFC text (pages separated by a form feed on a
// line of its own), or with --json the whole result; a file that cannot be used prints its
// reason (in Vietnamese on standard error) and fails.
//
// With --serve it is a Pool's child: it reads the hello frame and then one file per frame on
// standard input (see Serve).
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serve := fs.Bool("serve", false, "be a sandbox pool's child: read files in frames on standard input")
	asJSON := fs.Bool("json", false, "write the whole result as JSON")
	withOCR := fs.Bool("ocr", false, "read PDF pages without a text layer by OCR (Tesseract)")
	var opt ReadOptions
	fs.IntVar(&opt.PDF.MaxPages, "max-pages", pdftext.DefaultMaxPages, "refuse files with more pages (too_many_pages)")
	fs.Int64Var(&opt.PDF.MaxDecompressed, "max-decompressed", pdftext.DefaultMaxDecompressed, "cap on decompressed PDF stream bytes (too_complex)")
	fs.IntVar(&opt.PDF.MaxFormDepth, "max-form-depth", pdftext.DefaultMaxFormDepth, "nesting limit of PDF Form XObjects")
	fs.DurationVar(&opt.PDF.Timeout, "timeout", 0, "give up (too_complex) after this long, checked between PDF operations")
	memLimit := fs.Int64("mem-limit", 0, "memory limit in bytes (default 512 MiB of growth; 2 GiB of address space with OCR or LibreOffice)")
	cpuLimit := fs.Int("cpu-limit", 0, "CPU-time limit in seconds (default 30; 120 with OCR or LibreOffice)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tinnhiem extract [flags] FILE|-")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	if *serve {
		return Serve(ctx, stdin, stdout, nil)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("extract: want exactly one file")
	}
	ra, size, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()

	head := make([]byte, 1024)
	n, _ := ra.ReadAt(head, 0)
	format := reader.Sniff(head[:n])
	tools, conv := ocr.DefaultTools(), convert.Default()
	ocrOK, _ := tools.Available()
	useTools := false
	switch format {
	case reader.FormatDOC, reader.FormatRTF:
		useTools = conv.Available()
		opt.ReadOCR = ocrOK
	case reader.FormatJPEG, reader.FormatPNG, reader.FormatTIFF:
		useTools, opt.ReadOCR = ocrOK, ocrOK
	case reader.FormatPDF:
		useTools, opt.ReadOCR = *withOCR && ocrOK, *withOCR && ocrOK
	}

	prof := TextProfile()
	if useTools {
		prof = ToolsProfile()
	}
	if *memLimit > 0 {
		prof.Mem = *memLimit
	}
	if *cpuLimit > 0 {
		prof.CPU = time.Duration(*cpuLimit) * time.Second
	}
	l := lockdown{Profile: prof.Name, Mem: prof.Mem, CPUSeconds: int(math.Ceil(prof.CPU.Seconds())), FileSize: outputRoom(stdout)}
	ropt := reader.Options{PDF: opt.PDF, Office: opt.Office, OCR: opt.OCR, NoOCR: true, NoConvert: true}
	if useTools {
		dir, err := os.MkdirTemp("", "tinnhiem-extract-*")
		if err != nil {
			return fmt.Errorf("extract: %w", err)
		}
		// The work directory is removed from another goroutine, hence another thread: the
		// confined one may write only beneath the directory, not in the one that holds it.
		defer func() {
			done := make(chan struct{})
			go func() { os.RemoveAll(dir); close(done) }()
			<-done
		}()
		l.FileSize = max(l.FileSize, toolsFileSize)
		l.WorkDir = dir
		l.Read = append(append([]string(nil), systemReadDirs...), tools.Tessdata)
		l.Exec = toolPaths(tools.Tesseract, tools.PDFToPPM, conv.Soffice)
		ropt.WorkDir, ropt.Tools, ropt.Converter = dir, tools, conv
		ropt.NoOCR, ropt.NoConvert = !opt.ReadOCR, false
	}
	if _, err := l.apply(); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	res, err := reader.ReadAt(ctx, ra, size, ropt)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	res.PDF = ""
	if *asJSON {
		// The error object is the form `extract --json` gave before it read every format.
		type oldError struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Detail  string `json:"detail,omitempty"`
			Pages   int    `json:"pages,omitempty"`
		}
		out := struct {
			reader.Result
			Message string    `json:"message,omitempty"`
			Error   *oldError `json:"error,omitempty"`
		}{Result: res}
		if res.Code != "" {
			out.Message = reader.Message(res.Code, res.Format)
			out.Error = &oldError{Code: res.Code, Message: out.Message, Detail: res.Detail, Pages: res.Pages}
		}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			return fmt.Errorf("extract: write: %w", err)
		}
	} else if res.Code == "" {
		if _, err := io.WriteString(stdout, res.Text+"\n"); err != nil {
			return fmt.Errorf("extract: write: %w", err)
		}
	}
	if len(res.Unread) > 0 && !opt.ReadOCR && !*asJSON {
		fmt.Fprintf(stderr, "%d trang không có lớp chữ đọc được; chạy lại với --ocr để nhận dạng chữ (cần tesseract-ocr, tesseract-ocr-vie).\n", len(res.Unread))
	}
	if res.Code != "" {
		if !*asJSON {
			fmt.Fprintln(stderr, reader.Message(res.Code, res.Format))
		}
		return &Refusal{Code: res.Code, Detail: res.Detail}
	}
	return nil
}

// Refusal is the error of `tinnhiem extract` on a file that cannot be used.
type Refusal struct {
	Code   string
	Detail string
}

func (r *Refusal) Error() string { return "extract: " + r.Code + ": " + r.Detail }

// maxStdin bounds a file read from standard input.
const maxStdin = DefaultMaxIn

func openInput(path string, stdin io.Reader) (io.ReaderAt, int64, func(), error) {
	if path == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
		if err != nil {
			return nil, 0, nil, fmt.Errorf("extract: read stdin: %w", err)
		}
		if len(data) > maxStdin {
			return nil, 0, nil, &Refusal{Code: pdftext.CodeTooComplex, Detail: "more than " + strconv.Itoa(maxStdin) + " bytes on standard input"}
		}
		return bytes.NewReader(data), int64(len(data)), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("extract: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, fmt.Errorf("extract: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, nil, fmt.Errorf("extract: %s is not a regular file", path)
	}
	return f, st.Size(), func() { f.Close() }, nil
}

// outputRoom is the RLIMIT_FSIZE that lets the text be written to standard output: 0 for a
// pipe or a terminal, room for the text beyond the file's end when it was sent to a file.
func outputRoom(w io.Writer) int64 {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	return st.Size() + maxHeader
}
