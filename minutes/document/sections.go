package document

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Paragraph styles of the body, in the manner of both regulations: 14 pt, justified, first
// line indented 1 cm, a little space between paragraphs.
var (
	bodyText = block{align: "J", indent: 10, after: 1.2}
	item     = block{align: "J", indent: 10, after: 0.8}
	subItem  = block{align: "J", indent: 15, hang: 0, after: 0.6}
	heading  = block{style: "B", align: "L", indent: 10, after: 1.2}
	note     = block{style: "I", size: 13, align: "J", indent: 10, after: 0.8}
)

var romans = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}

// sectionHeading prints "II. TITLE". It is held back and set only with the first lines of
// what follows (a paragraph, or a table's header and first rows), so it never ends a page.
func (d *doc) sectionHeading(n int, title string) {
	s := d.s
	text := romans[n] + ". " + upper(title)
	s.hold(1.5+s.height(text, heading), func() {
		if !s.atTop() {
			s.space(1.5)
		}
		s.para(text, heading)
	})
}

// p is a body paragraph, li a "- " list item, sub a "+ " item under it.
func (d *doc) p(text string)   { d.keep(text, bodyText) }
func (d *doc) li(text string)  { d.keep("- "+text, item) }
func (d *doc) sub(text string) { d.s.para("+ "+text, subItem) }

// keep sets a paragraph; one that introduces a list (ends in ":") is kept with the list's
// first line.
func (d *doc) keep(text string, b block) {
	if strings.HasSuffix(text, ":") {
		d.s.ensure(d.s.height(text, b) + lineHeight(sizeBody))
	}
	d.s.para(text, b)
}

func (d *doc) party() bool { return d.m.Track == TrackParty }

// person names someone the way the track does: "đồng chí Lê Văn Minh" in Party documents,
// the bare name in State ones.
func (d *doc) person(name string) string {
	if d.party() {
		return "đồng chí " + name
	}
	return name
}

// personFirst is person at the start of a sentence or list item.
func (d *doc) personFirst(name string) string {
	if d.party() {
		return "Đồng chí " + name
	}
	return name
}

func (d *doc) meeting() string {
	if d.party() {
		return "hội nghị"
	}
	return "kỳ họp"
}

func (d *doc) chairWord() string {
	if d.party() {
		return "Chủ trì"
	}
	return "Chủ tọa"
}

// members is how a list of people is introduced: "gồm các đồng chí:" / "gồm các đại biểu:".
func (d *doc) members() string {
	if d.party() {
		return "đồng chí"
	}
	return "đại biểu"
}

// people is who is summoned and present in this document's track (People).
func (d *doc) people() string { return People(d.m.Track) }

// People is who is summoned and present: "người" at a Party conference, "đại biểu" at a
// session of the National Assembly or a People's Council.
func People(t Track) string {
	if t == TrackState {
		return "đại biểu"
	}
	return "người"
}

// public reports whether the results are published: the model's setting, else the track's
// default.
func (d *doc) public() bool {
	switch d.m.Publication {
	case PublicationPublic:
		return true
	case PublicationInternal:
		return false
	}
	return !d.party()
}

func (d *doc) voters() string {
	if d.party() {
		return "người tham gia lấy phiếu"
	}
	return "đại biểu"
}

// withPosition joins a name and an optional position with a comma.
func withPosition(name, position string) string {
	if position == "" {
		return name
	}
	return name + ", " + position
}

// endList ends list entries with ";" and the last with ".", as Vietnamese administrative text does.
func endList(i, n int) string {
	if i == n-1 {
		return "."
	}
	return ";"
}

// endWith ends a text item with the mark its place calls for (";" inside a list, "." at the
// end), replacing the stop, semicolon, comma or colon the item brought, so the documents never
// print "..", ".;" or ";.". An ellipsis, "?" or "!" is kept, and takes no full stop after it.
func endWith(text, mark string) string {
	t := trimEnd(text)
	if t == "" {
		return ""
	}
	if mark == "." && (strings.HasSuffix(t, "...") || strings.ContainsAny(lastRune(t), "…?!")) {
		return t
	}
	return t + mark
}

