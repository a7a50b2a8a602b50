package ui

import (
	"net/http"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

type documentPage struct {
	chrome
	V                     verdictView
	RoundURL, RoundTitle  string
	Pages                 int
	Size                  string
	SHA256                string
	Received, VerdictAt   string
	Zone                  string
	Uploader              string
	DeclaredKind          string
	DeclaredNominee       string
	Deadline              string
	Reviewed              string
	Excerpt               string
	RequestRef, Requester string
	DuplicateURL          string
	Versions              []versionRow
	// The versions are shown a page at a time, newest first.
	VersionPage, VersionPages, VersionTotal int
	VersionPrevURL, VersionNextURL          string
	CanReview, ReviewOpen                   bool
	ReviewURL                               string
	Nominees, KindOptions                   []option
	CanDownload                             bool
	FileURL                                 string
	KindConfidence                          string
	StatusIsFinal, Rejected                 bool
	RenderingURL                            string // the PDF made from a Word original ("" none)
	Format                                  string // what the file is, told from its bytes
	// OCR says the text was read from a scan or photo by character recognition, with its mean
	// confidence; OCRText is that text's opening, for those who may read text only.
	OCR, OCRText string
}

type versionRow struct {
	URL, File, Received string
	State               cell
	This                bool
}

func (s *Server) document(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	page, _ := strconv.Atoi(r.URL.Query().Get("versions_page"))
	dv, err := s.app.DocumentWith(r.Context(), p, r.PathValue("id"), app.DocumentQuery{VersionsPage: max(1, page)})
	if err != nil {
		s.failed(w, r, p, err, "Không mở được tài liệu")
		return
	}
	pg := buildDocumentPage(dv)
	pg.User, pg.Flash = newUserView(p), flash(r)
	pg.Zone = zoneLabel(dv.Round, dv.Document.ReceivedAt)
	s.render(w, r, http.StatusOK, "document", pg)
}

// buildDocumentPage turns a document as the core shows it to the user (its verdict as the
// deadlines stand now, what the user may not know emptied) into the page. It is pure, so the
// page can be tested without a server.
func buildDocumentPage(dv app.DocumentView) documentPage {
	d, rd, versions := dv.Document, dv.Round, dv.Versions
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
		CanDownload:   dv.MayDownload,
		FileURL:       "/documents/" + d.ID + "/file",
		ReviewURL:     "/documents/" + d.ID + "/review",
		Versions:      []versionRow{},
	}
	if d.Rendering != "" && dv.MayDownload {
		pg.RenderingURL = "/documents/" + d.ID + "/rendering"
	}
	if d.DeclaredKind != "" {
		pg.DeclaredKind = kindLabel(d.DeclaredKind)
	}
	if d.DeclaredNominee != "" {
		pg.DeclaredNominee = nomineeName(rd, d.DeclaredNominee)
	}
	if d.Deadline != "" {
		if dl, ok := rd.Deadline(d.Deadline); ok {
			pg.Deadline = deadlineLabel(rd, d.Deadline) + ": " + localTime(rd, dl.At)
		}
	}
	if d.ReviewedBy != "" {
		pg.Reviewed = d.ReviewedBy + ", " + localTime(rd, d.ReviewedAt)
	}
	pg.Requester = d.Requester
	if d.DuplicateOf != "" {
		pg.DuplicateURL = "/documents/" + d.DuplicateOf
	}
	if d.KindConfidence > 0 && d.Kind != "" {
		pg.KindConfidence = confidenceWords(d.KindConfidence)
	}
	if d.Format != "" {
		pg.Format = formatLabel(d.Format)
	}
	if d.OCR {
		pg.OCR = "nhận dạng chữ từ ảnh (OCR), độ tin cậy trung bình " + strconv.Itoa(int(d.OCRConfidence*100+0.5)) + "%"
		// The text itself stays with those who may read text (the core empties the excerpt
		// for the others; this keeps it so even if it did not).
		if dv.MayReadText {
			pg.OCRText, pg.Excerpt = d.Excerpt, ""
		}
	}
	if !dv.MayReadText {
		pg.Excerpt = ""
	}
	pg.VersionPage, pg.VersionPages, pg.VersionTotal = dv.VersionsPage, dv.VersionsPages, dv.VersionsTotal
	if dv.VersionsPage > 1 {
		pg.VersionPrevURL = "/documents/" + d.ID + "?versions_page=" + strconv.Itoa(dv.VersionsPage-1)
	}
	if dv.VersionsPage < dv.VersionsPages {
		pg.VersionNextURL = "/documents/" + d.ID + "?versions_page=" + strconv.Itoa(dv.VersionsPage+1)
	}
	for _, v := range versions {
		pg.Versions = append(pg.Versions, versionRow{URL: "/documents/" + v.ID, File: v.File, Received: localTime(rd, v.ReceivedAt),
			State: cell{Label: stateLabel(v.Status), Class: stateClass(v.Status)}, This: v.ID == d.ID})
	}
	if dv.MayReview {
		pg.CanReview = true
		pg.ReviewOpen = d.Status == dossier.StatusNeedsReview || d.Status == dossier.StatusRejected
		for _, n := range rd.Nominees {
			pg.Nominees = append(pg.Nominees, option{Value: n.ID, Label: n.Name + " (" + n.ID + ")", Selected: n.ID == d.Nominee})
		}
		for _, k := range dossier.AllKinds() {
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

// review confirms or corrects kind and person, through the same core as POST
// /api/v1/documents/{id}/review.
func (s *Server) review(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa xác nhận được", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	_, err := s.app.Review(r.Context(), p, id, app.ReviewRequest{Kind: strings.TrimSpace(r.PostFormValue("kind")),
		Nominee: strings.TrimSpace(r.PostFormValue("nominee")), Note: strings.TrimSpace(r.PostFormValue("note"))})
	if e, ok := app.AsError(err); ok && e.Kind == app.Invalid {
		// The form offers lists to choose from: say what to choose, not what was sent.
		items := make([]problemView, 0, len(e.Problems))
		for _, pr := range e.Problems {
			v := problemView{Field: fieldLabel(pr.Path), Path: pr.Path, Message: capitalize(pr.Message)}
			switch pr.Path {
			case "kind":
				v.Message = "Hãy chọn loại tài liệu."
			case "nominee":
				v.Message = "Hãy chọn một người trong danh sách của đợt."
			}
			items = append(items, v)
		}
		s.errorPage(w, r, &p, http.StatusUnprocessableEntity, "Chưa xác nhận được", "Hãy sửa các điểm dưới đây rồi gửi lại.", items...)
		return
	}
	if e, ok := app.AsError(err); ok && e.Code == "not_reviewable" {
		// ingest.ErrNotReviewable prefixes the reason; the page shows the reason alone.
		msg := e.Message
		if _, rest, found := strings.Cut(msg, ingest.ErrNotReviewable.Error()+": "); found {
			msg = rest
		}
		s.errorPage(w, r, &p, http.StatusConflict, "Chưa xác nhận được", capitalize(msg)+".")
		return
	}
	if err != nil {
		s.failed(w, r, p, err, "Chưa xác nhận được")
		return
	}
	http.Redirect(w, r, "/documents/"+id+"?ok=reviewed", http.StatusSeeOther)
}

// documentFile downloads the file as received, for those who may (the core audits it).
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, rc, err := s.app.DocumentFile(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.failed(w, r, p, err, "Không tải được tệp")
		return
	}
	defer rc.Close()
	web.ServeFile(w, web.File{Name: d.File, Size: d.Size, SHA256: d.SHA256}, rc)
}
