package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/office"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
)

// hello is the first frame a child reads: how to lock itself down and what it may run.
type hello struct {
	Profile    string        `json:"profile"`
	Mem        int64         `json:"mem"`
	CPUSeconds int           `json:"cpu_seconds"`
	MaxIn      int64         `json:"max_in"`
	WorkDir    string        `json:"work_dir,omitempty"`
	Tools      ocr.Tools     `json:"tools"`
	Soffice    string        `json:"soffice,omitempty"`
	Convert    time.Duration `json:"convert_timeout,omitempty"`
}

// ready is the child's answer to hello.
type ready struct {
	Report Report `json:"report"`
	Error  string `json:"error,omitempty"`
}

// ReadOptions are the limits of one read.
type ReadOptions struct {
	PDF    pdftext.Limits `json:"pdf"`
	Office office.Limits  `json:"office"`
	OCR    ocr.Limits     `json:"ocr"`
	// ReadOCR reads by OCR the pages (or images) that need it; tools profile only.
	ReadOCR bool `json:"read_ocr,omitempty"`
	// Render asks for a PDF rendering of a DOCX or ODT; tools profile only.
	Render bool `json:"render,omitempty"`
}

type request struct {
	Op      string      `json:"op"` // "read" or "hook"
	Hook    string      `json:"hook,omitempty"`
	Options ReadOptions `json:"options"`
}

type response struct {
	Result *reader.Result `json:"result,omitempty"`
	Hook   string         `json:"hook,omitempty"`
	// Error is a failure of the child itself, no verdict on the file.
	Error string `json:"error,omitempty"`
	// Texts are the lengths in bytes of Result.Text and then of each of Result.PageTexts,
	// whose bytes open the frame's body (a rendering follows them); the header carries them
	// empty. A dossier PDF's text, twice (whole and by page), was JSON: escaped by the child and
	// unescaped by the server, a quarter of a millisecond of the server's CPU for each file.
	Texts []int `json:"texts,omitempty"`
}

// gcBallast is the size of the child's collector ballast (see Serve).
const gcBallast = 16 << 20

// Hook is a test's probe run inside a locked-down child: it gets the argument the parent sent
// and answers what happened.
type Hook func(arg string) string

// Serve is a child of a Pool: it reads the hello frame, locks itself down, answers ready, then
// reads one file per frame until its input ends. hooks are the probes tests may call (nil in
// the real binary).
func Serve(ctx context.Context, in io.Reader, out io.Writer, hooks map[string]Hook) error {
	br := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriterSize(out, 64<<10)
	var h hello
	if _, err := readFrame(br, &h, 0); err != nil {
		return fmt.Errorf("sandbox: child: hello: %w", err)
	}
	l := lockdown{Profile: h.Profile, Mem: h.Mem, CPUSeconds: h.CPUSeconds}
	if h.Profile == ProfileTools {
		l.FileSize, l.WorkDir = toolsFileSize, h.WorkDir
		l.Read = append(append([]string(nil), systemReadDirs...), h.Tools.Tessdata)
		l.Exec = toolPaths(h.Tools.Tesseract, h.Tools.PDFToPPM, h.Soffice)
	}
	rep, err := l.apply()
	r := ready{Report: rep}
	if err != nil {
		r.Error = err.Error()
	}
	if werr := writeFrame(bw, r, nil, 0); werr != nil {
		return werr
	}
	if werr := bw.Flush(); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	// The collector's ballast: a dossier PDF allocates about 3 MB while it is read and keeps
	// none of it, so a child whose live heap is a few megabytes collected after nearly every
	// file (Go's smallest heap goal is 4 MB). Never written, the ballast itself is address
	// space, not resident memory; it moves the heap goal to twice (live + 16 MB), so a
	// collection comes every five or six files, and a large file's goal only 32 MB higher. The
	// garbage now left between collections is what a child holds more: 48–50 MB resident at
	// most under the load tool (`tinnhiem bench ingest`) instead of 34, and the children's CPU a
	// document fell there from 5.5–5.9 to 4.0–4.3 ms.
	ballast := make([]byte, gcBallast)
	defer runtime.KeepAlive(ballast)
	var input []byte // the bytes of the file being read, kept for the next one below LargeFile
	for {
		var req request
		n, err := readFrame(br, &req, h.MaxIn)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sandbox: child: %w", err)
		}
		body := io.LimitReader(br, n)
		resp, rendering := handle(ctx, h, req, body, n, hooks, &input)
		// Whatever was not read of the body must not be taken for the next frame.
		if _, err := io.Copy(io.Discard, body); err != nil {
			return fmt.Errorf("sandbox: child: %w", err)
		}
		var rn int64
		var rbody io.Reader
		if rendering != nil {
			if st, err := rendering.Stat(); err == nil && st.Size() <= maxRendering {
				rn, rbody = st.Size(), rendering
			}
		}
		resp, texts, tn := moveTexts(resp)
		if rbody != nil {
			texts = append(texts, rbody)
		}
		if err := writeFrame(bw, resp, io.MultiReader(texts...), tn+rn); err != nil {
			return fmt.Errorf("sandbox: child: %w", err)
		}
		if rendering != nil {
			rendering.Close()
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("sandbox: child: %w", err)
		}
		if n >= reader.LargeFile {
			// A long-lived child would otherwise keep the heap a large file grew (the
			// file, its copy and the garbage of the one before: about 200 MB after a
			// 40 MB scan) until its next file, under the bound that replaces it.
			debug.FreeOSMemory()
		}
	}
}