// trimEnd drops the punctuation that ends a clause (".", ";", ",", ":") from text that the
// documents run on inside a sentence of their own; an ellipsis stays.
func trimEnd(text string) string {
	t := strings.TrimRightFunc(text, unicode.IsSpace)
	if strings.HasSuffix(t, "...") {
		return t
	}
	return strings.TrimRightFunc(t, func(r rune) bool { return r == '.' || r == ';' || r == ',' || r == ':' || unicode.IsSpace(r) })
}

// lastRune is the final character of s as a string, "" for "".
func lastRune(s string) string {
	r, n := utf8.DecodeLastRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return ""
	}
	return string(r)
}

// nameDots is a line to write a name on by hand; sigDots the shorter one under a signature.
var (
	nameDots = strings.Repeat("…", 12)
	sigDots  = strings.Repeat("…", 8)
)

// absentCount is how many summoned persons were absent.
func (d *doc) absentCount() int {
	return max(d.m.Summoned-d.m.Present, len(d.m.Absent), 0)
}

// absentWords is the number absent as every document prints it: "không" or "2 người".
func (d *doc) absentWords() string {
	if n := d.absentCount(); n > 0 {
		return fmt.Sprintf("%d %s", n, d.people())
	}
	return "không"
}

// attendance lists summoned, present and absent persons and says whether there is a quorum.
func (d *doc) attendance() {
	m := d.m
	who := d.people()
	d.li(fmt.Sprintf("Tổng số %s được triệu tập: %d %s.", who, m.Summoned, who))
	d.li(fmt.Sprintf("Số %s có mặt: %d %s.", who, m.Present, who))
	if len(m.Absent) == 0 || d.absentCount() == 0 {
		d.li(fmt.Sprintf("Số %s vắng mặt: %s.", who, d.absentWords()))
	} else {
		d.li(fmt.Sprintf("Số %s vắng mặt: %s, gồm:", who, d.absentWords()))
		for i, a := range m.Absent {
			reason := "không có lý do"
			if a.Reason != "" {
				reason = "lý do: " + a.Reason
			}
			d.sub(fmt.Sprintf("%s (%s)%s", d.personFirst(a.Name), reason, endList(i, len(m.Absent))))
		}
	}
	d.quorum()
}

// quorum states the 2/3 rule's outcome; below it, the documents must say plainly that the vote
// cannot stand.
func (d *doc) quorum() {
	if d.m.QuorumMet {
		d.li(fmt.Sprintf("Số %s có mặt đạt từ 2/3 trở lên so với tổng số %s được triệu tập; %s đủ điều kiện tiến hành lấy phiếu tín nhiệm.", d.people(), d.people(), d.meeting()))
		return
	}
	d.s.para(fmt.Sprintf("- Số %s có mặt (%d/%d) chưa đạt 2/3 tổng số %s được triệu tập; %s không đủ điều kiện tiến hành lấy phiếu tín nhiệm.", d.people(), d.m.Present, d.m.Summoned, d.people(), d.meeting()), block{style: "B", align: "J", indent: 10, after: 0.8})
}

// invalidBanner is the boxed warning near the top of every document below quorum.
func (d *doc) invalidBanner() {
	if d.m.QuorumMet {
		return
	}
	s := d.s
	text := fmt.Sprintf("KHÔNG ĐỦ ĐIỀU KIỆN LẤY PHIẾU TÍN NHIỆM: số %s có mặt (%d) chưa đạt 2/3 tổng số %s được triệu tập (%d). Việc lấy phiếu tín nhiệm không hợp lệ; kết quả kiểm phiếu (nếu có) không có giá trị.", d.people(), d.m.Present, d.people(), d.m.Summoned)
	b := block{style: "B", size: 13, align: "C", x: marginLeft + 4, w: textWidth - 8}
	h := s.height(text, b)
	s.ensure(h + 6)
	y := s.y()
	s.pdf.SetLineWidth(0.5)
	s.pdf.Rect(marginLeft, y, textWidth, h+4, "D")
	s.pdf.SetLineWidth(0.2)
	s.setY(y + 2)
	s.para(text, b)
	s.setY(y + h + 4 + 3)
}

