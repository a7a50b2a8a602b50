package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/auth"
)

type documentPage struct {
	chrome
	V                       verdictView
	RoundURL, RoundTitle    string
	Pages                   int
	Size                    string
	SHA256                  string
	Received, VerdictAt     string
	Zone                    string
	Uploader                string
	DeclaredKind            string
	DeclaredNominee         string
	Deadline                string
	Reviewed                string
	Excerpt                 string
	RequestRef, Requester   string
	DuplicateURL            string
	Versions                []versionRow
	CanReview, ReviewOpen   bool
	ReviewURL               string
	Nominees, KindOptions   []option
	CanDownload             bool
	FileURL                 string
	KindConfidence          string
	StatusIsFinal, Rejected bool
}

type versionRow struct {
	URL, File, Received string
	State               cell
	This                bool
}

// visibleDocument loads the document of the path and its round; a document of a round the user
// may not see is "not found".
func (s *Server) visibleDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Document, dossier.Round, bool) {
	id := r.PathValue("id")
	d, _, err := s.api.Docs.Get(r.Context(), id)
	if errors.Is(err, ingest.ErrNotFound) {
		s.notFound(w, r, p, "Không tìm thấy tài liệu "+id+".")
		return d, dossier.Round{}, false
	}
	if err != nil {
		s.internal(w, r, p, err)
		return d, dossier.Round{}, false
	}
	rd, err := s.api.Rounds.Get(r.Context(), d.Round)
	if errors.Is(err, dossier.ErrNotFound) || (err == nil && !p.Sees(rd.Organization)) {
		s.notFound(w, r, p, "Không tìm thấy tài liệu "+id+".")
		return d, dossier.Round{}, false
	}
	if err != nil {
		s.internal(w, r, p, err)
		return d, dossier.Round{}, false
	}
	return d, rd, true
}

// reviewable is ingest's rule of which verdicts a person may confirm or correct.
func reviewable(d dossier.Document) bool { return ingest.Reviewable(d.Status, d.Reason) }

func (s *Server) document(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rd, ok := s.visibleDocument(w, r, p)
	if !ok {
		return
	}
	var versions []ingest.Version
	if d.Nominee != "" && d.Kind != "" {
		var err error
		if versions, _, err = s.api.Docs.Versions(r.Context(), d.Round, d.Nominee, d.Kind); err != nil {
			s.internal(w, r, p, err)
			return
		}
	}
	pg := buildDocumentPage(rd, d, versions, p)
	pg.User, pg.Flash = newUserView(p), flash(r)
	pg.Zone = zoneLabel(rd, d.ReceivedAt)
	s.render(w, r, http.StatusOK, "document", pg)
}

func buildDocumentPage(rd dossier.Round, d dossier.Document, versions []ingest.Version, p auth.Principal) documentPage {
	organizer := p.Has(auth.RoleOrganizer)
	d = dossier.CurrentVerdict(rd, d) // the deadlines as they are now
	versions = ingest.CurrentVersions(rd, d.Kind, versions)
	if !organizer && d.Kind == dossier.KindExplanationRequest {
		d.Excerpt = "" // its text names who asked, which is the board's to know
	}
	title := d.File
	if title == "" {
		title = "Tài liệu " + d.ID
	}
	pg := documentPage{
		chrome:        chrome{Title: title, Back: "/rounds/" + rd.ID, BackLabel: rd.Title},
		V:             newVerdictView(rd, d),
		RoundURL:      "/rounds/" + rd.ID,
		RoundTitle:    rd.Title,
		Pages:         d.Pages,
		Size:          bytesLabel(d.Size),
		SHA256:        d.SHA256,
		Received:      localTime(rd, d.ReceivedAt),
		VerdictAt:     localTime(rd, d.VerdictAt),
		Uploader:      d.Uploader,
		Excerpt:       d.Excerpt,
		RequestRef:    d.RequestRef,
		StatusIsFinal: d.Final(),
		Rejected:      d.Status == dossier.StatusRejected,
		CanDownload:   organizer && d.Reason != ingest.ReasonTooLarge && d.SHA256 != "",
		FileURL:       "/documents/" + d.ID + "/file",
		ReviewURL:     "/documents/" + d.ID + "/review",
		Versions:      []versionRow{},
	}
	if d.DeclaredKind != "" {
		pg.DeclaredKind = kindLabel(d.DeclaredKind)
	}
	if d.DeclaredNominee != "" {
		pg.DeclaredNominee = nomineeName(rd, d.DeclaredNominee)
	}
	if d.Deadline != "" {
		if dl, ok := rd.Deadline(d.Deadline); ok {
			pg.Deadline = deadlineLabel(d.Deadline) + ": " + localTime(rd, dl.At)
		}
	}
	if d.ReviewedBy != "" {
		pg.Reviewed = d.ReviewedBy + ", " + localTime(rd, d.ReviewedAt)
	}
	if organizer {
		pg.Requester = d.Requester
	}
	if d.DuplicateOf != "" {
		pg.DuplicateURL = "/documents/" + d.DuplicateOf
	}
	if d.KindConfidence > 0 && d.Kind != "" {
		pg.KindConfidence = confidenceWords(d.KindConfidence)
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		pg.Versions = append(pg.Versions, versionRow{URL: "/documents/" + v.ID, File: v.File, Received: localTime(rd, v.ReceivedAt),
			State: cell{Label: stateLabel(v.Status), Class: stateClass(v.Status)}, This: v.ID == d.ID})
	}
	if organizer && reviewable(d) {
		pg.CanReview = true
		pg.ReviewOpen = d.Status == dossier.StatusNeedsReview || d.Status == dossier.StatusRejected
		for _, n := range rd.Nominees {
			pg.Nominees = append(pg.Nominees, option{Value: n.ID, Label: n.Name + " (" + n.ID + ")", Selected: n.ID == d.Nominee})
		}
		for _, k := range dossier.Kinds {
			pg.KindOptions = append(pg.KindOptions, option{Value: string(k), Label: kindLabel(k), Selected: k == d.Kind})
		}
	}
	return pg
}

