package document

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifbolditalic"
	"github.com/go-fonts/liberation/liberationserifitalic"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"
)

// AttachmentName is the file name of the tally record embedded in every PDF.
const AttachmentName = "tally.json"

// Errors a caller may want to tell apart. All are permanent: rendering the same model again
// gives the same error.
var (
	ErrInvalidModel = errors.New("dữ liệu biên bản không hợp lệ")
	ErrRender       = errors.New("lỗi nội bộ khi dựng tệp PDF")
)

// vietnam is UTC+7 without DST, the zone of every round unless the caller says otherwise; a
// fixed zone avoids depending on the host's tzdata.
var vietnam = time.FixedZone("ICT", 7*3600)

// doc is the state of one render.
type doc struct {
	s    *sheet
	m    Model
	kind Kind
	loc  *time.Location
	hash string
	// firstPage is the page the current copy starts on (ballots print several copies).
	firstPage int
	// copyNo and copies number the copies of a ballot; 0 when not numbered. nextCopy is the
	// copy the next page starts.
	copyNo, copies, nextCopy int
}

// Render lays out one document as PDF. The same kind and model always give the same bytes: the
// creation and modification dates are SealedAt, resources are written in sorted order, and the
// font subsets depend only on the text. Each call has its own Fpdf and its own copy of the font
// bytes, so calls may run concurrently; a panic inside gofpdf is returned as an error wrapping
// ErrRender.
func Render(kind Kind, m Model) ([]byte, error) {
	op := fmt.Sprintf("document: render %s", kind)
	return guard(op, func() ([]byte, error) { return render(kind, m) })
}

// guard runs fn and turns a panic into an error, so one bad model fails its own message instead
// of the worker process.
func guard(op string, fn func() ([]byte, error)) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out = nil
			err = fmt.Errorf("%s: %w: %v", op, ErrRender, r)
		}
	}()
	out, err = fn()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// fontFaces are the four faces of Liberation Serif, copied: gofpdf keeps slices into the bytes
// it is given, and no render may share them with another.
func fontFaces() [4][]byte {
	return [4][]byte{
		bytes.Clone(liberationserifregular.TTF),
		bytes.Clone(liberationserifbold.TTF),
		bytes.Clone(liberationserifitalic.TTF),
		bytes.Clone(liberationserifbolditalic.TTF),
	}
}

// fontStyles are the gofpdf style names of fontFaces, in the same order.
var fontStyles = [4]string{"", "B", "I", "BI"}

// newPDF starts an A4 document in millimetres with the fonts and margins every document uses.
func newPDF(fonts [4][]byte) *gofpdf.Fpdf {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	for i, style := range fontStyles {
		pdf.AddUTF8FontFromBytes(family, style, fonts[i])
	}
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.SetCellMargin(0)
	pdf.SetLineWidth(0.2)
	return pdf
}

func render(kind Kind, m Model) ([]byte, error) {
	fonts := fontFaces()
	covers := make([]*coverage, len(fonts))
	for i, f := range fonts {
		c, err := parseCoverage(f)
		if err != nil {
			return nil, err
		}
		covers[i] = c
	}
	m, err := clean(m, covers)
	if err != nil {
		return nil, err
	}
	// Checked after cleaning: a title of blanks and control characters is no title.
	if err := validate(kind, m); err != nil {
		return nil, err
	}
	loc := m.Location
	if loc == nil {
		loc = vietnam
	}
	sum := sha256.Sum256(m.TallyJSON)
	d := &doc{m: m, kind: kind, loc: loc, hash: hex.EncodeToString(sum[:]), firstPage: 1}

	pdf := newPDF(fonts)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	pdf.SetCatalogSort(true)
	// gofpdf writes the date without a zone offset, which readers take as UTC: give it UTC.
	sealed := m.SealedAt.UTC()
	pdf.SetCreationDate(sealed)
	pdf.SetModificationDate(sealed)
	title := Title(kind, m.Track) + " – " + m.Title
	if m.Version >= 2 {
		title += fmt.Sprintf(" (bản đính chính, phiên bản số %d)", m.Version)
	}
	pdf.SetTitle(title, true)
	pdf.SetSubject(m.Title, true)
	pdf.SetAuthor(m.Organization, true)
	pdf.SetCreator("tinnhiem", true)
	pdf.SetProducer("tinnhiem", true)
	pdf.SetKeywords("sha256:"+d.hash, true)
	pdf.SetAttachments([]gofpdf.Attachment{{
		Content:     bytes.Clone(m.TallyJSON),
		Filename:    AttachmentName,
		Description: "Bản ghi kiểm phiếu chuẩn (JSON); mã SHA-256 in ở chân mỗi trang",
	}})
	d.s = &sheet{pdf: pdf}
	pdf.SetHeaderFuncMode(d.pageTop, true)
	pdf.SetFooterFunc(d.pageFoot)
	pdf.AddPage()

	d.header()
	switch kind {
	case KindCounting:
		d.counting()
	case KindSession:
		d.session()
	case KindReport:
		d.report()
	case KindNotice:
		d.notice()
	}
	d.s.ensure(0) // anything still held back

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	return buf.Bytes(), nil
}

