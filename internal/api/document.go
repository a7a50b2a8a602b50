package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

// maxFilesPerUpload bounds one multipart request.
const maxFilesPerUpload = 200

type uploadAnswer struct {
	DocumentID string `json:"document_id"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Message    string `json:"message,omitempty"`
}

// uploadDocuments streams each file of a multipart body into the object store as it arrives.
// Declared nominee and kind may come before or after the files (or in the query string); the
// uploads are committed to the pipeline once the whole body has been read.
func (s *Server) uploadDocuments(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.roundAs(w, r, p, auth.RoleOrganizer)
	if !ok {
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "cần gửi multipart/form-data với trường file")
		return
	}
	declared := ingest.Declared{Nominee: strings.TrimSpace(r.URL.Query().Get("nominee"))}
	kindText := strings.TrimSpace(r.URL.Query().Get("kind"))
	var stored []dossier.Document
	discard := func() {
		for _, d := range stored {
			s.Ingest.Discard(r.Context(), d)
		}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			discard()
			writeError(w, http.StatusBadRequest, "bad_request", "nội dung multipart bị lỗi: "+err.Error())
			return
		}
		switch part.FormName() {
		case "file":
			if len(stored) >= maxFilesPerUpload {
				discard()
				writeError(w, http.StatusRequestEntityTooLarge, "too_many_files", fmt.Sprintf("mỗi lần tải lên tối đa %d tệp", maxFilesPerUpload))
				return
			}
			d, err := s.Ingest.Store(r.Context(), ingest.Upload{Round: rd.ID, File: partFileName(part), Uploader: p.Username, Body: part})
			if err != nil {
				discard()
				s.internal(w, r, err)
				return
			}
			stored = append(stored, d)
		case "nominee", "kind":
			v, _ := io.ReadAll(io.LimitReader(part, 256))
			if part.FormName() == "nominee" {
				declared.Nominee = strings.TrimSpace(string(v))
			} else {
				kindText = strings.TrimSpace(string(v))
			}
		}
		part.Close()
	}
	if kindText != "" {
		k, err := dossier.ParseKind(kindText)
		if err != nil {
			discard()
			writeProblems(w, []dossier.Problem{{Path: "kind", Message: err.Error()}})
			return
		}
		declared.Kind = k
	}
	if len(stored) == 0 {
		writeError(w, http.StatusBadRequest, "no_file", "không có tệp nào trong trường file")
		return
	}
	out := []uploadAnswer{}
	for i, d := range stored {
		d.DeclaredKind, d.DeclaredNominee = declared.Kind, declared.Nominee
		d, err := s.Ingest.Commit(r.Context(), d)
		if err != nil {
			for _, rest := range stored[i+1:] {
				s.Ingest.Discard(r.Context(), rest)
			}
			s.Log.Error("upload commit failed", "round", rd.ID, "file", stored[i].File, "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{
				"documents": out,
				"error": map[string]string{"code": "unavailable", "message": fmt.Sprintf(
					"hệ thống tạm thời không nhận được tệp %s và các tệp sau nó; các tệp liệt kê ở trên đã được nhận, hãy tải lại phần còn lại", stored[i].File)},
			})
			return
		}
		s.audit(r, audit.Event{ID: "upload-" + d.ID, Actor: p.Username, Action: "document.upload", Round: rd.ID, Target: d.ID, Details: map[string]string{
			"file": d.File, "sha256": d.SHA256, "size": fmt.Sprint(d.Size), "declared_kind": string(d.DeclaredKind), "declared_nominee": d.DeclaredNominee,
		}})
		out = append(out, uploadAnswer{DocumentID: d.ID, File: d.File, Status: d.Status, Reason: d.Reason, Message: d.Message})
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"documents": out})
}

// partFileName decodes the file name of a part, including RFC 5987 filename* forms.
func partFileName(p interface{ FileName() string }) string {
	name := p.FileName()
	if name == "" {
		return "tai-lieu.pdf"
	}
	return name
}

// documentView is what GET /api/v1/documents/{id} answers.
type documentView struct {
	dossier.Document
	ReceivedLocal string           `json:"received_local"`
	Versions      []ingest.Version `json:"versions,omitempty"`
}

func (s *Server) visibleDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Document, dossier.Round, bool) {
	id := r.PathValue("id")
	d, _, err := s.Docs.Get(r.Context(), id)
	if errors.Is(err, ingest.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "không tìm thấy tài liệu "+id)
		return d, dossier.Round{}, false
	}
	if err != nil {
		s.internal(w, r, err)
		return d, dossier.Round{}, false
	}
	rd, err := s.Rounds.Get(r.Context(), d.Round)
	if err != nil || !p.Sees(rd.Organization) {
		writeError(w, http.StatusNotFound, "not_found", "không tìm thấy tài liệu "+id)
		return d, dossier.Round{}, false
	}
	return d, rd, true
}

// organizerDocument is visibleDocument for what only organizers may do with a document (download
// the file, confirm its kind and person): not found (404) before forbidden (403), as roundAs.
func (s *Server) organizerDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Document, dossier.Round, bool) {
	d, rd, ok := s.visibleDocument(w, r, p)
	if !ok {
		return dossier.Document{}, dossier.Round{}, false
	}
	if !p.Has(auth.RoleOrganizer) {
		forbidden(w)
		return dossier.Document{}, dossier.Round{}, false
	}
	return d, rd, true
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rd, ok := s.visibleDocument(w, r, p)
	if !ok {
		return
	}
	// Judged against the round's deadlines as they are now: the board may have moved one.
	d = dossier.CurrentVerdict(rd, d)
	if !p.Has(auth.RoleOrganizer) {
		d.Requester = ""
		// Who asked for an explanation is the board's to know (DOMAIN.md); a request's text
		// names them, so others do not get its excerpt.
		if d.Kind == dossier.KindExplanationRequest {
			d.Excerpt = ""
		}
	}
	v := documentView{Document: d, ReceivedLocal: rd.FormatTime(d.ReceivedAt)}
	if d.Nominee != "" && d.Kind != "" {
		vs, _, _ := s.Docs.Versions(r.Context(), d.Round, d.Nominee, d.Kind)
		v.Versions = ingest.CurrentVersions(rd, d.Kind, vs)
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, _, ok := s.organizerDocument(w, r, p)
	if !ok {
		return
	}
	if d.Reason == ingest.ReasonTooLarge {
		writeError(w, http.StatusNotFound, "not_found", "tệp quá lớn nên không được lưu")
		return
	}
	obj, err := s.Uploads.Get(r.Context(), d.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer obj.Close()
	s.audit(r, audit.Event{Actor: p.Username, Action: "document.download", Round: d.Round, Target: d.ID})
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", ContentDisposition(d.File))
	w.Header().Set("X-Content-SHA256", d.SHA256)
	w.Header().Set("Content-Length", fmt.Sprint(d.Size))
	_, _ = io.Copy(w, obj)
}

type reviewRequest struct {
	Kind    string `json:"kind"`
	Nominee string `json:"nominee"`
	Note    string `json:"note"`
}

func (s *Server) reviewDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rd, ok := s.organizerDocument(w, r, p)
	if !ok {
		return
	}
	var req reviewRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"kind","nominee","note"}`)
		return
	}
	// What the person confirms must exist: a kind of DESIGN §4 and someone on the round's roster.
	var ps []dossier.Problem
	if _, err := dossier.ParseKind(req.Kind); err != nil {
		ps = append(ps, dossier.Problem{Path: "kind", Message: err.Error()})
	}
	if _, ok := rd.Nominee(req.Nominee); !ok {
		ps = append(ps, dossier.Problem{Path: "nominee", Message: fmt.Sprintf("mã người %q không có trong danh sách lấy phiếu của đợt %s", req.Nominee, rd.ID)})
	}
	if len(ps) > 0 {
		writeProblems(w, ps)
		return
	}
	out, err := ingest.ApplyReview(r.Context(), s.JS, s.Docs, s.Audit, rd, d.ID,
		ingest.Review{Kind: dossier.Kind(req.Kind), Nominee: req.Nominee, By: p.Username, Note: req.Note}, s.Now())
	if errors.Is(err, ingest.ErrNotReviewable) {
		writeError(w, http.StatusConflict, "not_reviewable", err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