// ballots gives the ballot counts, why ballots were void, and which rows were void for one
// person only.
func (d *doc) ballots() {
	m := d.m
	d.li(fmt.Sprintf("Số phiếu phát ra: %d phiếu.", m.Issued))
	d.li(fmt.Sprintf("Số phiếu thu vào: %d phiếu.", m.Collected))
	d.li(fmt.Sprintf("Số phiếu hợp lệ: %d phiếu.", m.ValidBallots))
	switch reasons := d.voidReasons(); {
	case m.InvalidBallots == 0:
		d.li("Số phiếu không hợp lệ: không.")
	case len(reasons) == 0:
		// Counted by hand and no reason written: leave room to write it before signing.
		d.li(fmt.Sprintf("Số phiếu không hợp lệ: %d phiếu, lý do: %s", m.InvalidBallots, nameDots))
	case len(reasons) == 1:
		// One reason is said once, on the same line.
		d.li(fmt.Sprintf("Số phiếu không hợp lệ: %d phiếu (%s).", m.InvalidBallots, trimEnd(reasons[0])))
	default:
		d.li(fmt.Sprintf("Số phiếu không hợp lệ: %d phiếu, gồm:", m.InvalidBallots))
		for i, r := range reasons {
			d.sub(endWith(r, endList(i, len(reasons))))
		}
	}
	d.voidRows()
}

// voidReasons are the reasons ballots were void: those the ballots show (marked void by the
// committee; void for a blank or double-marked row under the whole-ballot rule), then those
// the committee wrote. The committee's own words describe the ballots it marked void, so the
// generic sentence for them appears only when it wrote none: each ballot is described once.
func (d *doc) voidReasons() []string {
	m := d.m
	var out []string
	if m.VoidMarked > 0 && len(m.InvalidReasons) == 0 {
		out = append(out, fmt.Sprintf("%d phiếu không hợp lệ cả phiếu do không phải phiếu Ban kiểm phiếu phát ra, có tên bị gạch hoặc có ghi thêm nội dung", m.VoidMarked))
	}
	if m.VoidBadRow > 0 {
		out = append(out, fmt.Sprintf("%d phiếu có dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô, nên cả phiếu không hợp lệ", m.VoidBadRow))
	}
	if rest := m.InvalidBallots - m.VoidMarked - m.VoidBadRow; len(out) > 0 && rest > 0 && len(m.InvalidReasons) == 0 {
		out = append(out, fmt.Sprintf("%d phiếu không hợp lệ vì lý do khác: %s", rest, nameDots))
	}
	return append(out, m.InvalidReasons...)
}

