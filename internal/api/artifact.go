package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes/document"
	"tinnhiem/publish"
)

type artifactView struct {
	publish.Artifact
	URL string `json:"url"`
}

// MayDownloadMinutes is the one rule of who may read a round's results — the generated
// documents and their figures — for the API and the web pages alike: Party results go to the
// conference and the managing level only, so viewers may not; State-track results are public.
func MayDownloadMinutes(p auth.Principal, rd dossier.Round) bool {
	return p.Has(auth.RoleOrganizer, auth.RoleCounter) || rd.Track == dossier.TrackState
}

// resultsRound opens a round the user sees and whose results they may read (MayDownloadMinutes),
// answering 404 or 403 itself when not.
func (s *Server) resultsRound(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Round, bool) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return dossier.Round{}, false
	}
	if !MayDownloadMinutes(p, rd) {
		writeError(w, http.StatusForbidden, "forbidden", "kết quả lấy phiếu tín nhiệm theo Quy định 96-QĐ/TW chỉ được thông báo tại hội nghị và cho cấp có thẩm quyền quản lý; tài khoản của bạn không được xem")
		return dossier.Round{}, false
	}
	return rd, true
}

func (s *Server) listArtifacts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.resultsRound(w, r, p)
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
	rd, ok := s.resultsRound(w, r, p)
	if !ok {
		return
	}
	kind := r.PathValue("kind")
	if !knownArtifactKind(kind) {
		writeError(w, http.StatusNotFound, "unknown_kind", fmt.Sprintf("không có loại tài liệu %q; các loại: %s", kind, strings.Join(artifactKinds(), ", ")))
		return
	}
	version, ok := versionParam(w, r)
	if !ok {
		return
	}
	a, err := s.Artifacts.Find(r.Context(), rd.ID, kind, version)
	if errors.Is(err, publish.ErrNotFound) {
		s.artifactMissing(w, r, rd, version)
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
		if r.Context().Err() != nil {
			// The client closed the connection, often right after the last byte it was told
			// to expect: nothing is wrong with the server or the store.
			s.Log.Info("artifact download ended by the client", "round", rd.ID, "object", a.Object, "err", err)
			return
		}
		s.Log.Error("artifact download failed", "round", rd.ID, "object", a.Object, "err", err)
	}
}

// artifactMissing says why a document asked for is not there: the tally is not sealed yet, the
// version asked for was never sealed, or the minutes workers are still rendering it.
func (s *Server) artifactMissing(w http.ResponseWriter, r *http.Request, rd dossier.Round, version int) {
	rec, _, err := s.Tallies.Get(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	last, sealed := rec.Latest()
	switch {
	case !sealed:
		writeError(w, http.StatusNotFound, "not_sealed", "chưa có tài liệu này: biên bản chỉ được lập sau khi niêm phong kết quả kiểm phiếu")
	case version > last.Version:
		writeError(w, http.StatusNotFound, "no_version", fmt.Sprintf("không có phiên bản %d: kết quả kiểm phiếu mới niêm phong đến phiên bản %d", version, last.Version))
	default:
		writeError(w, http.StatusNotFound, "rendering", "biên bản đang được lập sau khi niêm phong; hãy thử lại sau ít giây")
	}
}

func artifactKinds() []string {
	var out []string
	for _, k := range document.Kinds() {
		out = append(out, string(k))
	}
	return out
}

func knownArtifactKind(kind string) bool {
	return slices.Contains(artifactKinds(), kind)
}

// versionParam reads ?version=N (a sealed version, 1 or more; 0 when absent). A bad value is
// answered 400 here and ok is false.
func versionParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("version")
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, "bad_version", fmt.Sprintf("version phải là số phiên bản (1, 2, …), không phải %q", v))
		return 0, false
	}
	return n, true
}
