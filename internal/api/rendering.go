package api

import (
	"io"
	"net/http"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

// downloadRendering sends the PDF rendering of a Word or OpenDocument original.
func (s *Server) downloadRendering(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rc, err := s.App.DocumentRendering(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", web.ContentDisposition(app.RenderingFileName(d)))
	_, _ = io.Copy(w, rc)
}