// voidRows lists, under the per-row rule, the persons whose row was blank or double-marked on
// ballots otherwise valid: void for that person only, so not in their valid votes.
func (d *doc) voidRows() {
	var rows []Row
	for _, r := range d.m.Rows {
		if r.BlankRows > 0 || r.SpoiledRows > 0 || r.OtherInvalid > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	byRow := slices.ContainsFunc(rows, func(r Row) bool { return r.BlankRows > 0 || r.SpoiledRows > 0 })
	if byRow {
		d.li("Dòng không hợp lệ đối với từng người (không đánh dấu ô nào hoặc đánh dấu nhiều ô; phiếu vẫn hợp lệ đối với những người khác, số phiếu hợp lệ đối với từng người ghi tại bảng kết quả):")
	} else {
		d.li("Phiếu không hợp lệ đối với từng người (phiếu vẫn hợp lệ đối với những người khác; số phiếu hợp lệ đối với từng người ghi tại bảng kết quả):")
	}
	for i, r := range rows {
		var parts []string
		if r.BlankRows > 0 {
			parts = append(parts, fmt.Sprintf("%d dòng không đánh dấu ô nào", r.BlankRows))
		}
		if r.SpoiledRows > 0 {
			parts = append(parts, fmt.Sprintf("%d dòng đánh dấu nhiều ô hoặc không rõ", r.SpoiledRows))
		}
		if r.OtherInvalid > 0 {
			parts = append(parts, fmt.Sprintf("%d phiếu không hợp lệ đối với người này", r.OtherInvalid))
		}
		d.sub(fmt.Sprintf("%s: %s%s", d.personFirst(r.Name), strings.Join(parts, ", "), endList(i, len(rows))))
	}
}

// settings states the per-round rules used, as DOMAIN.md requires of every minutes.
func (d *doc) settings() {
	if d.m.DenominatorWords != "" {
		d.li("Cách tính tỷ lệ phần trăm: " + sentence(d.m.DenominatorWords))
	}
	if d.m.BlankRuleWords != "" {
		d.li("Phiếu không đánh dấu hoặc đánh dấu nhiều mức đối với một người: " + sentence(d.m.BlankRuleWords))
	}
}

// sentence ends text with one full stop (see endWith).
func sentence(s string) string { return endWith(s, ".") }

// flagText is what a row's note mark stands for: the threshold reached, then what the
// regulation provides ("Tín nhiệm thấp trên 1/2 … : không quy hoạch …").
func flagText(r Row) string {
	switch {
	case r.Flag == "":
		return ""
	case r.Threshold == "":
		return r.Flag
	}
	return trimEnd(r.Threshold) + ": " + lowerFirst(r.Flag)
}

// markers numbers the distinct threshold-and-consequence texts in order of first appearance;
// below quorum no consequence applies, so none is marked.
func (d *doc) markers() ([]string, []string) {
	marks := make([]string, len(d.m.Rows))
	if !d.m.QuorumMet {
		return marks, nil
	}
	var notes []string
	index := map[string]int{}
	for i, r := range d.m.Rows {
		text := flagText(r)
		if text == "" {
			continue
		}
		n, ok := index[text]
		if !ok {
			notes = append(notes, text)
			n = len(notes)
			index[text] = n
		}
		marks[i] = fmt.Sprintf("(%d)", n)
	}
	return marks, notes
}

// results prints the results table and, once, under its last row, the legend of its note
// marks: the table keeps room for the legend on the page of its last row, so the legend is
// never set between two parts of a table that goes on.
func (d *doc) results(intro string, combined bool) {
	s := d.s
	if len(d.m.Rows) == 0 {
		d.p("Không có người nào được lấy phiếu tín nhiệm.")
		return
	}
	marks, notes := d.markers()
	if !d.m.QuorumMet {
		intro += fmt.Sprintf(" (số liệu chỉ để lưu hồ sơ, không có giá trị do không đủ 2/3 số %s được triệu tập có mặt)", d.people())
	}
	t, body := resultTable(s, d.m.Rows, marks, combined)
	if len(notes) > 0 {
		// A legend longer than a third of a page is not kept with the last row: it may start
		// the next page rather than push the end of the table there.
		if h := legendHeight(s, notes); h <= (bottomY-marginTop)/3 {
			t.tailH = h
		}
	}
	s.ensure(s.height(intro, bodyText) + t.leadHeight(s, body))
	d.p(intro)
	t.draw(s, body)
	if len(notes) > 0 {
		s.ensure(legendHeight(s, notes[:1]))
		legend(s, notes)
	}
	s.space(3)
}

// legendTitle heads the explanation of the note marks under the results table.
const legendTitle = "Ghi chú:"

var legendTitleBlock = block{style: "BI", size: 13, align: "L", after: 0.5}

// legendHeight is the height legend takes, with the space above it.
func legendHeight(s *sheet, notes []string) float64 {
	h := 2 + s.height(legendTitle, legendTitleBlock)
	for i, n := range notes {
		h += s.height(legendLine(i, n), note)
	}
	return h
}

func legendLine(i int, n string) string { return fmt.Sprintf("(%d) %s", i+1, sentence(n)) }

// legend explains the note marks at the cursor; the table reserved its height.
func legend(s *sheet, notes []string) {
	s.setY(s.y() + 2)
	s.para(legendTitle, legendTitleBlock)
	for i, n := range notes {
		s.para(legendLine(i, n), note)
	}
}

// sig is one signature block: capitalised titles, room to sign, then the name.
type sig struct {
	titles []string
	name   string
}

// signSpace is the room left for a handwritten signature and seal.
const signSpace = 24.0

func (sg sig) height() float64 {
	return float64(len(sg.titles))*lineHeight(sizeBody) + signSpace + lineHeight(sizeBody)
}

// sigRows groups blocks in the rows signatures lays them out in: one or two side by side,
// three or more in rows of three.
func sigRows(blocks []sig) [][]sig {
	var rows [][]sig
	for len(blocks) > 0 {
		n := min(len(blocks), 3)
		rows = append(rows, blocks[:n])
		blocks = blocks[n:]
	}
	return rows
}

// sigRowHeight is the height signatures takes for one row, with the space around it.
func sigRowHeight(row []sig) float64 {
	h := 0.0
	for _, b := range row {
		h = max(h, b.height())
	}
	return h + 6
}

// signatures lays blocks out in rows: one block sits on the right, two at left and right,
// three or more in rows of three. A row is never split across pages.
func (d *doc) signatures(blocks []sig) {
	s := d.s
	for _, row := range sigRows(blocks) {
		n := len(row)
		h := 0.0
		for _, b := range row {
			h = max(h, b.height())
		}
		s.ensure(h + 4)
		y0 := s.y() + 2
		var centres []float64
		switch n {
		case 1:
			centres = []float64{marginLeft + textWidth*0.72}
		case 2:
			centres = []float64{marginLeft + textWidth*0.25, marginLeft + textWidth*0.72}
		default:
			centres = []float64{marginLeft + textWidth/6, marginLeft + textWidth/2, marginLeft + textWidth*5/6}
		}
		colW := textWidth / float64(max(n, 2))
		for i, b := range row {
			d.signBlock(b, centres[i]-colW/2, colW, y0, h)
		}
		s.setY(y0 + h + 4)
	}
}

// signBlock draws one block in the band [x, x+w] from y; the name sits at the block's foot so
// names of a row line up. A name not known is a dotted line to write it on.
func (d *doc) signBlock(b sig, x, w, y, h float64) {
	s := d.s
	for _, t := range b.titles {
		y = s.centered(upper(t), "B", sizeBody, x, w, y)
	}
	name := b.name
	if name == "" {
		name = sigDots
	}
	s.centered(name, "B", sizeBody, x, w, y+h-float64(len(b.titles))*lineHeight(sizeBody)-lineHeight(sizeBody))
}

// closingGap is the space between the closing paragraph and the signatures.
const closingGap = 3.0

// closeAndSign sets the closing paragraph, an optional caption ("BAN KIỂM PHIẾU") and the
// signature blocks, each group in its own rows. The signatures never start a page alone: the
// closing paragraph moves over with them, all of them when they fit on one page, else with
// their first row.
func (d *doc) closeAndSign(closing, caption string, groups ...[]sig) {
	s := d.s
	var rows [][]sig
	for _, g := range groups {
		rows = append(rows, sigRows(g)...)
	}
	lead := s.height(closing, bodyText) + closingGap
	if caption != "" {
		lead += lineHeight(sizeBody) + 1
	}
	all := lead
	for _, r := range rows {
		all += sigRowHeight(r)
	}
	if all <= bottomY-marginTop || len(rows) == 0 {
		s.ensure(all)
	} else {
		s.ensure(lead + sigRowHeight(rows[0]))
	}
	d.p(closing)
	s.space(closingGap)
	if caption != "" {
		s.para(caption, block{style: "B", align: "C", after: 1})
	}
	for _, g := range groups {
		if len(g) > 0 {
			d.signatures(g)
		}
	}
}

// committeeSigners are the committee's signature blocks: the secretary and the head first (left
// and right), then the other members. Without a committee on record there is a block for each
// role, with a dotted line for the name, so the paper can still be completed and signed.
func (d *doc) committeeSigners() (first, members []sig) {
	var head, secretary []sig
	for _, p := range d.m.Committee {
		role := strings.ToLower(p.Role)
		b := sig{titles: []string{p.Role}, name: p.Name}
		if p.Role == "" {
			b.titles = []string{"Ủy viên"}
		}
		switch {
		case strings.Contains(role, "trưởng ban"):
			head = append(head, b)
		case strings.Contains(role, "thư ký"):
			secretary = append(secretary, b)
		default:
			members = append(members, b)
		}
	}
	if len(d.m.Committee) == 0 {
		// One row: the secretary at the left, the head at the right, a member between them.
		return []sig{{titles: []string{"Thư ký"}}, {titles: []string{"Ủy viên"}}, {titles: []string{"Trưởng ban"}}}, nil
	}
	return append(secretary, head...), members
}

// blankCommittee is the committee's roles in the order the list names them, for a committee
// not on record.
var blankCommittee = []string{"Trưởng ban", "Thư ký", "Ủy viên"}

// committeeList names the committee members with their roles; without a committee on record
// it leaves a dotted line for each role, to fill in by hand.
func (d *doc) committeeList() {
	if len(d.m.Committee) == 0 {
		for i, role := range blankCommittee {
			d.s.para(fmt.Sprintf("%d. %s – %s%s", i+1, nameDots, role, endList(i, len(blankCommittee))), item)
		}
		return
	}
	for i, p := range d.m.Committee {
		text := withPosition(d.personFirst(p.Name), p.Position)
		if p.Role != "" {
			text += " – " + p.Role
		}
		d.s.para(fmt.Sprintf("%d. %s%s", i+1, text, endList(i, len(d.m.Committee))), item)
	}
}

// committeeHead is the name of the committee's head, for "đồng chí … công bố kết quả".
func (d *doc) committeeHead() string {
	for _, p := range d.m.Committee {
		if strings.Contains(strings.ToLower(p.Role), "trưởng ban") {
			return p.Name
		}
	}
	return ""
}

// issues are what the minutes must note as having arisen: ballots not handed to everyone
// present and ballots not returned, which the figures show, then what the committee wrote.
func (d *doc) issues() []string {
	m := d.m
	var out []string
	if m.Present > m.Issued {
		out = append(out, fmt.Sprintf("Số phiếu phát ra (%d phiếu) ít hơn số người có mặt (%d người): %d người có mặt không nhận phiếu", m.Issued, m.Present, m.Present-m.Issued))
	}
	if m.Issued > m.Collected {
		out = append(out, fmt.Sprintf("Số phiếu thu vào (%d phiếu) ít hơn số phiếu phát ra (%d phiếu): %d phiếu đã phát ra không được thu lại", m.Collected, m.Issued, m.Issued-m.Collected))
	}
	return append(out, m.Irregularities...)
}

// irregularities lists the issues, or says there were none.
func (d *doc) irregularities() {
	issues := d.issues()
	if len(issues) == 0 {
		d.li("Không có vấn đề phát sinh.")
		return
	}
	for i, t := range issues {
		d.li(endWith(t, endList(i, len(issues))))
	}
}

// subject is the title run on inside a sentence: "lấy phiếu tín nhiệm đối với …".
func (d *doc) subject() string { return lowerFirst(d.m.Title) }

// where is ", tại Hội trường Tỉnh ủy" or nothing.
func (d *doc) where() string {
	if d.m.Venue == "" {
		return ""
	}
	return ", tại " + d.m.Venue
}

// at is "hồi 14 giờ 30 phút, ngày 15 tháng 12 năm 2028"; without a recorded clock time the
// hour is left blank on the vote date, to be filled in by hand.
func (d *doc) at(t time.Time) string {
	date := d.m.VoteDate
	if !t.IsZero() {
		date = localDate(t, d.loc)
	}
	return "hồi " + clock(t, d.loc) + ", " + longDate(date)
}

// until is the closing time, "cùng ngày" when it falls on the opening day.
func (d *doc) until(start, end time.Time) string {
	if sameDay(start, end, d.loc) || end.IsZero() && start.IsZero() {
		return "hồi " + clock(end, d.loc) + " cùng ngày"
	}
	return d.at(end)
}
