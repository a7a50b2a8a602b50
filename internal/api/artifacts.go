package api

import (
	"fmt"
	"net/http"
	"net/url"

	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
	"tinnhiem/publish"
)

type artifactView struct {
	publish.Artifact
	URL string `json:"url"`
}

func (s *Server) listArtifacts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, list, err := s.App.Artifacts(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []artifactView{}
	for _, a := range list {
		out = append(out, artifactView{Artifact: a, URL: fmt.Sprintf("/api/v1/rounds/%s/artifacts/%s?version=%d", url.PathEscape(rd.ID), url.PathEscape(a.Kind), a.Version)})
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) downloadArtifact(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, rc, err := s.App.Artifact(r.Context(), p, r.PathValue("round"), r.PathValue("kind"), version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	web.ServeArtifact(w, r, a, rc, s.Log)
}
