package ui

import (
	"io"
	"net/http"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

// documentRendering downloads the PDF rendering of a Word or OpenDocument original, for those
// who may download the original (the core audits it).
func (s *Server) documentRendering(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rc, err := s.app.DocumentRendering(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.failed(w, r, p, err, "Không tải được bản PDF")
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", web.ContentDisposition(app.RenderingFileName(d)))
	_, _ = io.Copy(w, rc)
}