// handle reads one file (or runs a probe) and returns the answer and, for a rendering, its file.
//
// A file read from memory is read into *input, grown as needed and dropped after a file of
// reader.LargeFile or more. Nothing the reader answers refers to it (its texts are strings of
// their own), so the next file may overwrite it.
func handle(ctx context.Context, h hello, req request, body io.Reader, n int64, hooks map[string]Hook, input *[]byte) (response, *os.File) {
	switch req.Op {
	case "hook":
		hook, ok := hooks[req.Hook]
		if !ok {
			return response{Error: "no hook " + req.Hook}, nil
		}
		arg, err := io.ReadAll(body)
		if err != nil {
			return response{Error: err.Error()}, nil
		}
		return response{Hook: hook(string(arg))}, nil
	case "read":
	default:
		return response{Error: "unknown operation " + req.Op}, nil
	}
	opt := reader.Options{PDF: req.Options.PDF, Office: req.Options.Office, OCR: req.Options.OCR}
	if h.Profile != ProfileTools {
		// Nothing but memory: the file is read from the bytes received.
		if int64(cap(*input)) < n {
			*input = make([]byte, n)
		}
		data := (*input)[:n]
		if n >= reader.LargeFile {
			*input = nil
		}
		if _, err := io.ReadFull(body, data); err != nil {
			return response{Error: err.Error()}, nil
		}
		opt.NoOCR, opt.NoConvert = true, true
		res, err := reader.ReadAt(ctx, pdftext.Bytes(data), n, opt)
		if err != nil {
			return response{Error: err.Error()}, nil
		}
		return response{Result: &res}, nil
	}
	if err := cleanWorkDir(h.WorkDir); err != nil {
		return response{Error: err.Error()}, nil
	}
	in := filepath.Join(h.WorkDir, "upload")
	if err := writeFile(in, body); err != nil {
		return response{Error: err.Error()}, nil
	}
	opt.WorkDir, opt.Tools = h.WorkDir, h.Tools
	opt.Converter = convert.Converter{Soffice: h.Soffice, Timeout: h.Convert}
	opt.NoOCR, opt.NoConvert, opt.RenderPDF = !req.Options.ReadOCR, h.Soffice == "", req.Options.Render
	res, err := reader.Read(ctx, in, opt)
	if err != nil {
		return response{Error: err.Error()}, nil
	}
	var rendering *os.File
	if res.PDF != "" {
		rendering, _ = os.Open(res.PDF)
		res.PDF = ""
	}
	return response{Result: &res}, rendering
}

// cleanWorkDir empties the work directory but for LibreOffice's profile and the caches, which
// make the next conversion faster.
func cleanWorkDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		switch e.Name() {
		case "profile", ".cache", ".config":
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, body io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// moveTexts takes a result's texts out of its header (see response.Texts) and returns them as
// the readers of the body, with their length.
func moveTexts(resp response) (response, []io.Reader, int64) {
	if resp.Result == nil {
		return resp, nil, 0
	}
	res := *resp.Result
	parts := append([]string{res.Text}, res.PageTexts...)
	res.Text, res.PageTexts = "", nil
	resp.Result = &res
	resp.Texts = make([]int, len(parts))
	readers := make([]io.Reader, len(parts))
	var n int64
	for i, t := range parts {
		resp.Texts[i] = len(t)
		readers[i] = strings.NewReader(t)
		n += int64(len(t))
	}
	return resp, readers, n
}

// takeTexts reads the texts a response's body opens with back into its result (see
// response.Texts) and returns how many bytes of the body are left (a rendering). Text that is
// not UTF-8 (a child cannot be trusted to send UTF-8) has its bad bytes replaced, as JSON did.
func takeTexts(r io.Reader, resp *response, body int64) (int64, error) {
	if len(resp.Texts) == 0 {
		return body, nil
	}
	if resp.Result == nil || len(resp.Texts) > maxPages+1 {
		return 0, fmt.Errorf("%w: %d texts", errFrame, len(resp.Texts))
	}
	var total int64
	for _, n := range resp.Texts {
		if n < 0 {
			return 0, fmt.Errorf("%w: text of %d bytes", errFrame, n)
		}
		total += int64(n)
	}
	if total > body || total > maxTexts {
		return 0, fmt.Errorf("%w: texts of %d bytes in a body of %d", errFrame, total, body)
	}
	buf := make([]byte, total)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, unexpected(err)
	}
	all := string(buf)
	texts := make([]string, len(resp.Texts))
	at := 0
	for i, n := range resp.Texts {
		texts[i] = all[at : at+n]
		if !utf8.ValidString(texts[i]) {
			texts[i] = strings.ToValidUTF8(texts[i], "\uFFFD")
		}
		at += n
	}
	resp.Result.Text = texts[0]
	resp.Result.PageTexts = nil
	if len(texts) > 1 {
		resp.Result.PageTexts = texts[1:]
	}
	resp.Texts = nil
	return body - total, nil
}
