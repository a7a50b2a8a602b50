// Package convert turns word-processing documents (.doc, .rtf, .docx, .odt) into PDF with
// LibreOffice headless: for reading the formats Go cannot (.doc, .rtf), and for a PDF rendering of
// the others to view and print. Each conversion runs soffice by absolute path with a private
// profile directory, its own time limit and in a process group killed at that limit.
package convert

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tinnhiem/ingest/extcmd"
	"tinnhiem/ingest/refusal"
)

// Reason codes, spelt as ingest/pdftext's.
const (
	CodeUnsupported = "unsupported_format"
	CodeTooComplex  = "too_complex"
	CodeCorrupt     = "corrupt"
)

// Error is a refusal of one file with a reason code (package refusal).
type Error = refusal.Error

// ErrUnavailable is wrapped when LibreOffice is not installed.
var ErrUnavailable = errors.New("LibreOffice (soffice) is not installed")

// Code returns the reason code of err, or "".
func Code(err error) string { return refusal.Code(err) }

// MessageUnavailable is what staff are told when a file needs LibreOffice and it is missing.
const MessageUnavailable = "Máy chủ chưa cài LibreOffice nên chưa đọc được tệp Word (.doc) hoặc RTF này; " +
	"quản trị viên cần cài gói libreoffice-writer-nogui (Debian/Ubuntu), hoặc người nộp gửi lại bản PDF hay .docx. " +
	"Tài liệu được giữ lại để người có thẩm quyền kiểm tra."

// Converter runs LibreOffice.
type Converter struct {
	Soffice string        // absolute path, e.g. /usr/bin/soffice
	Timeout time.Duration // per conversion, default 120 s (the first start of a profile is slow)
}

// Default is Debian's soffice with a two-minute limit.
func Default() Converter { return Converter{Soffice: "/usr/bin/soffice", Timeout: 2 * time.Minute} }

// Available reports whether soffice is installed.
func (c Converter) Available() bool {
	st, err := os.Stat(c.Soffice)
	return c.Soffice != "" && err == nil && !st.IsDir()
}

// ToPDF converts the document at in (its extension tells LibreOffice the format: .doc, .rtf,
// .docx, .odt) to PDF and returns the PDF's path, inside workDir, a private directory that also
// holds the LibreOffice profile.
func (c Converter) ToPDF(ctx context.Context, in, workDir string) (string, error) {
	if !c.Available() {
		return "", &Error{Code: CodeUnsupported, Err: fmt.Errorf("%w (%s)", ErrUnavailable, c.Soffice)}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	absIn, err := filepath.Abs(in)
	if err != nil {
		return "", fmt.Errorf("convert: %w", err)
	}
	work, err := filepath.Abs(workDir)
	if err != nil {
		return "", fmt.Errorf("convert: %w", err)
	}
	outDir := filepath.Join(work, "pdf")
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return "", fmt.Errorf("convert: %w", err)
	}
	// LibreOffice writes its temporary files in TMPDIR: inside the work directory, the only place
	// the sandbox lets it write.
	tmp := filepath.Join(work, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("convert: %w", err)
	}
	profile := "file://" + filepath.ToSlash(filepath.Join(work, "profile"))
	_, err = extcmd.Cmd{
		Path: c.Soffice,
		Args: []string{"--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
			"-env:UserInstallation=" + profile, "--convert-to", "pdf", "--outdir", outDir, absIn},
		// The launcher is a shell script: it needs a PATH; HOME keeps it out of the real one.
		Env:     []string{"HOME=" + work, "TMPDIR=" + tmp, "PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		Dir:     work,
		Timeout: timeout,
	}.Run(ctx)
	if errors.Is(err, extcmd.ErrTimeout) {
		return "", &Error{Code: CodeTooComplex, Err: err}
	}
	if err != nil && ctx.Err() != nil {
		return "", err
	}
	out := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(absIn), filepath.Ext(absIn))+".pdf")
	if st, serr := os.Stat(out); serr != nil || st.Size() == 0 {
		if err == nil {
			err = errors.New("soffice wrote no PDF")
		}
		return "", &Error{Code: CodeCorrupt, Err: err}
	}
	return out, nil
}
