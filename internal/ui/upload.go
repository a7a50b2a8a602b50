package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/initial"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
)

// upload stores each file of the multipart body as it streams in and hands them to the
// pipeline once the body is read, through the same core as POST /api/v1/rounds/{r}/documents.
// The page script asks for JSON and polls each document's verdict; a browser without scripts is
// sent to a page that refreshes itself.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	wantJSON := acceptsJSON(r)
	refuse := func(err error, docs []dossier.Document) {
		e, ok := app.AsError(err)
		if !ok {
			s.log.ErrorContext(r.Context(), "ui: upload", "round", r.PathValue("round"), "err", err)
			e = &app.Error{Message: "lỗi hệ thống; chưa nhận tệp nào, hãy thử lại"}
		}
		msg := uploadRefusal(e)
		if e.RetryAfter > 0 {
			// Nothing was kept: the page's script sends the form again after this long.
			w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
		}
		if wantJSON {
			// Keep the documents the core did take before it failed (a partial commit).
			views := []verdictView{}
			for _, d := range docs {
				views = append(views, verdictView{DocumentID: d.ID, File: d.File, Status: d.Status})
			}
			writeJSON(w, web.Status(e.Kind), map[string]any{"documents": views, "error": map[string]string{"code": e.Code, "message": msg}})
			return
		}
		s.errorPage(w, r, &p, web.Status(e.Kind), "Chưa tải lên được", msg)
	}
	up, err := s.app.StartUpload(r.Context(), p, r.PathValue("round"))
	if err != nil {
		refuse(err, nil)
		return
	}
	if r.Body, err = up.Body(r.Body, r.ContentLength); err != nil {
		refuse(err, nil)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		refuse(&app.Error{Kind: app.BadRequest, Code: "bad_request"}, nil)
		return
	}
	if err := up.ReadMultipart(r.Context(), mr); err != nil {
		up.Discard(r.Context())
		refuse(err, nil)
		return
	}
	docs, err := up.Finish(r.Context())
	if err != nil {
		refuse(err, docs)
		return
	}
	rd := up.Round()
	if wantJSON {
		out := make([]map[string]string, len(docs))
		for i, d := range docs {
			out[i] = map[string]string{"document_id": d.ID, "file": d.File, "status": d.Status, "reason": d.Reason, "message": d.Message}
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"documents": out})
		return
	}
	q := make([]string, 0, len(docs))
	for _, d := range docs {
		q = append(q, "d="+d.ID)
	}
	http.Redirect(w, r, "/rounds/"+rd.ID+"/uploads?"+strings.Join(q, "&"), http.StatusSeeOther)
}

// uploadRefusal says in words why an upload was refused; the core's own messages name form
// fields, which people using the page never see.
func uploadRefusal(e *app.Error) string {
	switch e.Code {
	case "no_file":
		return "Hãy chọn ít nhất một tệp."
	case "bad_request":
		return "Nội dung gửi lên bị lỗi hoặc bị ngắt giữa chừng; chưa nhận tệp nào, hãy thử lại."
	case "invalid":
		return "Loại tài liệu đã chọn không hợp lệ; chưa nhận tệp nào."
	case "forbidden":
		return "Tài khoản của bạn không có quyền tải tài liệu lên."
	case "not_found":
		return "Không tìm thấy đợt lấy phiếu."
	}
	if e.Message == "" {
		return "Lỗi hệ thống; chưa nhận tệp nào, hãy thử lại."
	}
	return capitalize(e.Message)
}

// maxListedUploads bounds the uploads page (the API takes at most 200 files a request).
const maxListedUploads = 200

type uploadsPage struct {
	chrome
	RoundURL string
	Docs     []verdictView
	Pending  bool
}

// uploads shows the verdicts of the documents just uploaded; while some are still being read
// the page refreshes itself.
func (s *Server) uploads(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, err := s.app.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.failed(w, r, p, err, "Không mở được trang")
		return
	}
	ids := r.URL.Query()["d"]
	if len(ids) > maxListedUploads {
		ids = ids[:maxListedUploads]
	}
	pg := uploadsPage{chrome: chrome{Title: "Tài liệu vừa tải lên", User: newUserView(p), Back: "/rounds/" + rd.ID, BackLabel: rd.Title},
		RoundURL: "/rounds/" + rd.ID, Docs: []verdictView{}}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || !ingest.ValidID(id) {
			continue
		}
		seen[id] = true
		dv, err := s.app.Document(r.Context(), p, id)
		if e, ok := app.AsError(err); ok && e.Kind == app.NotFound || err == nil && dv.Round.ID != rd.ID {
			continue
		}
		if err != nil {
			s.failed(w, r, p, err, "Không mở được trang")
			return
		}
		v := newVerdictView(rd, dv.Document)
		pg.Pending = pg.Pending || !v.Final
		pg.Docs = append(pg.Docs, v)
	}
	s.render(w, r, http.StatusOK, "uploads", pg)
}

