package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"slices"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/store"
)

// Default limits of one upload request (serve --max-request, --max-files).
const (
	DefaultMaxRequest = 200 << 20
	DefaultMaxFiles   = 200
)

// uploadRetryAfter is what an upload refused because the store cannot take it now is told:
// come back after this long (an election takes a few seconds; a full store needs a person).
const uploadRetryAfter = 5 * time.Second

// Upload is one request's files: each stored in the object store as it streams in (never whole
// in memory), then handed to the pipeline together once the request is read.
type Upload struct {
	a        *App
	p        auth.Principal
	rd       dossier.Round
	stored   []dossier.Document
	nominee  string
	kindText string
}

// StartUpload opens an upload into a round p may upload to.
func (a *App) StartUpload(ctx context.Context, p auth.Principal, roundID string) (*Upload, error) {
	rd, err := a.round(ctx, p, roundID, UploadDocument)
	if err != nil {
		return nil, err
	}
	return &Upload{a: a, p: p, rd: rd}, nil
}

// Round is the round the upload goes to.
func (u *Upload) Round() dossier.Round { return u.rd }

// Declare sets the person and kind the uploader says the files are (empty: recognise them).
func (u *Upload) Declare(nominee, kind string) {
	if nominee = strings.TrimSpace(nominee); nominee != "" {
		u.nominee = nominee
	}
	if kind = strings.TrimSpace(kind); kind != "" {
		u.kindText = kind
	}
}

// errRequestTooLarge is what a request body past the request limit reads as.
var errRequestTooLarge = errors.New("upload request over its limit")

func (u *Upload) requestTooLarge() *Error {
	return fail(TooLarge, "request_too_large", "yêu cầu tải lên quá lớn: tối đa %s mỗi lần (tổng các tệp); chưa nhận tệp nào, hãy chia thành nhiều lần tải",
		sizeWords(u.a.maxRequest()))
}

// Body bounds an upload request's body by the request limit (serve --max-request): a declared
// length over it is refused at once; a body that turns out longer fails when it passes it.
func (u *Upload) Body(body io.ReadCloser, declared int64) (io.ReadCloser, error) {
	limit := u.a.maxRequest()
	if declared > limit {
		return nil, u.requestTooLarge()
	}
	return &requestBody{ReadCloser: body, left: limit}, nil
}

type requestBody struct {
	io.ReadCloser
	left int64
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n > 0 {
			return 0, errRequestTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// Add stores one file.
func (u *Upload) Add(ctx context.Context, fileName string, body io.Reader) error {
	if max := u.a.maxFiles(); len(u.stored) >= max {
		return fail(TooLarge, "too_many_files", "mỗi lần tải lên tối đa %d tệp; chưa nhận tệp nào, hãy chia thành nhiều lần tải", max)
	}
	if fileName == "" {
		fileName = "tai-lieu.pdf"
	}
	d, err := u.a.cfg.Uploads.Store(ctx, store.Upload{Round: u.rd.ID, File: fileName, Uploader: u.p.Username, Body: body})
	switch {
	case err == nil:
	case errors.Is(err, errRequestTooLarge):
		return u.requestTooLarge()
	case errors.Is(err, store.ErrUnavailable):
		u.a.log.Warn("upload refused: store unavailable", "round", u.rd.ID, "file", fileName, "err", err)
		return unavailable("hệ thống lưu trữ đang bận hoặc đang chuyển sang máy chủ khác; chưa nhận tệp nào, hãy gửi lại sau ít giây")
	case store.IsBodyError(err):
		return fail(BadRequest, "bad_request", "nội dung tải lên bị lỗi hoặc bị ngắt giữa chừng; chưa nhận tệp nào, hãy thử lại")
	default:
		return internalf("store upload %s: %w", fileName, err)
	}
	u.stored = append(u.stored, d)
	return nil
}

func unavailable(msg string) *Error {
	return &Error{Kind: Unavailable, Code: "unavailable", Message: msg, RetryAfter: uploadRetryAfter}
}

// Discard removes what was stored: the request failed before it was read whole.
func (u *Upload) Discard(ctx context.Context) {
	for _, d := range u.stored {
		u.a.cfg.Uploads.Discard(ctx, d)
	}
	u.stored = nil
}

// ReadMultipart reads an upload form — parts "file" (repeatable), "nominee" and "kind", in any
// order — storing each file as it arrives. The web page and the API send the same form.
func (u *Upload) ReadMultipart(ctx context.Context, mr *multipart.Reader) error {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errRequestTooLarge) {
			return u.requestTooLarge()
		}
		if err != nil {
			return fail(BadRequest, "bad_request", "nội dung multipart bị lỗi: %v", err)
		}
		switch part.FormName() {
		case "file":
			err = u.Add(ctx, part.FileName(), part)
		case "nominee", "kind":
			v, _ := io.ReadAll(io.LimitReader(part, 256))
			if part.FormName() == "nominee" {
				u.Declare(string(v), "")
			} else {
				u.Declare("", string(v))
			}
		}
		part.Close()
		if err != nil {
			return err
		}
	}
}

