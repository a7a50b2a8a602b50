// Package pdfmerge is the PDF library behind the voters' packet (document.PDFTool): reading a
// document's page count, merging documents page for page and numbering the pages, with pdfcpu.
// It stays out of the domain packages (pdfcpu carries network code, for signatures and remote
// images, that the domain must not link) and runs only in the packet's child process
// (internal/packetbox), where a file that hangs or exhausts the library costs that child alone.
package pdfmerge

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Tool implements document.PDFTool with pdfcpu (it imports nothing of the domain, so that the
// domain's own tests may use it). The zero value is ready.
type Tool struct{}

// config is pdfcpu's configuration, built here rather than by model.NewDefaultConfiguration,
// which reads and writes a configuration directory in the user's home and may exit the process
// on a problem with it.
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

// Pages reads a PDF and returns its page count; encrypted says a PDF that cannot be read asks
// for a password.
func (Tool) Pages(pdf []byte) (pages int, encrypted bool, err error) {
	ctx, err := api.ReadAndValidate(bytes.NewReader(pdf), config())
	if err != nil {
		msg := strings.ToLower(err.Error())
		return 0, strings.Contains(msg, "password") || strings.Contains(msg, "encrypt"), err
	}
	return ctx.PageCount, false, nil
}

// mergeFanIn is how many files one merge takes. Each file merged nests the page tree one level
// deeper, so merging in groups keeps the tree about log(n) deep instead of n (readers, ours
// among them, refuse page trees deeper than 64).
const mergeFanIn = 8

// Merge joins the files in order, in groups of mergeFanIn, then the groups' results.
func (Tool) Merge(parts [][]byte) ([]byte, error) {
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

// NumberPages stamps "Trang p/P" at the bottom right of every page.
func (Tool) NumberPages(pdf []byte) ([]byte, error) {
	wm, err := api.TextWatermark("Trang %p/%P", "font:Helvetica, points:9, pos:br, off:-28 14, scale:1 abs, rot:0, fillc:#404040, op:1", true, false, types.POINTS)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := api.AddWatermarks(bytes.NewReader(pdf), &out, nil, wm, config()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
