package document

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Column split of the document header: the issuing body on the left, the national or Party
// title on the right, as in the templates of both regulations.
const (
	partyLeftW = 72.0
	stateLeftW = 66.0
)

// header draws the two-column header of the first page and the document's title below it.
func (d *doc) header() {
	d.letterhead()
	d.title()
}

// letterhead draws the two-column header alone (the voters' packet titles its cover itself).
func (d *doc) letterhead() {
	s := d.s
	var bottom float64
	if d.m.Track == TrackState {
		bottom = d.stateHeader()
	} else {
		bottom = d.partyHeader()
	}
	s.setY(bottom + 9)
}

// headingName is the issuing body as the header prints it. A short form ("Tỉnh ủy") only reads
// right under a superior body that names the place; with no superior body the header keeps the
// full name unless the caller's heading is a deliberate layout (a line break) or not shorter.
func (d *doc) headingName() string {
	h := d.m.OrganizationHeading
	switch {
	case h == "":
		return d.m.Organization
	case d.m.ParentOrganization != "":
		return h
	case strings.Contains(h, "\n") || len(h) >= len(d.m.Organization):
		return h
	}
	return d.m.Organization
}

func (d *doc) number() string {
	return d.m.DocNumbers[d.kind]
}

// partyHeader follows Hướng dẫn 36-HD/VPTW: superior body in capitals 14, issuing body in bold
// capitals, an asterisk, "Số 05-BB/TU"; on the right "ĐẢNG CỘNG SẢN VIỆT NAM" bold 15 with a
// rule under it and the place and date in italics 14.
func (d *doc) partyHeader() float64 {
	s := d.s
	x, w := marginLeft, partyLeftW
	y := marginTop
	if d.m.ParentOrganization != "" {
		y = s.centeredLines(s.orgLines(upper(d.m.ParentOrganization), "", 14, w), "", 14, x, w, y)
	}
	y = s.centeredLines(s.orgLines(upper(d.headingName()), "B", 14, w), "B", 14, x, w, y)
	y = s.centered("*", "", 14, x, w, y)
	if d.kind != KindBallot {
		num := d.number()
		if num == "" {
			num = "……"
		}
		y = s.centered("Số "+num, "", 14, x, w, y)
	}
	if d.kind == KindReport && !d.public() {
		y = d.secretMark(x+w/2, y+2)
	}
	left := y

	rx := marginLeft + partyLeftW
	rw := textWidth - partyLeftW
	y = marginTop
	s.font("B", 15)
	title := "ĐẢNG CỘNG SẢN VIỆT NAM"
	tw := s.width(title)
	s.pdf.SetXY(rx, y)
	s.pdf.CellFormat(rw, lineHeight(15), title, "", 0, "C", false, 0, "")
	s.rule(rx+rw/2, ruleBelow(y, 15), tw)
	y += lineHeight(15) + 3
	y = s.centered(dateLine(d.m.Place, d.docDate()), "I", 14, rx, rw, y)
	return math.Max(left, y)
}

// secretMark prints the confidentiality mark of a report whose results are not published:
// by default Party results are for the conference and the managing level only (Quy định
// 96-QĐ/TW).
func (d *doc) secretMark(cx, y float64) float64 {
	s := d.s
	s.font("B", 13)
	const text = "MẬT"
	w := s.width(text) + 6
	h := lineHeight(13) + 1
	s.pdf.SetLineWidth(0.3)
	s.pdf.Rect(cx-w/2, y, w, h, "D")
	s.pdf.SetLineWidth(0.2)
	s.pdf.SetXY(cx-w/2, y+0.5)
	s.pdf.CellFormat(w, lineHeight(13), text, "", 0, "C", false, 0, "")
	return y + h
}

// stateHeader follows Nghị định 30/2020/NĐ-CP: the national title bold 13 and the motto bold 14
// with a rule under it, the place and date in italics; on the left the issuing body in bold
// capitals with a short rule under it, then "Số: 12/BB-HĐND".
func (d *doc) stateHeader() float64 {
	s := d.s
	x, w := marginLeft, stateLeftW
	y := marginTop
	if d.m.ParentOrganization != "" {
		y = s.centeredLines(s.orgLines(upper(d.m.ParentOrganization), "", 13, w), "", 13, x, w, y)
	}
	lines := s.orgLines(upper(d.headingName()), "B", 13, w)
	longest := 0.0
	for _, l := range lines {
		longest = math.Max(longest, s.width(l))
	}
	y = s.centeredLines(lines, "B", 13, x, w, y)
	// The decree's short rule: 1/3 to 1/2 of the name's length, centred under it.
	s.rule(x+w/2, y+0.8, longest*0.4)
	y += 4
	if d.kind != KindBallot {
		num := d.number()
		if num == "" {
			num = "……"
		}
		y = s.centered("Số: "+num, "", 13, x, w, y)
	}
	left := y

	rx := marginLeft + stateLeftW
	rw := textWidth - stateLeftW
	y = marginTop
	// 13 pt when it leaves air between the columns, else 12 (the decree allows 12–13).
	const nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	size := 13.0
	s.font("B", size)
	if s.width(nation) > rw-6 {
		size = 12
	}
	y = s.centered(nation, "B", size, rx, rw, y)
	s.font("B", 14)
	motto := "Độc lập - Tự do - Hạnh phúc"
	mw := s.width(motto)
	s.pdf.SetXY(rx, y)
	s.pdf.CellFormat(rw, lineHeight(14), motto, "", 0, "C", false, 0, "")
	s.rule(rx+rw/2, ruleBelow(y, 14), mw)
	y += lineHeight(14) + 3
	y = s.centered(dateLine(d.m.Place, d.docDate()), "I", 14, rx, rw, y)
	return math.Max(left, y)
}

