package document

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PacketModel is the voters' packet (hồ sơ gửi người tham gia lấy phiếu): a cover, a table of
// contents with page numbers, and per person a summary page followed by the pages of their
// documents, merged page for page, never typeset again.
type PacketModel struct {
	Track               Track
	ParentOrganization  string
	Organization        string
	OrganizationHeading string
	Place               string
	Title               string
	SessionName         string
	VoteDate            time.Time
	// CreatedAt dates the cover and the generated pages' PDF metadata.
	CreatedAt time.Time
	// Kinds are the kinds the round sends, in the order each person's documents follow.
	Kinds   []PacketKind
	Persons []PacketPerson
}

// PacketKind is one kind the packet carries. Optional kinds (explanations) are owed only
// where a request was made: their absence is "không có", not a missing document.
type PacketKind struct {
	Kind     string
	Label    string // "Báo cáo tự đánh giá"
	Optional bool
}

// PacketPerson is one person on the ballot with their documents.
type PacketPerson struct {
	Name, Position string
	Appointed      time.Time // zero: not known
	Docs           []PacketDoc
}

// PacketDoc is the current accepted version of one document: the PDF as stored (a Word file
// through its PDF rendering).
type PacketDoc struct {
	Kind string
	File string // the file name, for the contents and the report
	PDF  []byte
}

// PacketEntry says what became of one document, or of a kind a person lacks: merged from
// Page (1-based, in the packet) over Pages pages, or not merged and why.
type PacketEntry struct {
	Person  int // index in PacketModel.Persons
	Kind    string
	File    string
	Page    int
	Pages   int
	Missing bool   // the person has no document of this kind
	Problem string // why the document could not be merged ("" when merged)
}

// Bounds of one document of the packet: they are accepted papers, a few pages each, so a
// document beyond them is refused with its reason rather than left to exhaust the merge.
const (
	MaxPacketDocBytes = 50 << 20
	MaxPacketDocPages = 500
	MaxPacketPages    = 20000
)

// ErrPacket is wrapped by every error of RenderPacket that is not about one document.
var ErrPacket = errors.New("không lập được hồ sơ gửi người tham gia lấy phiếu")

// PDFTool is what the packet needs of a PDF library to work on whole files others made: count
// their pages, merge files page for page, stamp page numbers on every page. The domain renders
// its own pages (gofpdf) and never parses a foreign PDF itself; internal/pdfmerge provides the
// tool (pdfcpu), in a process with limits of its own.
type PDFTool interface {
	// Pages counts the pages of a PDF; ErrPDFEncrypted when a password stands in the way.
	Pages(pdf []byte) (int, error)
	// Merge joins the files in order.
	Merge(parts [][]byte) ([]byte, error)
	// StampPageNumbers prints "Trang p/P" at the foot of every page.
	StampPageNumbers(pdf []byte) ([]byte, error)
}

// ErrPDFEncrypted is what a PDFTool answers for a file it cannot open without a password.
var ErrPDFEncrypted = errors.New("pdf: encrypted")

// inspectTimeout bounds the reading of one document. A file that takes longer is refused
// for the packet. The reading goroutine cannot be stopped and runs on until the library
// returns: a packet built from untrusted files belongs in a child process with CPU and memory
// limits, as text extraction is.
const inspectTimeout = 10 * time.Second

// inspect reads one document within inspectTimeout (see inspectNow).
func inspect(tool PDFTool, data []byte) (int, string) {
	type result struct {
		pages   int
		problem string
	}
	done := make(chan result, 1)
	go func() {
		p, why := inspectNow(tool, data)
		done <- result{p, why}
	}()
	timer := time.NewTimer(inspectTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.pages, r.problem
	case <-timer.C:
		return 0, "đọc tệp quá thời gian cho phép"
	}
}

// inspectNow reads one document with the tool and returns its page count, or why it cannot
// be merged. A panic inside the library is a refusal of that document, not of the packet.
func inspectNow(tool PDFTool, data []byte) (pages int, problem string) {
	defer func() {
		if r := recover(); r != nil {
			pages, problem = 0, "tệp PDF hỏng (không đọc được cấu trúc)"
		}
	}()
	switch {
	case len(data) == 0:
		return 0, "tệp trống"
	case len(data) > MaxPacketDocBytes:
		return 0, fmt.Sprintf("tệp quá lớn (trên %d MB)", MaxPacketDocBytes>>20)
	case !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\n\r "), []byte("%PDF-")):
		return 0, "không phải tệp PDF"
	}
	n, err := tool.Pages(data)
	switch {
	case errors.Is(err, ErrPDFEncrypted):
		return 0, "tệp có mật khẩu"
	case err != nil:
		return 0, "tệp PDF hỏng (không đọc được cấu trúc)"
	case n <= 0:
		return 0, "tệp không có trang nào"
	case n > MaxPacketDocPages:
		return 0, fmt.Sprintf("tệp có %d trang, quá %d trang", n, MaxPacketDocPages)
	}
	return n, ""
}

