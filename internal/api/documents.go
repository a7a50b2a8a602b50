package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

type uploadAnswer struct {
	DocumentID string `json:"document_id"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Message    string `json:"message,omitempty"`
}

func uploadAnswers(ds []dossier.Document) []uploadAnswer {
	out := make([]uploadAnswer, len(ds))
	for i, d := range ds {
		out[i] = uploadAnswer{DocumentID: d.ID, File: d.File, Status: d.Status, Reason: d.Reason, Message: d.Message}
	}
	return out
}

// verdictAnswer is an upload's entry once its verdict was awaited (?wait): the verdict fields,
// as GET /api/v1/documents/{id} gives them without the versions.
type verdictAnswer struct {
	dossier.Document
	ReceivedLocal string `json:"received_local"`
}

// uploadDocuments streams each file of a multipart body into the object store as it arrives.
// Declared nominee and kind may come before or after the files (or in the query string); the
// uploads are committed to the pipeline once the whole body has been read. With ?wait=30s the
// answer waits for the verdicts (long-poll, as GET /api/v1/documents/{id}?wait does): 200 with
// each document's verdict fields when all have one, 202 when some are still pending then.
func (s *Server) uploadDocuments(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	wait, err := waitParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.App.StartUpload(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Body, err = up.Body(r.Body, r.ContentLength); err != nil {
		s.fail(w, r, err)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "cần gửi multipart/form-data với trường file")
		return
	}
	up.Declare(r.URL.Query().Get("nominee"), r.URL.Query().Get("kind"))
	if err := up.ReadMultipart(r.Context(), mr); err != nil {
		up.Discard(r.Context())
		s.fail(w, r, err)
		return
	}
	docs, err := up.Finish(r.Context())
	if err != nil {
		// The documents received before a failure are answered with it.
		s.failWith(w, r, err, map[string]any{"documents": uploadAnswers(docs)})
		return
	}
	if wait <= 0 {
		web.WriteJSON(w, http.StatusAccepted, map[string]any{"documents": uploadAnswers(docs)})
		return
	}
	if docs, err = up.Await(r.Context(), docs, wait); err != nil {
		return // the client went away while waiting; its files are in the pipeline
	}
	code, rd := http.StatusOK, up.Round()
	out := make([]verdictAnswer, len(docs))
	for i, d := range docs {
		if !d.Final() {
			code = http.StatusAccepted
		}
		out[i] = verdictAnswer{Document: d, ReceivedLocal: rd.FormatTime(d.ReceivedAt)}
	}
	web.WriteJSON(w, code, map[string]any{"documents": out})
}

// documentView is what GET /api/v1/documents/{id} answers: the verdict fields and one page of
// the versions of its kind for its person, newest first.
type documentView struct {
	dossier.Document
	ReceivedLocal string           `json:"received_local"`
	Versions      []ingest.Version `json:"versions,omitempty"`
	VersionsPage  int              `json:"versions_page,omitempty"`
	VersionsPages int              `json:"versions_pages,omitempty"`
	VersionsTotal int              `json:"versions_total,omitempty"`
}

// getDocument answers a document's verdict. ?wait=30s holds the answer until the verdict exists
// (at most app.MaxDocumentWait; a document still pending then is answered as it is);
// ?versions_page=N picks the page of versions.
func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q, err := documentQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.App.DocumentWith(r.Context(), p, r.PathValue("id"), q)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away while waiting
		}
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, documentView{Document: v.Document, ReceivedLocal: v.Round.FormatTime(v.Document.ReceivedAt),
		Versions: v.Versions, VersionsPage: v.VersionsPage, VersionsPages: v.VersionsPages, VersionsTotal: v.VersionsTotal})
}

// waitParam reads ?wait (a duration: 30s, 1m, or seconds: 30); 0 when absent.
func waitParam(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, nil
	}
	d, err := web.ParseWait(v)
	if err != nil {
		return 0, &app.Error{Kind: app.BadRequest, Code: "bad_wait", Message: err.Error()}
	}
	return d, nil
}

// documentQuery reads ?wait (a duration: 30s, 1m, or seconds: 30) and ?versions_page.
func documentQuery(r *http.Request) (app.DocumentQuery, error) {
	var q app.DocumentQuery
	var err error
	if q.Wait, err = waitParam(r); err != nil {
		return q, err
	}
	if v := r.URL.Query().Get("versions_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, &app.Error{Kind: app.BadRequest, Code: "bad_page", Message: "versions_page phải là số trang (1, 2, …), không phải " + strconv.Quote(v)}
		}
		q.VersionsPage = n
	}
	return q, nil
}

func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rc, err := s.App.DocumentFile(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	web.ServeFile(w, web.File{Name: d.File, Size: d.Size, SHA256: d.SHA256}, rc)
}

func (s *Server) reviewDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not review learns that before whether the body is right.
	v, err := s.App.Document(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !app.May(p, app.ReviewDocument, &v.Round) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
		return
	}
	var req app.ReviewRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"kind","nominee","note"}`)
		return
	}
	req.Kind, req.Nominee = strings.TrimSpace(req.Kind), strings.TrimSpace(req.Nominee)
	d, err := s.App.Review(r.Context(), p, r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, d)
}

// documentRow is one document of a round in GET /api/v1/rounds/{round}/documents: the verdict
// fields of DESIGN §4 with the person's name, newest first.
type documentRow struct {
	DocumentID string `json:"document_id"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Kind       string `json:"kind"`
	Nominee    string `json:"nominee"`
	Name       string `json:"name,omitempty"`
	Reason     string `json:"reason"`
	ReceivedAt string `json:"received_at,omitempty"`
}

func (s *Server) listRoundDocuments(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rows, err := s.App.RoundDocuments(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]documentRow, len(rows))
	for i, d := range rows {
		out[i] = documentRow{DocumentID: d.DocumentID, File: d.File, Status: d.Status, Kind: string(d.Kind), Nominee: d.Nominee,
			Name: d.Name, Reason: d.Reason, ReceivedAt: utcStamp(d.ReceivedAt)}
	}
	web.WriteJSON(w, http.StatusOK, out)
}