// Finish hands the stored files to the pipeline and answers them, each pending its verdict (or
// already refused at receipt: too large). Each hand-over rides out a stream-leader election.
// When the system fails part way all the same, the files answered were received and the error
// says which were not; when it fails before the first, nothing was kept and the error says when
// to come back (Retry-After).
func (u *Upload) Finish(ctx context.Context) ([]dossier.Document, error) {
	var declared ingest.Declared
	declared.Nominee = u.nominee
	if u.kindText != "" {
		k, err := dossier.ParseKind(u.kindText)
		if err != nil {
			u.Discard(ctx)
			return nil, invalid("loại tài liệu không hợp lệ, chưa nhận tệp nào", []problem.Problem{{Path: "kind", Code: "unknown_kind", Message: err.Error()}})
		}
		declared.Kind = k
	}
	if len(u.stored) == 0 {
		return nil, fail(BadRequest, "no_file", "không có tệp nào trong trường file")
	}
	out := make([]dossier.Document, 0, len(u.stored))
	for i, d := range u.stored {
		d.DeclaredKind, d.DeclaredNominee = declared.Kind, declared.Nominee
		d, err := u.a.cfg.Uploads.Commit(ctx, d)
		if err != nil {
			for _, rest := range u.stored[i+1:] {
				u.a.cfg.Uploads.Discard(ctx, rest)
			}
			u.stored = nil
			u.a.log.ErrorContext(ctx, "upload commit failed", "round", u.rd.ID, "document_id", d.ID, "err", err)
			if i == 0 {
				return out, unavailable("hệ thống tạm thời không nhận được tệp; chưa nhận tệp nào, hãy gửi lại sau ít giây")
			}
			return out, fail(Unavailable, "unavailable", "hệ thống tạm thời không nhận được tệp %s và các tệp sau nó; các tệp liệt kê ở trên đã được nhận, hãy tải lại phần còn lại", d.File)
		}
		u.a.audit(ctx, audit.Event{ID: "upload-" + d.ID, Actor: u.p.Username, Action: "document.upload", Round: u.rd.ID, Target: d.ID, Details: map[string]string{
			"file": d.File, "sha256": d.SHA256, "size": fmt.Sprint(d.Size), "declared_kind": string(d.DeclaredKind), "declared_nominee": d.DeclaredNominee,
		}})
		u.a.received(ctx, u.p, d)
		out = append(out, d)
	}
	u.stored = nil
	return out, nil
}

// Await holds the answer of an upload until every document Finish committed has its verdict,
// or until wait (at most MaxDocumentWait) has passed: an uploader learns the verdicts with the
// receipt, in one request. Each document comes back as p may see it (as Document shows it); one
// still pending when the wait ends comes back as it stands, and a client asks for it later
// with GET /api/v1/documents/{id}, as does one whose record the wait could not read. ctx ending
// first (the client went away) is the only error.
func (u *Upload) Await(ctx context.Context, docs []dossier.Document, wait time.Duration) ([]dossier.Document, error) {
	wctx, cancel := context.WithTimeout(ctx, min(wait, MaxDocumentWait))
	defer cancel()
	out := make([]dossier.Document, len(docs))
	for i, d := range docs {
		if !d.Final() && wctx.Err() == nil {
			got, err := u.a.cfg.Documents.WaitFor(wctx, d.ID, dossier.Document.Final)
			switch {
			case ctx.Err() != nil:
				return nil, ctx.Err()
			case err == nil || errors.Is(err, context.DeadlineExceeded):
				if got.ID == d.ID {
					d = got
				}
			default:
				// The files are received whatever the wait meets: the document is answered as
				// committed (pending), never as a failed upload.
				u.a.log.WarnContext(ctx, "upload: wait for the verdict failed", "document_id", d.ID, "err", err)
			}
		}
		out[i] = u.a.redactDocument(u.p, u.rd, dossier.CurrentVerdict(u.rd, d))
	}
	return out, nil
}