// RenderPacket assembles the packet. A document that cannot be read is marked on the contents
// and in the returned entries, never fatal; an error is returned only when the packet itself
// cannot be made (an invalid model, a failure of the merge).
func RenderPacket(p PacketModel, tool PDFTool) (out []byte, entries []PacketEntry, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, entries, err = nil, nil, fmt.Errorf("document: render packet: %w: %w: %v", ErrPacket, ErrRender, r)
		}
	}()
	out, entries, err = renderPacket(p, tool)
	if err != nil {
		return nil, nil, fmt.Errorf("document: render packet: %w", err)
	}
	return out, entries, nil
}

// packetPart is one PDF of the merge and where it starts.
type packetPart struct {
	pdf   []byte
	pages int
}

func renderPacket(p PacketModel, tool PDFTool) ([]byte, []PacketEntry, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidModel, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Track != TrackParty && p.Track != TrackState:
		return nil, nil, bad("quy trình %q không có (chỉ có %q hoặc %q)", p.Track, TrackParty, TrackState)
	case len(p.Persons) == 0:
		return nil, nil, bad("hồ sơ không có người nào được lấy phiếu tín nhiệm")
	case p.CreatedAt.IsZero():
		return nil, nil, bad("thiếu thời điểm lập hồ sơ")
	}
	label := map[string]PacketKind{}
	for _, k := range p.Kinds {
		label[k.Kind] = k
	}
	// Each person's documents in the order of the round's kinds; documents of other kinds
	// are not the packet's.
	var entries []PacketEntry
	docs := make([][]packetPart, len(p.Persons))
	for i, person := range p.Persons {
		for _, k := range p.Kinds {
			found := false
			for _, doc := range person.Docs {
				if doc.Kind != k.Kind {
					continue
				}
				found = true
				pages, problem := inspect(tool, doc.PDF)
				entries = append(entries, PacketEntry{Person: i, Kind: k.Kind, File: doc.File, Pages: pages, Problem: problem})
				if problem == "" {
					docs[i] = append(docs[i], packetPart{pdf: doc.PDF, pages: pages})
				}
			}
			if !found {
				entries = append(entries, PacketEntry{Person: i, Kind: k.Kind, Missing: true})
			}
		}
	}
	total := 0
	for _, ds := range docs {
		for _, d := range ds {
			total += d.pages
		}
	}
	if total+2*len(p.Persons) > MaxPacketPages {
		return nil, nil, fmt.Errorf("%w: %d trang, quá %d trang", ErrPacket, total, MaxPacketPages)
	}

	// The contents' length does not depend on the page numbers it prints (they sit in a
	// column of their own), so one layout with placeholders gives the front matter's length.
	front, err := renderPacketFront(p, entries, label, nil)
	if err != nil {
		return nil, nil, err
	}
	frontPages, err := countPages(tool, front)
	if err != nil {
		return nil, nil, err
	}
	summaries := make([][]byte, len(p.Persons))
	summaryPages := make([]int, len(p.Persons))
	for i := range p.Persons {
		if summaries[i], err = renderPacketSummary(p, i, entries, label); err != nil {
			return nil, nil, err
		}
		if summaryPages[i], err = countPages(tool, summaries[i]); err != nil {
			return nil, nil, err
		}
	}
	// Page numbers: the summary of each person, then their documents.
	personPage := make([]int, len(p.Persons))
	page := frontPages + 1
	for i := range p.Persons {
		personPage[i] = page
		page += summaryPages[i]
		for j := range entries {
			e := &entries[j]
			if e.Person == i && !e.Missing && e.Problem == "" {
				e.Page = page
				page += e.Pages
			}
		}
	}
	front, err = renderPacketFront(p, entries, label, personPage)
	if err != nil {
		return nil, nil, err
	}
	if n, err := countPages(tool, front); err != nil || n != frontPages {
		return nil, nil, fmt.Errorf("%w: mục lục đổi số trang (%d thành %d)", ErrPacket, frontPages, n)
	}
	// The summaries print where each document starts: render them again with the numbers.
	for i := range p.Persons {
		if summaries[i], err = renderPacketSummary(p, i, entries, label); err != nil {
			return nil, nil, err
		}
	}

	parts := [][]byte{front}
	for i := range p.Persons {
		parts = append(parts, summaries[i])
		for _, d := range docs[i] {
			parts = append(parts, d.pdf)
		}
	}
	merged, err := tool.Merge(parts)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: ghép tệp: %w", ErrPacket, err)
	}
	// Every page carries its packet page number, so the contents lead to it.
	stamped, err := tool.StampPageNumbers(merged)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: số trang: %w", ErrPacket, err)
	}
	return stamped, entries, nil
}