// verdictView is a document's verdict in words; the page script reads it as JSON.
type verdictView struct {
	DocumentID  string   `json:"document_id"`
	URL         string   `json:"url"`
	File        string   `json:"file"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"status_label"`
	StatusClass string   `json:"status_class"`
	Kind        string   `json:"kind"`
	KindLabel   string   `json:"kind_label"`
	Nominee     string   `json:"nominee"`
	NomineeName string   `json:"nominee_name"`
	Reason      string   `json:"reason"`
	ReasonLabel string   `json:"reason_label"`
	Message     string   `json:"message"`
	Detail      string   `json:"detail"` // "kind — person", or "" when neither is known
	Warnings    []string `json:"warnings"`
	Final       bool     `json:"final"`
}

func newVerdictView(rd dossier.Round, d dossier.Document) verdictView {
	v := verdictView{DocumentID: d.ID, URL: "/documents/" + d.ID, File: d.File, Status: d.Status,
		StatusLabel: documentStatusLabel(d.Status), StatusClass: stateClass(d.Status), Kind: string(d.Kind), KindLabel: kindLabel(d.Kind),
		Nominee: d.Nominee, NomineeName: nomineeName(rd, d.Nominee), Reason: d.Reason, ReasonLabel: reasonLabel(d.Reason),
		Message: d.Message, Warnings: []string{}, Final: d.Final()}
	if d.Kind != "" || d.Nominee != "" {
		v.Detail = v.KindLabel + " — " + v.NomineeName
	}
	for _, code := range d.Warnings {
		if l := warningLabel(code); !slices.Contains(v.Warnings, l) {
			v.Warnings = append(v.Warnings, l)
		}
	}
	return v
}

// documentStatusLabel names a single document's verdict: an accepted file is "đã nhận, hợp lệ",
// which says more about one file than the dossier table's "đã nộp".
func documentStatusLabel(status string) string {
	if status == dossier.StatusAccepted {
		return "đã nhận, hợp lệ"
	}
	return stateLabel(status)
}

func nomineeName(rd dossier.Round, id string) string {
	if id == "" {
		return "chưa xác định"
	}
	if n, ok := rd.Nominee(id); ok {
		return n.Name
	}
	for _, n := range rd.Removed {
		if n.ID == id {
			return n.Name + " (đã rút khỏi danh sách)"
		}
	}
	return "mã " + id + " (không có trong danh sách)"
}

// verdict is the JSON the upload script asks for until the verdict is final; with ?wait=25s
// the answer comes as soon as the verdict exists.
func (s *Server) verdict(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var q app.DocumentQuery
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := web.ParseWait(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, jsonError(capitalize(err.Error())))
			return
		}
		q.Wait = d
	}
	dv, err := s.app.DocumentWith(r.Context(), p, r.PathValue("id"), q)
	if r.Context().Err() != nil {
		return // the page went away while waiting
	}
	if err != nil {
		e, ok := app.AsError(err)
		if !ok {
			s.log.ErrorContext(r.Context(), "ui: verdict", "document_id", r.PathValue("id"), "err", err)
			writeJSON(w, http.StatusInternalServerError, jsonError("Lỗi hệ thống; hãy thử lại."))
			return
		}
		writeJSON(w, web.Status(e.Kind), jsonError("Không tìm thấy tài liệu."))
		return
	}
	writeJSON(w, http.StatusOK, newVerdictView(dv.Round, dv.Document))
}

func acceptsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func jsonError(msg string) map[string]any {
	return map[string]any{"error": map[string]string{"message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "Lỗi hệ thống.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func problemLines(ps []problem.Problem) []problemView {
	out := make([]problemView, 0, len(ps))
	for _, pr := range ps {
		out = append(out, problemView{Field: fieldLabel(pr.Path), Path: pr.Path, Message: capitalize(pr.Message)})
	}
	return out
}

// problemView is one validation problem: where (in words and as the file's own key path, so
// it can be found in the file) and what.
type problemView struct {
	Field, Path, Message string
	// Anchor is the id of the form box the problem concerns, on pages that link to it.
	Anchor string
}

// fieldLabel names the part of a round file or tally a problem path points into.
func fieldLabel(path string) string {
	key := path
	if i := strings.IndexAny(key, ".["); i >= 0 {
		key = key[:i]
	}
	switch key {
	case "":
		return "Tệp"
	case "id":
		return "Mã đợt"
	case "track":
		return "Khối"
	case "organization":
		return "Tổ chức"
	case "parent_organization":
		return "Tổ chức cấp trên"
	case "title":
		return "Tên đợt"
	case "place":
		return "Địa danh"
	case "timezone":
		return "Múi giờ"
	case "vote_date":
		return "Ngày lấy phiếu"
	case "deadlines":
		return "Hạn"
	case "summoned":
		return "Số người được triệu tập"
	case "required":
		return "Tài liệu bắt buộc"
	case "rules":
		return "Quy tắc"
	case "alerts":
		return "Thời gian cảnh báo"
	case "notify":
		return "Nơi nhận cảnh báo"
	case "nominees":
		return "Người được lấy phiếu"
	case "kind":
		return "Loại tài liệu"
	case "nominee":
		return "Người nộp"
	case "file", "content":
		return "Tệp"
	}
	return "Mục"
}

// capitalize makes an API message (which starts in lower case) begin a sentence.
func capitalize(s string) string { return initial.Upper(s) }
