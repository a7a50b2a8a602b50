package document

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// BallotModel is what the ballot paper (phiếu lấy phiếu tín nhiệm) prints: the track's heading,
// the persons on the ballot in roster order with their positions, three boxes per person and
// how to mark them. Exempt persons are simply not given.
type BallotModel struct {
	Track               Track
	ParentOrganization  string
	Organization        string
	OrganizationHeading string // as Model.OrganizationHeading
	Place               string
	Title               string // "Lấy phiếu tín nhiệm đối với …"
	SessionName         string // printed under the title in brackets; optional
	VoteDate            time.Time
	// CreatedAt is the PDF creation date, so the same ballot renders to the same bytes.
	CreatedAt time.Time
	Persons   []BallotPerson
	// BlankRuleWords states the round's rule for a row with no box or several ticked
	// (minutes.BlankRowWords); empty leaves the sentence out.
	BlankRuleWords string
	// Copies numbers the copies "Phiếu số 1/45" … "Phiếu số 45/45", each from a new page;
	// 0 prints one copy without a number.
	Copies int
}

// BallotPerson is one row of the ballot.
type BallotPerson struct {
	Name, Position string
}

// MaxBallotCopies bounds the numbered copies of one file; a conference summons hundreds at most.
const MaxBallotCopies = 5000

// RenderBallot lays out the ballot paper as PDF, one copy or Copies numbered ones. A roster
// longer than a page continues on the next with the table's header repeated.
func RenderBallot(b BallotModel) ([]byte, error) {
	return guard("document: render ballot", func() ([]byte, error) { return renderBallot(b) })
}

func renderBallot(b BallotModel) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidModel, fmt.Sprintf(format, args...))
	}
	switch {
	case b.Track != TrackParty && b.Track != TrackState:
		return nil, bad("quy trình %q không có (chỉ có %q hoặc %q)", b.Track, TrackParty, TrackState)
	case len(b.Persons) == 0:
		return nil, bad("phiếu không có người nào được lấy phiếu tín nhiệm")
	case b.Copies < 0 || b.Copies > MaxBallotCopies:
		return nil, bad("số bản phiếu %d không hợp lệ (0 đến %d)", b.Copies, MaxBallotCopies)
	case b.CreatedAt.IsZero():
		return nil, bad("thiếu thời điểm lập phiếu")
	}
	// The ballot shares the minutes' cleaning, header and table: it is a Model with rows
	// that carry no figures.
	m := Model{
		Track: b.Track, ParentOrganization: b.ParentOrganization, Organization: b.Organization,
		OrganizationHeading: b.OrganizationHeading, Place: b.Place, Title: b.Title, SessionName: b.SessionName,
		VoteDate: b.VoteDate, SealedAt: b.CreatedAt, BlankRuleWords: b.BlankRuleWords, TallyJSON: []byte("{}"),
	}
	for i, p := range b.Persons {
		m.Rows = append(m.Rows, Row{Order: i + 1, Name: p.Name, Position: p.Position})
	}
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
	if m.Organization == "" {
		return nil, bad("thiếu tên cơ quan ban hành")
	}
	if m.Title == "" {
		return nil, bad("thiếu tiêu đề (Lấy phiếu tín nhiệm đối với …)")
	}
	for i, r := range m.Rows {
		if r.Name == "" {
			return nil, bad("người thứ %d trên phiếu chưa có họ tên", i+1)
		}
	}
	pdf := newPDF(fonts)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(b.CreatedAt.UTC())
	pdf.SetModificationDate(b.CreatedAt.UTC())
	pdf.SetTitle("Phiếu lấy phiếu tín nhiệm – "+m.Title, true)
	pdf.SetAuthor(m.Organization, true)
	pdf.SetCreator("tinnhiem", true)
	pdf.SetProducer("tinnhiem", true)
	d := &doc{m: m, kind: KindBallot, loc: vietnam, s: &sheet{pdf: pdf}, copies: b.Copies}
	pdf.SetHeaderFuncMode(d.pageTop, true)
	pdf.SetFooterFunc(d.pageFoot)
	for c := 1; c <= max(b.Copies, 1); c++ {
		// The copy changes between the last page's footer and the new page's header, both
		// drawn inside AddPage: pageTop takes it over.
		d.nextCopy = c
		pdf.AddPage()
		d.header()
		d.ballot()
		d.s.ensure(0)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	return buf.Bytes(), nil
}

// ballotRowH is the least height of a ballot row: room to tick a box without touching the next.
const ballotRowH = 11.0

// ballot is the body of one copy: the table of persons and boxes, then how to mark.
func (d *doc) ballot() {
	s := d.s
	body := make([][]string, len(d.m.Rows))
	for i, r := range d.m.Rows {
		body[i] = []string{strconv.Itoa(r.Order), r.Name, r.Position, "", "", ""}
	}
	t := &table{
		size: sizeTable + 1, hsize: sizeTable,
		aligns: []string{"C", "L", "L", "C", "C", "C"},
		head: []headCell{
			{0, 0, 0, 0, "STT"}, {1, 1, 0, 0, "Họ và tên"}, {2, 2, 0, 0, "Chức vụ"},
			{3, 3, 0, 0, "Tín nhiệm cao"}, {4, 4, 0, 0, "Tín nhiệm"}, {5, 5, 0, 0, "Tín nhiệm thấp"},
		},
		same: [][]int{{3, 4, 5}},
		// Boxes wide enough to mark and to read their heading on two lines at most.
		minText: []string{"", "", "", "Tín nhiệm", "Tín nhiệm", "Tín nhiệm"},
		minRow:  ballotRowH,
	}
	t.widths = fitWidths(s, t, body, 1, 2)
	t.tailH = d.ballotNoteHeight()
	t.draw(s, body)
	d.ballotNote()
}

// ballotNotes is how to mark the ballot and what makes it void (DOMAIN.md).
func (d *doc) ballotNotes() []string {
	notes := []string{
		"Đánh dấu (X) vào một trong ba ô “Tín nhiệm cao”, “Tín nhiệm”, “Tín nhiệm thấp” ở dòng của từng người; mỗi dòng chỉ đánh dấu một ô.",
	}
	if w := d.m.BlankRuleWords; w != "" {
		notes = append(notes, sentence(w))
	}
	notes = append(notes, "Phiếu không phải do Ban kiểm phiếu phát ra, không có dấu của cơ quan tổ chức lấy phiếu, có tên bị gạch hoặc ghi thêm nội dung thì không hợp lệ.")
	return notes
}

func (d *doc) ballotNoteHeight() float64 {
	h := 2 + d.s.height(legendTitle, legendTitleBlock)
	for _, n := range d.ballotNotes() {
		h += d.s.height(n, note)
	}
	return h
}

func (d *doc) ballotNote() {
	s := d.s
	s.ensure(d.ballotNoteHeight())
	s.setY(s.y() + 2)
	s.para(legendTitle, legendTitleBlock)
	for _, n := range d.ballotNotes() {
		s.para(n, note)
	}
}

// ballotFoot numbers the copy at the foot of each of its pages.
func (d *doc) ballotFoot() {
	if d.copies == 0 {
		return
	}
	s := d.s
	s.font("", 10)
	s.pdf.SetXY(marginLeft, pageH-14)
	s.pdf.CellFormat(textWidth, lineHeight(10), fmt.Sprintf("Phiếu số %d/%d", d.copyNo, d.copies), "", 0, "R", false, 0, "")
}
