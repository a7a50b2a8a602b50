package document

import (
	"fmt"
	"math"
	"strings"
	"time"
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

// sectionHeading prints "II. TITLE" and keeps it with three lines of what follows.
func (d *doc) sectionHeading(n int, title string) {
	text := romans[n] + ". " + upper(title)
	d.s.ensure(1.5 + d.s.height(text, heading) + 3*lineHeight(sizeBody))
	d.s.space(1.5)
	d.s.para(text, heading)
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

// attendance lists summoned, present and absent persons and says whether there is a quorum.
func (d *doc) attendance() {
	m := d.m
	d.li(fmt.Sprintf("Tổng số người được triệu tập: %d người.", m.Summoned))
	d.li(fmt.Sprintf("Số người có mặt: %d người.", m.Present))
	absent := m.Summoned - m.Present
	if len(m.Absent) > absent {
		absent = len(m.Absent)
	}
	if absent <= 0 {
		d.li("Số người vắng mặt: không.")
	} else if len(m.Absent) == 0 {
		d.li(fmt.Sprintf("Số người vắng mặt: %d người.", absent))
	} else {
		d.li(fmt.Sprintf("Số người vắng mặt: %d người, gồm:", absent))
		for i, a := range m.Absent {
			reason := "vắng mặt không có lý do"
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
		d.li(fmt.Sprintf("Số người có mặt đạt từ 2/3 trở lên so với tổng số người được triệu tập; %s đủ điều kiện tiến hành lấy phiếu tín nhiệm.", d.meeting()))
		return
	}
	d.s.para(fmt.Sprintf("- Số người có mặt (%d/%d) chưa đạt 2/3 tổng số người được triệu tập; %s không đủ điều kiện tiến hành lấy phiếu tín nhiệm.", d.m.Present, d.m.Summoned, d.meeting()), block{style: "B", align: "J", indent: 10, after: 0.8})
}

// invalidBanner is the boxed warning near the top of every document below quorum.
func (d *doc) invalidBanner() {
	if d.m.QuorumMet {
		return
	}
	s := d.s
	text := fmt.Sprintf("KHÔNG ĐỦ ĐIỀU KIỆN LẤY PHIẾU TÍN NHIỆM: số người có mặt (%d) chưa đạt 2/3 tổng số người được triệu tập (%d). Việc lấy phiếu tín nhiệm không hợp lệ; kết quả kiểm phiếu (nếu có) không có giá trị.", d.m.Present, d.m.Summoned)
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

// ballots gives the ballot counts and the reasons ballots were void.
func (d *doc) ballots() {
	m := d.m
	d.li(fmt.Sprintf("Số phiếu phát ra: %d phiếu.", m.Issued))
	d.li(fmt.Sprintf("Số phiếu thu vào: %d phiếu.", m.Collected))
	d.li(fmt.Sprintf("Số phiếu hợp lệ: %d phiếu.", m.ValidBallots))
	if m.InvalidBallots == 0 {
		d.li("Số phiếu không hợp lệ: không.")
		return
	}
	if len(m.InvalidReasons) == 0 {
		d.li(fmt.Sprintf("Số phiếu không hợp lệ: %d phiếu.", m.InvalidBallots))
		return
	}
	d.li(fmt.Sprintf("Số phiếu không hợp lệ: %d phiếu, lý do:", m.InvalidBallots))
	for i, r := range m.InvalidReasons {
		d.sub(r + endList(i, len(m.InvalidReasons)))
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

// sentence ends text with a full stop unless it already ends in punctuation.
func sentence(s string) string {
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".;:!?") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

// markers numbers the distinct consequence texts in order of first appearance; below quorum
// no consequence applies, so none is marked.
func (d *doc) markers() ([]string, []string) {
	marks := make([]string, len(d.m.Rows))
	if !d.m.QuorumMet {
		return marks, nil
	}
	var notes []string
	index := map[string]int{}
	for i, r := range d.m.Rows {
		if r.Flag == "" {
			continue
		}
		n, ok := index[r.Flag]
		if !ok {
			notes = append(notes, r.Flag)
			n = len(notes)
			index[r.Flag] = n
		}
		marks[i] = fmt.Sprintf("(%d)", n)
	}
	return marks, notes
}

// results prints the results table with its note marks explained under it.
func (d *doc) results(intro string) {
	s := d.s
	if len(d.m.Rows) == 0 {
		d.p("Không có người nào được lấy phiếu tín nhiệm.")
		return
	}
	marks, notes := d.markers()
	if !d.m.QuorumMet {
		intro += " (số liệu chỉ để lưu hồ sơ, không có giá trị do không đủ 2/3 số người được triệu tập có mặt)"
	}
	t, body := resultTable(s, d.m.Rows, marks)
	s.ensure(s.height(intro, bodyText) + t.leadHeight(s, body))
	d.p(intro)
	t.draw(s, body)
	s.space(2)
	if len(notes) > 0 {
		s.ensure(2 * lineHeight(13))
		s.para("Ghi chú:", block{style: "BI", size: 13, align: "L", after: 0.5})
		for i, n := range notes {
			s.para(fmt.Sprintf("(%d) %s", i+1, sentence(n)), note)
		}
	}
	s.space(1)
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

// signatures lays blocks out in rows: one block sits on the right, two at left and right,
// three or more in rows of three. A row is never split across pages.
func (d *doc) signatures(blocks []sig) {
	s := d.s
	for len(blocks) > 0 {
		n := min(len(blocks), 3)
		row := blocks[:n]
		blocks = blocks[n:]
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

// rowsHeight is the height signatures will take for these blocks, rows of three.
func rowsHeight(blocks []sig) float64 {
	total := 0.0
	for i := 0; i < len(blocks); i += 3 {
		h := 0.0
		for _, b := range blocks[i:min(i+3, len(blocks))] {
			h = max(h, b.height())
		}
		total += h + 6
	}
	return total
}

// signBlock draws one block in the band [x, x+w] from y; the name sits at the block's foot so
// names of a row line up.
func (d *doc) signBlock(b sig, x, w, y, h float64) {
	s := d.s
	for _, t := range b.titles {
		y = s.centered(upper(t), "B", sizeBody, x, w, y)
	}
	if b.name != "" {
		s.centered(b.name, "B", sizeBody, x, w, y+h-float64(len(b.titles))*lineHeight(sizeBody)-lineHeight(sizeBody))
	}
}

// committeeSignatures puts the secretary left and the head right, then the other members.
func (d *doc) committeeSignatures() {
	var head, secretary, members []sig
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
	first := append(secretary, head...)
	if len(first) == 0 && len(members) == 0 {
		first = []sig{{titles: []string{"Trưởng ban kiểm phiếu"}}}
	}
	// The whole committee signs on one page when it fits on one.
	total := lineHeight(sizeBody) + 1 + rowsHeight(first) + rowsHeight(members)
	d.s.ensure(math.Min(total, bottomY-marginTop))
	d.s.para("BAN KIỂM PHIẾU", block{style: "B", align: "C", after: 1})
	if len(first) > 0 {
		d.signatures(first)
	}
	if len(members) > 0 {
		d.signatures(members)
	}
}

// committeeList names the committee members with their roles.
func (d *doc) committeeList() {
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

// irregularities lists what the committee noted, or says there was nothing.
func (d *doc) irregularities() {
	if len(d.m.Irregularities) == 0 {
		d.li("Không có vấn đề phát sinh.")
		return
	}
	for i, t := range d.m.Irregularities {
		d.li(t + endList(i, len(d.m.Irregularities)))
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