// sizeWords writes a byte count for people: "200 MB".
func sizeWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// DocumentView is a document as p may see it: its verdict judged against the round's deadlines
// as they are now, the fields p may not know emptied, and a page of the versions of its kind
// for its person.
type DocumentView struct {
	Document dossier.Document
	Round    dossier.Round
	// Versions is one page of the person's documents of this kind, newest first; VersionsPage
	// (1-based) of VersionsPages, VersionsTotal in all.
	Versions                                   []ingest.Version
	VersionsPage, VersionsPages, VersionsTotal int
	// What p may do with it.
	MayReadText, MayDownload, MayReview bool
}

// VersionsPerPage is how many versions a document view shows at a time.
const VersionsPerPage = store.VersionHeadSize

// MaxDocumentWait bounds how long a request may wait for a verdict.
const MaxDocumentWait = time.Minute

// DocumentQuery says which page of versions to show and how long to wait for the verdict.
type DocumentQuery struct {
	VersionsPage int           // 1-based; 0 is the first
	Wait         time.Duration // until the verdict exists (long-poll); at most MaxDocumentWait
}

// Document is one document of a round p sees.
func (a *App) Document(ctx context.Context, p auth.Principal, id string) (DocumentView, error) {
	return a.DocumentWith(ctx, p, id, DocumentQuery{})
}

// DocumentWith is Document with a page of versions and, with q.Wait, answered as soon as the
// verdict exists (or once q.Wait has passed, still pending): a client learns a verdict in one
// request instead of asking again and again.
func (a *App) DocumentWith(ctx context.Context, p auth.Principal, id string, q DocumentQuery) (DocumentView, error) {
	d, rd, err := a.document(ctx, p, id, ViewDocument)
	if err != nil {
		return DocumentView{}, err
	}
	if q.Wait > 0 && !d.Final() {
		wctx, cancel := context.WithTimeout(ctx, min(q.Wait, MaxDocumentWait))
		d, err = a.cfg.Documents.WaitFor(wctx, id, dossier.Document.Final)
		cancel()
		switch {
		case ctx.Err() != nil:
			return DocumentView{}, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
		case err != nil:
			return DocumentView{}, internalf("wait for %s: %w", id, err)
		}
	}
	v := DocumentView{Round: rd, Document: a.redactDocument(p, rd, dossier.CurrentVerdict(rd, d)),
		MayReadText: May(p, ReadDocumentText, &rd), MayReview: May(p, ReviewDocument, &rd) && ingest.Reviewable(d.Status, d.Reason),
		MayDownload: May(p, DownloadDocument, &rd) && d.Reason != ingest.ReasonTooLarge && d.SHA256 != "",
		Versions:    []ingest.Version{}, VersionsPage: 1, VersionsPages: 1}
	if d.Nominee != "" && d.Kind != "" {
		pg, err := a.cfg.Documents.Page(ctx, d.Round, d.Nominee, d.Kind, max(1, q.VersionsPage), VersionsPerPage)
		if err != nil {
			return DocumentView{}, internalf("versions of %s: %w", id, err)
		}
		v.Versions = ingest.CurrentVersions(rd, d.Kind, pg.Versions)
		v.VersionsPage, v.VersionsPages, v.VersionsTotal = pg.Page, pg.Pages, pg.Total
	}
	return v, nil
}

// document opens a document for an action: a document of a round p does not see is not found.
func (a *App) document(ctx context.Context, p auth.Principal, id string, act Action) (dossier.Document, dossier.Round, error) {
	d, _, err := a.cfg.Documents.Lookup(ctx, id)
	if errors.Is(err, ingest.ErrNotFound) {
		return d, dossier.Round{}, fail(NotFound, "not_found", "không tìm thấy tài liệu %s", id)
	}
	if err != nil {
		return d, dossier.Round{}, internalf("document %s: %w", id, err)
	}
	rd, err := a.cfg.Rounds.Get(ctx, d.Round)
	if errors.Is(err, dossier.ErrNotFound) || (err == nil && !May(p, ViewRound, &rd)) {
		return d, dossier.Round{}, fail(NotFound, "not_found", "không tìm thấy tài liệu %s", id)
	}
	if err != nil {
		return d, dossier.Round{}, internalf("round of %s: %w", id, err)
	}
	if !May(p, act, &rd) {
		return d, rd, forbidden(act)
	}
	return d, rd, nil
}