// docDate is the date printed in the header: the vote for the minutes, the report's own date
// (or the day the tally was sealed) for the report. A report reports a vote held, so it is
// never dated before the vote, even when the tally was sealed early (a test round).
func (d *doc) docDate() time.Time {
	if d.kind != KindReport && d.kind != KindNotice {
		return d.m.VoteDate
	}
	date := d.m.ReportDate
	if date.IsZero() {
		date = localDate(d.m.SealedAt, d.loc)
	}
	if vote := d.m.VoteDate; !vote.IsZero() && dayBefore(date, vote) {
		return vote
	}
	return date
}

// title prints the document's name in bold capitals and the subject line under it.
func (d *doc) title() {
	s := d.s
	var name, subject string
	switch d.kind {
	case KindCounting:
		name, subject = "BIÊN BẢN KIỂM PHIẾU", d.m.Title
	case KindSession:
		name, subject = upper(Title(KindSession, d.m.Track)), d.m.Title
	case KindReport:
		name, subject = "BÁO CÁO", "Kết quả "+lowerFirst(d.m.Title)
	case KindNotice:
		name, subject = "THÔNG BÁO", "Kết quả "+lowerFirst(d.m.Title)
	case KindBallot:
		name, subject = "PHIẾU LẤY PHIẾU TÍN NHIỆM", d.m.Title
	}
	y := s.centered(name, "B", 15, marginLeft, textWidth, s.y())
	y = s.centered(subject, "B", 14, marginLeft+10, textWidth-20, y)
	if d.kind == KindBallot && d.m.SessionName != "" {
		y = s.centered("("+d.m.SessionName+")", "I", 14, marginLeft+10, textWidth-20, y)
	}
	if notice := d.correction(); notice != "" {
		y = s.centered(notice, "I", 13, marginLeft+10, textWidth-20, y+1)
	}
	if d.m.Track == TrackParty {
		y = s.centered("-----", "", 14, marginLeft, textWidth, y)
	} else {
		s.rule(marginLeft+textWidth/2, y+1.5, 30)
		y += 3
	}
	s.setY(y + 5)
}

// correction is the notice under the title of a corrected version, "(Bản đính chính – phiên
// bản số 2, thay thế bản niêm phong lúc 16 giờ 05 phút ngày 15/12/2028; lý do: …)", or ""
// for the first version.
func (d *doc) correction() string {
	m := d.m
	if m.Version < 2 {
		return ""
	}
	replaced := fmt.Sprintf("bản niêm phong trước đó (phiên bản số %d)", m.Version-1)
	if !m.ReplacesSealedAt.IsZero() {
		replaced = fmt.Sprintf("bản niêm phong lúc %s ngày %s", clock(m.ReplacesSealedAt, d.loc), shortDate(localDate(m.ReplacesSealedAt, d.loc)))
	}
	reason := trimEnd(m.CorrectionReason)
	if reason == "" {
		reason = nameDots
	}
	return fmt.Sprintf("(Bản đính chính – phiên bản số %d, thay thế %s; lý do: %s)", m.Version, replaced, reason)
}

// pageTop numbers pages from the second one, at the top centre (both regulations); each
// copy of a ballot is numbered from its own first page.
func (d *doc) pageTop() {
	if d.nextCopy != d.copyNo {
		d.copyNo, d.firstPage = d.nextCopy, d.s.pdf.PageNo()
	}
	n := d.s.pdf.PageNo() - d.firstPage + 1
	if n < 2 {
		return
	}
	d.s.font("", 13)
	d.s.pdf.SetXY(marginLeft, 9)
	d.s.pdf.CellFormat(textWidth, lineHeight(13), fmt.Sprint(n), "", 0, "C", false, 0, "")
}

// pageFoot prints the tally's sha256 on every page so a single printed sheet can be matched to
// the record it was made from.
func (d *doc) pageFoot() {
	s := d.s
	if d.kind == KindBallot {
		d.ballotFoot()
		return
	}
	s.font("", 8)
	s.pdf.SetTextColor(70, 70, 70)
	s.pdf.SetXY(marginLeft, pageH-13)
	s.pdf.CellFormat(textWidth, lineHeight(8), "SHA-256 của bản ghi kiểm phiếu đính kèm ("+AttachmentName+"): "+d.hash, "", 0, "C", false, 0, "")
	s.pdf.SetTextColor(0, 0, 0)
}