// confidenceWords says how sure the recognition was about the kind.
func confidenceWords(c float64) string {
	switch {
	case c >= 0.85:
		return "chắc chắn"
	case c >= 0.55:
		return "khá chắc chắn"
	}
	return "chưa chắc chắn"
}

// review confirms or corrects kind and person through the API (POST /api/v1/documents/{id}/review).
func (s *Server) review(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rd, ok := s.visibleDocument(w, r, p)
	if !ok {
		return
	}
	if !p.Has(auth.RoleOrganizer) {
		s.forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa xác nhận được", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	kind := strings.TrimSpace(r.PostFormValue("kind"))
	nominee := strings.TrimSpace(r.PostFormValue("nominee"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	var problems []problemView
	if _, err := dossier.ParseKind(kind); err != nil {
		problems = append(problems, problemView{Field: "Loại tài liệu", Message: "Hãy chọn loại tài liệu."})
	}
	if _, ok := rd.Nominee(nominee); !ok {
		problems = append(problems, problemView{Field: "Người nộp", Message: "Hãy chọn một người trong danh sách của đợt."})
	}
	if len([]rune(note)) > 1000 {
		problems = append(problems, problemView{Field: "Ghi chú", Message: "Ghi chú dài quá 1000 ký tự."})
	}
	if !reviewable(d) {
		problems = append(problems, problemView{Message: "Tài liệu ở trạng thái \"" + stateLabel(d.Status) + "\" (" + reasonLabel(d.Reason) + ") không thể xác nhận lại; hãy tải lên tệp khác."})
	}
	if len(problems) > 0 {
		s.errorPage(w, r, &p, http.StatusUnprocessableEntity, "Chưa xác nhận được", "Hãy sửa các điểm dưới đây rồi gửi lại.", problems...)
		return
	}
	body, _ := json.Marshal(map[string]string{"kind": kind, "nominee": nominee, "note": note})
	res := s.callAPI(r, http.MethodPost, "/api/v1/documents/"+d.ID+"/review", bytes.NewReader(body), "application/json")
	if res.status != http.StatusOK {
		e := apiProblem(res)
		// ingest.ErrNotReviewable prefixes the reason; the page shows the reason alone.
		if _, rest, found := strings.Cut(e.Message, ingest.ErrNotReviewable.Error()+": "); found {
			e.Message = rest
		}
		s.apiErrorPage(w, r, p, res.status, e, "Chưa xác nhận được")
		return
	}
	http.Redirect(w, r, "/documents/"+d.ID+"?ok=reviewed", http.StatusSeeOther)
}

// documentFile downloads the file as received, for organizers, through the API handler (which
// audits the download).
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, _, ok := s.visibleDocument(w, r, p)
	if !ok {
		return
	}
	if !p.Has(auth.RoleOrganizer) {
		s.forbidden(w, r, p)
		return
	}
	if d.Reason == ingest.ReasonTooLarge || d.SHA256 == "" {
		s.notFound(w, r, p, "Tệp này không được lưu (quá lớn hoặc chưa nhận xong).")
		return
	}
	s.streamAPI(w, r, "/api/v1/documents/"+d.ID+"/file", "")
}