// redactDocument empties what p may not know of a document: any text read from it (all but its
// outline), and who asked for an explanation (the board's to know, DOMAIN.md).
func (a *App) redactDocument(p auth.Principal, rd dossier.Round, d dossier.Document) dossier.Document {
	if !May(p, ReadDocumentText, &rd) {
		d = outline(rd, d) // need-to-know: needtoknow.go
	}
	if !May(p, SeeRequester, &rd) {
		d.Requester = ""
	}
	return d
}

// DocumentRow is one document of a round in a list.
type DocumentRow struct {
	DocumentID string
	File       string
	Status     string
	Kind       dossier.Kind
	Nominee    string
	Name       string
	Reason     string
	ReceivedAt time.Time
}

// RoundDocuments lists every document received for a round, whatever its verdict and whether
// or not it names a person, as the dossier projection knows them, newest first; then those
// still being read (status pending).
func (a *App) RoundDocuments(ctx context.Context, p auth.Principal, roundID string) ([]DocumentRow, error) {
	rd, st, err := a.roundState(ctx, p, roundID, ViewDossiers)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, n := range slices.Concat(rd.Nominees, rd.Removed) {
		names[n.ID] = n.Name
	}
	rows := []DocumentRow{}
	for id, e := range st.Docs {
		rows = append(rows, DocumentRow{DocumentID: id, File: e.File, Status: dossier.EffectiveStatus(rd, e), Kind: e.Kind,
			Nominee: e.Nominee, Name: names[e.Nominee], Reason: e.Reason, ReceivedAt: e.ReceivedAt})
	}
	slices.SortFunc(rows, func(x, y DocumentRow) int {
		return cmp.Or(y.ReceivedAt.Compare(x.ReceivedAt), cmp.Compare(x.DocumentID, y.DocumentID))
	})
	pending, err := a.cfg.Documents.Pending(ctx)
	if err != nil {
		return nil, internalf("pending documents: %w", err)
	}
	for _, id := range pending {
		if _, seen := st.Docs[id]; seen {
			continue
		}
		d, _, err := a.cfg.Documents.Get(ctx, id)
		if err != nil || d.Round != rd.ID {
			continue // gone or another round's
		}
		rows = append(rows, DocumentRow{DocumentID: id, File: d.File, Status: dossier.StatusPending, Kind: d.Kind, Nominee: d.Nominee,
			Name: names[d.Nominee], ReceivedAt: d.ReceivedAt})
	}
	return rows, nil
}

// DocumentFile opens the original bytes of a document, for those who may download it; the
// download is audited.
func (a *App) DocumentFile(ctx context.Context, p auth.Principal, id string) (dossier.Document, io.ReadCloser, error) {
	d, _, err := a.document(ctx, p, id, DownloadDocument)
	if err != nil {
		return d, nil, err
	}
	if d.Reason == ingest.ReasonTooLarge || d.SHA256 == "" {
		return d, nil, fail(NotFound, "not_found", "tệp quá lớn nên không được lưu")
	}
	rc, err := a.cfg.Uploads.Open(ctx, d.ID)
	if err != nil {
		return d, nil, internalf("open %s: %w", id, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "document.download", Round: d.Round, Target: d.ID})
	return d, rc, nil
}

// maxReviewNote bounds the note a reviewer leaves, in characters.
const maxReviewNote = 1000

// ReviewRequest is a person's confirmation of a document's kind and person.
type ReviewRequest struct {
	Kind    string `json:"kind"`
	Nominee string `json:"nominee"`
	Note    string `json:"note"`
}