func countPages(tool PDFTool, pdf []byte) (int, error) {
	n, err := tool.Pages(pdf)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrRender, err)
	}
	return n, nil
}

// packetDoc starts a generated part of the packet: the shared fonts, header and cleaning.
func packetDoc(p PacketModel) (*doc, error) {
	m := Model{
		Track: p.Track, ParentOrganization: p.ParentOrganization, Organization: p.Organization,
		OrganizationHeading: p.OrganizationHeading, Place: p.Place, Title: p.Title, SessionName: p.SessionName,
		VoteDate: p.VoteDate, SealedAt: p.CreatedAt, TallyJSON: []byte("{}"),
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
	if m.Organization == "" || m.Title == "" {
		return nil, fmt.Errorf("%w: thiếu tên cơ quan hoặc tiêu đề", ErrInvalidModel)
	}
	pdf := newPDF(fonts)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(p.CreatedAt.UTC())
	pdf.SetModificationDate(p.CreatedAt.UTC())
	pdf.SetAuthor(m.Organization, true)
	pdf.SetCreator("tinnhiem", true)
	pdf.SetProducer("tinnhiem", true)
	// Headed like a ballot: no document number, no tally footer.
	d := &doc{m: m, kind: KindBallot, loc: vietnam, s: &sheet{pdf: pdf}, firstPage: 1}
	return d, nil
}

func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.s.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	return buf.Bytes(), nil
}

// packetName is what the packet is called on the track: the dossiers sent to the conference,
// or the reports sent to the delegates.
func packetName(t Track) string {
	if t == TrackState {
		return "BÁO CÁO GỬI ĐẠI BIỂU"
	}
	return "HỒ SƠ GỬI NGƯỜI THAM GIA LẤY PHIẾU"
}

// clip cuts a text the caller gave to what a contents line can show.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// renderPacketFront is the cover and the contents; pages nil prints placeholders.
func renderPacketFront(p PacketModel, entries []PacketEntry, label map[string]PacketKind, pages []int) ([]byte, error) {
	d, err := packetDoc(p)
	if err != nil {
		return nil, err
	}
	s := d.s
	pdf := s.pdf
	pdf.SetTitle(capitalise(strings.ToLower(packetName(p.Track)))+" – "+d.m.Title, true)
	pdf.AddPage()
	d.header()
	s.setY(s.y() + 4)
	s.centered(packetName(p.Track), "B", 16, marginLeft, textWidth, s.y())
	s.setY(s.y() + lineHeight(16))
	s.centered(d.m.Title, "B", 14, marginLeft+10, textWidth-20, s.y())
	s.setY(s.y() + 2*lineHeight(14))
	if d.m.SessionName != "" {
		s.centered("("+d.m.SessionName+")", "I", 14, marginLeft+10, textWidth-20, s.y())
		s.setY(s.y() + lineHeight(14) + 4)
	}
	d.p(fmt.Sprintf("Hồ sơ gồm tài liệu của %d người được lấy phiếu tín nhiệm, xếp theo thứ tự trong danh sách; mỗi người có một trang tóm tắt, sau đó là các tài liệu:", len(p.Persons)))
	for i, k := range p.Kinds {
		d.sub(k.Label + endList(i, len(p.Kinds)))
	}
	d.p("Tài liệu được ghép nguyên bản từ tệp đã tiếp nhận, không đánh máy lại. Số trang của hồ sơ in ở góc dưới bên phải mỗi trang.")
	d.p(fmt.Sprintf("Hồ sơ lập lúc %s.", clock(p.CreatedAt, d.loc)+", "+longDate(localDate(p.CreatedAt, d.loc))))

	pdf.AddPage()
	s.centered("MỤC LỤC", "B", 15, marginLeft, textWidth, s.y())
	s.setY(s.y() + lineHeight(15) + 3)
	num := func(n int) string {
		if pages == nil || n == 0 {
			return "000"
		}
		return fmt.Sprint(n)
	}
	for i, person := range p.Persons {
		page := 0
		if pages != nil {
			page = pages[i]
		}
		d.tocLine(fmt.Sprintf("%d. %s", i+1, withPosition(person.Name, person.Position)), num(page), "B", 0)
		for _, e := range entries {
			if e.Person != i {
				continue
			}
			k := label[e.Kind]
			switch {
			case e.Missing && k.Optional:
				d.tocLine(k.Label+": không có", "", "I", 8)
			case e.Missing:
				d.tocLine(k.Label+": CHƯA CÓ TÀI LIỆU", "", "B", 8)
			case e.Problem != "":
				d.tocLine(fmt.Sprintf("%s (%s): KHÔNG GHÉP ĐƯỢC – %s", k.Label, clip(e.File, 60), e.Problem), "", "B", 8)
			default:
				d.tocLine(fmt.Sprintf("%s (%d trang)", k.Label, e.Pages), num(e.Page), "", 8)
			}
		}
	}
	return d.output()
}

