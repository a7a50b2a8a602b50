package app

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

// RenderingFileName is the name a document's PDF rendering is offered under: the original's
// name with .pdf in place of its extension (bao-cao.docx → bao-cao.pdf).
func RenderingFileName(d dossier.Document) string {
	base := strings.TrimSuffix(d.File, filepath.Ext(d.File))
	if base == "" {
		base = d.ID
	}
	return base + ".pdf"
}

// DocumentRendering opens the PDF rendering of a document whose original is not a PDF (a Word
// or OpenDocument file, an RTF), to whoever may download the original; it is audited like a
// download.
func (a *App) DocumentRendering(ctx context.Context, p auth.Principal, id string) (dossier.Document, io.ReadCloser, error) {
	d, _, err := a.document(ctx, p, id, DownloadDocument)
	if err != nil {
		return d, nil, err
	}
	if d.Rendering == "" {
		return d, nil, fail(NotFound, "not_found", "tài liệu này không có bản PDF dựng từ tệp gốc (tệp gốc đã là PDF, hoặc chưa dựng được bản PDF)")
	}
	rc, err := a.cfg.Uploads.OpenRendering(ctx, d.Rendering)
	if err != nil {
		return d, nil, internalf("open the rendering of %s: %w", id, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "document.download", Round: d.Round, Target: d.ID,
		Details: map[string]string{"copy": "pdf_rendering"}})
	return d, rc, nil
}
