package ui

import (
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
	web.ServeFile(w, web.File{Name: app.RenderingFileName(d), ContentType: "application/pdf"}, rc)
}
