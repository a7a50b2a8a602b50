package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/publish"
)

type artifactView struct {
	publish.Artifact
	URL string `json:"url"`
}

// mayDownload: Party results go to the conference and the managing level only, so viewers may
// not fetch them; State-track results are public.
func mayDownload(p auth.Principal, rd dossier.Round) bool { return MayDownloadMinutes(p, rd) }

// MayDownloadMinutes is the one rule of who may fetch a round's generated documents, for the
// API and the web pages alike.
func MayDownloadMinutes(p auth.Principal, rd dossier.Round) bool {
	return p.Has(auth.RoleOrganizer, auth.RoleCounter) || rd.Track == dossier.TrackState
}

func (s *Server) listArtifacts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	list, err := s.Artifacts.List(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := []artifactView{}
	for _, a := range list {
		out = append(out, artifactView{Artifact: a, URL: fmt.Sprintf("/api/v1/rounds/%s/artifacts/%s?version=%d", url.PathEscape(rd.ID), url.PathEscape(a.Kind), a.Version)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) downloadArtifact(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !mayDownload(p, rd) {
		forbidden(w)
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	a, err := s.Artifacts.Find(r.Context(), rd.ID, r.PathValue("kind"), version)
	if errors.Is(err, publish.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "chưa có tài liệu này: biên bản chỉ được lập sau khi niêm phong kết quả kiểm phiếu")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	rc, err := s.Artifacts.Open(r.Context(), a)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer rc.Close()
	s.audit(r, audit.Event{Actor: p.Username, Action: "artifact.download", Round: rd.ID, Target: a.Object, Details: map[string]string{"sha256": a.SHA256}})
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", ContentDisposition(a.FileName))
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.Header().Set("X-Content-SHA256", a.SHA256)
	w.Header().Set("ETag", `"`+a.SHA256+`"`)
	if _, err := io.Copy(w, rc); err != nil {
		s.Log.Error("artifact download failed", "round", rd.ID, "object", a.Object, "err", err)
	}
}