// tocLine is one line of the contents: the text at the left, wrapped, and the page number at
// the right of its last line.
func (d *doc) tocLine(text, page, style string, indent float64) {
	s := d.s
	const numW = 18.0
	b := block{style: style, size: 13, align: "L", x: marginLeft + indent, w: textWidth - indent - numW, after: 0.6}
	h := s.height(text, b)
	s.ensure(h)
	y := s.y()
	s.para(text, b)
	if page != "" {
		s.font(style, 13)
		s.pdf.SetXY(marginLeft+textWidth-numW, s.y()-b.after-lineHeight(13))
		s.pdf.CellFormat(numW, lineHeight(13), page, "", 0, "R", false, 0, "")
		s.setY(max(s.y(), y+lineHeight(13)) + b.after)
	}
}

// renderPacketSummary is a person's summary page: who, since when, and what follows.
func renderPacketSummary(p PacketModel, i int, entries []PacketEntry, label map[string]PacketKind) ([]byte, error) {
	d, err := packetDoc(p)
	if err != nil {
		return nil, err
	}
	s := d.s
	person := p.Persons[i]
	cleaned, err := clean(Model{Organization: person.Name, Title: person.Position}, coveragesOf())
	if err != nil {
		return nil, err
	}
	name, position := cleaned.Organization, cleaned.Title
	if name == "" {
		return nil, fmt.Errorf("%w: người thứ %d chưa có họ tên", ErrInvalidModel, i+1)
	}
	s.pdf.SetTitle(name, true)
	s.pdf.AddPage()
	s.centered(fmt.Sprintf("NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM THỨ %d/%d", i+1, len(p.Persons)), "B", 13, marginLeft, textWidth, s.y())
	s.setY(s.y() + lineHeight(13) + 8)
	s.centered(upper(name), "B", 18, marginLeft, textWidth, s.y())
	s.setY(s.y() + lineHeight(18) + 4)
	if position == "" {
		position = "……"
	}
	d.li("Chức vụ: " + sentence(position))
	appointed := "……"
	if !person.Appointed.IsZero() {
		appointed = shortDate(person.Appointed)
	}
	d.li("Ngày được bầu, phê chuẩn hoặc bổ nhiệm vào chức vụ: " + appointed + ".")
	s.setY(s.y() + 4)
	d.p("Tài liệu kèm theo:")
	for _, e := range entries {
		if e.Person != i {
			continue
		}
		k := label[e.Kind]
		switch {
		case e.Missing && k.Optional:
			d.sub(k.Label + ": không có.")
		case e.Missing:
			d.sub(k.Label + ": chưa có tài liệu.")
		case e.Problem != "":
			d.sub(fmt.Sprintf("%s: tệp %s không ghép được (%s); xin xem bản lưu tại Ban Tổ chức.", k.Label, clip(e.File, 60), e.Problem))
		case e.Page > 0:
			d.sub(fmt.Sprintf("%s: %d trang, từ trang %d.", k.Label, e.Pages, e.Page))
		default:
			d.sub(fmt.Sprintf("%s: %d trang.", k.Label, e.Pages))
		}
	}
	return d.output()
}

// coveragesOf reads the glyph coverage of the four faces, for cleaning text.
func coveragesOf() []*coverage {
	fonts := fontFaces()
	out := make([]*coverage, 0, len(fonts))
	for _, f := range fonts {
		if c, err := parseCoverage(f); err == nil {
			out = append(out, c)
		}
	}
	return out
}