// Review confirms (or corrects) the kind and person of a document that needs it or carries a
// warning. The deadline is judged again on the original receipt time; the new revision is
// stored, audited and announced for the dossier projection.
func (a *App) Review(ctx context.Context, p auth.Principal, id string, req ReviewRequest) (dossier.Document, error) {
	_, rd, err := a.document(ctx, p, id, ReviewDocument)
	if err != nil {
		return dossier.Document{}, err
	}
	// What the person confirms must exist: a kind of DESIGN §4 and someone on the round's roster.
	var ps []problem.Problem
	if _, err := dossier.ParseKind(req.Kind); err != nil {
		ps = append(ps, problem.Problem{Path: "kind", Code: "unknown_kind", Message: err.Error()})
	}
	if _, ok := rd.Nominee(req.Nominee); !ok {
		ps = append(ps, problem.Problem{Path: "nominee", Code: "unknown_nominee", Message: fmt.Sprintf("mã người %q không có trong danh sách lấy phiếu của đợt %s", req.Nominee, rd.ID)})
	}
	if len([]rune(req.Note)) > maxReviewNote {
		ps = append(ps, problem.Problem{Path: "note", Code: "too_long", Message: fmt.Sprintf("ghi chú dài quá %d ký tự", maxReviewNote)})
	}
	if len(ps) > 0 {
		return dossier.Document{}, invalid("dữ liệu không hợp lệ, không có gì được lưu", ps)
	}
	rv := ingest.Review{Kind: dossier.Kind(req.Kind), Nominee: req.Nominee, By: p.Username, Note: dossier.NFC(req.Note)}
	d, err := a.applyReview(ctx, rd, id, rv)
	if errors.Is(err, ingest.ErrNotReviewable) {
		return dossier.Document{}, &Error{Kind: Conflict, Code: "not_reviewable", Message: err.Error()}
	}
	if err != nil {
		return dossier.Document{}, err
	}
	return a.redactDocument(p, rd, d), nil
}

func (a *App) applyReview(ctx context.Context, rd dossier.Round, id string, rv ingest.Review) (dossier.Document, error) {
	docs := a.cfg.Documents
	d, rev, err := docs.Get(ctx, id)
	if err != nil {
		return dossier.Document{}, internalf("review %s: %w", id, err)
	}
	var cs []ingest.Copy
	if d.SHA256 != "" {
		if cs, _, err = docs.Copies(ctx, d.Round, d.SHA256); err != nil {
			return dossier.Document{}, internalf("review %s: %w", id, err)
		}
	}
	was := d
	if d, err = ingest.Reviewed(d, rd, rv, cs, a.now()); err != nil {
		return dossier.Document{}, err
	}
	if err := docs.Update(ctx, d, rev); err != nil {
		if store.IsConflict(err) {
			// Someone else confirmed it meanwhile: theirs stands until this person looks again.
			return dossier.Document{}, fmt.Errorf("%w: tài liệu vừa được người khác xác nhận hoặc thay đổi; hãy xem lại rồi làm lại nếu cần", ingest.ErrNotReviewable)
		}
		return dossier.Document{}, internalf("review %s: %w", id, err)
	}
	if d.SHA256 != "" {
		if was.Nominee != "" && was.Kind != "" && (was.Nominee != d.Nominee || was.Kind != d.Kind) {
			// No longer that person's paper of that kind: it must not stay among their versions.
			if err := docs.RemoveVersion(ctx, d.Round, was.Nominee, was.Kind, d.ID); err != nil {
				return dossier.Document{}, internalf("review %s: %w", id, err)
			}
		}
		if err := docs.RecordVersion(ctx, d); err != nil {
			return dossier.Document{}, internalf("review %s: %w", id, err)
		}
		// Confirmed (or no longer refused), its bytes sent again are a duplicate of it.
		if err := docs.RecordCopy(ctx, d); err != nil {
			return dossier.Document{}, internalf("review %s: %w", id, err)
		}
	}
	a.audit(ctx, audit.Event{
		ID: fmt.Sprintf("review-%s-%d", d.ID, d.Revision), Actor: rv.By, Action: "document.review", Round: d.Round, Target: d.ID,
		Details: map[string]string{"kind": string(d.Kind), "nominee": d.Nominee, "status": d.Status, "note": rv.Note},
	})
	if err := a.cfg.Uploads.PublishReview(ctx, d); err != nil {
		return d, internalf("announce review of %s: %w", id, err)
	}
	return d, nil
}

func (a *App) maxRequest() int64 {
	if a.cfg.MaxRequest > 0 {
		return a.cfg.MaxRequest
	}
	return DefaultMaxRequest
}

func (a *App) maxFiles() int {
	if a.cfg.MaxFiles > 0 {
		return a.cfg.MaxFiles
	}
	return DefaultMaxFiles
}
