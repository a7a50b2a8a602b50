package api

import (
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
	web.ServeFile(w, web.File{Name: app.RenderingFileName(d), ContentType: "application/pdf"}, rc)
}
