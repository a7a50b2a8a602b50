package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/auth"
)

// upload hands the multipart body, as it streams in, to the API's upload handler, which stores
// each file in the object store as it arrives (Receiver.Store) and commits them to the pipeline
// once the body is read (Receiver.Commit). The page script asks for JSON and polls each
// document's verdict; a browser without scripts is sent to a page that refreshes itself.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	wantJSON := acceptsJSON(r)
	rd, err := s.api.Rounds.Get(r.Context(), r.PathValue("round"))
	if errors.Is(err, dossier.ErrNotFound) || (err == nil && !p.Sees(rd.Organization)) {
		if wantJSON {
			writeJSON(w, http.StatusNotFound, jsonError("Không tìm thấy đợt lấy phiếu."))
			return
		}
		s.notFound(w, r, p, "Không tìm thấy đợt lấy phiếu "+r.PathValue("round")+".")
		return
	}
	if err != nil {
		if wantJSON {
			s.api.Log.Error("ui: upload", "round", r.PathValue("round"), "err", err)
			writeJSON(w, http.StatusInternalServerError, jsonError("Lỗi hệ thống; chưa nhận tệp nào, hãy thử lại."))
			return
		}
		s.internal(w, r, p, err)
		return
	}
	if !p.Has(auth.RoleOrganizer) {
		if wantJSON {
			writeJSON(w, http.StatusForbidden, jsonError("Tài khoản của bạn không có quyền tải tài liệu lên."))
			return
		}
		s.forbidden(w, r, p)
		return
	}
	res := s.callAPI(r, http.MethodPost, "/api/v1/rounds/"+rd.ID+"/documents", r.Body, r.Header.Get("Content-Type"))
	if res.status != http.StatusAccepted {
		e := apiProblem(res)
		e.Message, e.Problems = uploadRefusal(e), nil
		if wantJSON {
			// Keep the documents the API did take before it failed (503 after a partial commit).
			var partial struct {
				Documents json.RawMessage `json:"documents"`
			}
			_ = json.Unmarshal(res.body.Bytes(), &partial)
			writeJSON(w, res.status, map[string]any{"documents": partial.Documents, "error": e})
			return
		}
		s.apiErrorPage(w, r, p, res.status, e, "Chưa tải lên được")
		return
	}
	if wantJSON {
		res.copyTo(w)
		return
	}
	var ans struct {
		Documents []struct {
			DocumentID string `json:"document_id"`
		} `json:"documents"`
	}
	_ = json.Unmarshal(res.body.Bytes(), &ans)
	q := make([]string, 0, len(ans.Documents))
	for _, d := range ans.Documents {
		q = append(q, "d="+d.DocumentID)
	}
	http.Redirect(w, r, "/rounds/"+rd.ID+"/uploads?"+strings.Join(q, "&"), http.StatusSeeOther)
}

// uploadRefusal says in words why the API refused an upload; its own messages name form
// fields, which people using the page never see.
func uploadRefusal(e *apiError) string {
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
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
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
		d, _, err := s.api.Docs.Get(r.Context(), id)
		if errors.Is(err, ingest.ErrNotFound) || (err == nil && d.Round != rd.ID) {
			continue
		}
		if err != nil {
			s.internal(w, r, p, err)
			return
		}
		v := newVerdictView(rd, d)
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

// verdict is the JSON the upload script polls until the verdict is final.
func (s *Server) verdict(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id := r.PathValue("id")
	d, _, err := s.api.Docs.Get(r.Context(), id)
	if errors.Is(err, ingest.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, jsonError("Không tìm thấy tài liệu."))
		return
	}
	if err != nil {
		s.api.Log.Error("ui: verdict", "document_id", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, jsonError("Lỗi hệ thống; hãy thử lại."))
		return
	}
	rd, err := s.api.Rounds.Get(r.Context(), d.Round)
	if err != nil || !p.Sees(rd.Organization) {
		writeJSON(w, http.StatusNotFound, jsonError("Không tìm thấy tài liệu."))
		return
	}
	writeJSON(w, http.StatusOK, newVerdictView(rd, d))
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

// apiError is the error body of the API.
type apiError struct {
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Problems []dossier.Problem `json:"problems"`
}

// apiErrorPage shows an API refusal as a page: its message, and each problem with where it is.
func (s *Server) apiErrorPage(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, e *apiError, title string) {
	if status < 400 {
		status = http.StatusBadGateway
	}
	msg := "Lỗi hệ thống; thao tác chưa được thực hiện, hãy thử lại."
	var items []problemView
	if e != nil {
		if e.Message != "" {
			msg = capitalize(e.Message)
		}
		items = problemLines(e.Problems)
	}
	back := r.Header.Get("Referer")
	pg := errorPage{chrome: chrome{Title: title, User: newUserView(p), Back: "/", BackLabel: "Về trang đầu"}, Status: status, Message: msg, Items: items}
	if back != "" && sameHost(back, r.Host) {
		pg.Back, pg.BackLabel = back, "Quay lại"
	}
	s.render(w, r, status, "error", pg)
}

func problemLines(ps []dossier.Problem) []problemView {
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
func capitalize(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// captured is the answer of an API handler called from a page.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}
func (c *captured) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captured) copyTo(w http.ResponseWriter) {
	for k, vs := range c.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

// callAPI runs an API handler for the logged-in user (the principal is in r's context) and
// keeps its answer. Only for answers that are small (JSON); downloads go through streamAPI.
func (s *Server) callAPI(r *http.Request, method, path string, body io.Reader, contentType string) *captured {
	req := r.Clone(r.Context())
	req.Method, req.URL.Path, req.URL.RawPath, req.URL.RawQuery, req.RequestURI = method, path, "", "", ""
	// A page that parsed its own form must not hand that form to the API handler in place of
	// the body: Clone copies the parsed values, and ParseMultipartForm would keep them.
	req.Form, req.PostForm, req.MultipartForm = nil, nil, nil
	req.Body = io.NopCloser(body)
	req.ContentLength = -1
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Del("Authorization")
	res := &captured{header: http.Header{}}
	s.apiHandler.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	return res
}

// streamAPI runs an API download handler for the logged-in user, writing straight to w.
func (s *Server) streamAPI(w http.ResponseWriter, r *http.Request, path, rawQuery string) {
	req := r.Clone(r.Context())
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery, req.RequestURI = path, "", rawQuery, ""
	req.Header.Del("Authorization")
	s.apiHandler.ServeHTTP(w, req)
}

// apiProblem reads an API error answer.
func apiProblem(res *captured) *apiError {
	var b struct {
		Error *apiError `json:"error"`
	}
	if json.Unmarshal(res.body.Bytes(), &b) != nil || b.Error == nil {
		return &apiError{Message: fmt.Sprintf("lỗi hệ thống (mã %d); thao tác chưa được thực hiện, hãy thử lại", res.status)}
	}
	return b.Error
}