// validate refuses a model the documents cannot honestly be made from.
func validate(kind Kind, m Model) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidModel, fmt.Sprintf(format, args...))
	}
	switch kind {
	case KindCounting, KindSession, KindReport, KindNotice:
	default:
		return bad("loại văn bản %q không có (chỉ có %s, %s, %s, %s)", kind, KindCounting, KindSession, KindReport, KindNotice)
	}
	if m.Track != TrackParty && m.Track != TrackState {
		return bad("quy trình %q không có (chỉ có %q hoặc %q)", m.Track, TrackParty, TrackState)
	}
	if m.SealedAt.IsZero() {
		return bad("thiếu thời điểm niêm phong kết quả kiểm phiếu")
	}
	if len(m.TallyJSON) == 0 {
		return bad("thiếu bản ghi kiểm phiếu (JSON) để đính kèm")
	}
	if !json.Valid(m.TallyJSON) {
		return bad("bản ghi kiểm phiếu đính kèm không phải JSON hợp lệ")
	}
	if m.Organization == "" {
		return bad("thiếu tên cơ quan ban hành")
	}
	if m.Title == "" {
		return bad("thiếu tiêu đề (Lấy phiếu tín nhiệm đối với …)")
	}
	for _, n := range []struct {
		label string
		v     int
	}{
		{"số người được triệu tập", m.Summoned}, {"số người có mặt", m.Present},
		{"số phiếu phát ra", m.Issued}, {"số phiếu thu vào", m.Collected},
		{"số phiếu hợp lệ", m.ValidBallots}, {"số phiếu không hợp lệ", m.InvalidBallots},
		{"số bản", m.Copies}, {"phiên bản", m.Version},
		{"số phiếu không hợp lệ cả phiếu", m.VoidMarked}, {"số phiếu không hợp lệ do dòng đánh dấu sai", m.VoidBadRow},
	} {
		if n.v < 0 {
			return bad("%s không được âm (%d)", n.label, n.v)
		}
	}
	switch m.Publication {
	case "", PublicationPublic, PublicationInternal:
	default:
		return bad("cách công bố %q không có (chỉ có %q hoặc %q)", m.Publication, PublicationPublic, PublicationInternal)
	}
	if q := m.Requests; q != nil && (q.OnTime < 0 || q.Late < 0 || q.Admitted < 0 || q.SetAside < 0 || q.Undecided < 0 || q.Answered < 0 || q.Persons < 0) {
		return bad("số đề nghị giải trình không được âm")
	}
	for i, r := range m.Rows {
		if r.Valid < 0 || r.Cao < 0 || r.TinNhiem < 0 || r.Thap < 0 || r.BlankRows < 0 || r.SpoiledRows < 0 || r.OtherInvalid < 0 {
			return bad("dòng %d của bảng kết quả có số phiếu âm", i+1)
		}
	}
	return nil
}
