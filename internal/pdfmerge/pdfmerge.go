// Package pdfmerge works on whole PDF files others made, with pdfcpu: counting pages, merging
// page for page, stamping page numbers — what the voters' packet needs (minutes/document.PDFTool).
// pdfcpu can loop on hostile input: run it in a process with time and memory limits.
package pdfmerge

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"tinnhiem/minutes/document"
)

// Tool is minutes/document.PDFTool on pdfcpu.
type Tool struct{}

var _ document.PDFTool = Tool{}

// Pages counts the pages of a PDF.
func (Tool) Pages(pdf []byte) (int, error) {
	ctx, err := api.ReadAndValidate(bytes.NewReader(pdf), config())
	if err != nil {
		if low := strings.ToLower(err.Error()); strings.Contains(low, "password") || strings.Contains(low, "encrypt") {
			return 0, document.ErrPDFEncrypted
		}
		return 0, err
	}
	return ctx.PageCount, nil
}

// StampPageNumbers prints "Trang p/P" at the foot of every page.
func (Tool) StampPageNumbers(pdf []byte) ([]byte, error) {
	wm, err := api.TextWatermark("Trang %p/%P", "font:Helvetica, points:9, pos:br, off:-28 14, scale:1 abs, rot:0, fillc:#404040, op:1", true, false, types.POINTS)
	if err != nil {
		return nil, err
	}
	var stamped bytes.Buffer
	if err := api.AddWatermarks(bytes.NewReader(pdf), &stamped, nil, wm, config()); err != nil {
		return nil, err
	}
	return stamped.Bytes(), nil
}

// Merge joins the files in order (see mergeBalanced).
func (Tool) Merge(parts [][]byte) ([]byte, error) { return mergeBalanced(parts) }

// mergeFanIn is how many files one merge takes. Each file merged nests the page tree one
// level deeper, so merging in groups keeps the tree about log(n) deep instead of n (readers,
// ours among them, refuse page trees deeper than 64).
const mergeFanIn = 8

// mergeBalanced merges the files in order, in groups of mergeFanIn, then the groups' results.
func mergeBalanced(parts [][]byte) ([]byte, error) {
	for len(parts) > 1 {
		var next [][]byte
		for i := 0; i < len(parts); i += mergeFanIn {
			group := parts[i:min(i+mergeFanIn, len(parts))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			rs := make([]io.ReadSeeker, len(group))
			for j, g := range group {
				rs[j] = bytes.NewReader(g)
			}
			var out bytes.Buffer
			if err := api.MergeRaw(rs, &out, false, config()); err != nil {
				return nil, err
			}
			next = append(next, out.Bytes())
		}
		parts = next
	}
	return parts[0], nil
}

// config is pdfcpu's configuration, built here rather than by
// model.NewDefaultConfiguration, which reads and writes a configuration directory in the
// user's home and may exit the process on a problem with it.
func config() *model.Configuration {
	return &model.Configuration{
		CreationDate:      time.Now().Format("2006-01-02 15:04"),
		Version:           model.VersionStr,
		Reader15:          true,
		ValidationMode:    model.ValidationRelaxed,
		Eol:               types.EolLF,
		WriteObjectStream: true,
		WriteXRefStream:   true,
		EncryptUsingAES:   true,
		EncryptKeyLength:  256,
		Permissions:       model.PermissionsPrint,
		TimestampFormat:   "2006-01-02 15:04",
		DateFormat:        "2006-01-02",
		Offline:           true,
		Timeout:           5,
	}
}
