package document

import (
	"fmt"
	"math"
)

// report is the body of the Báo cáo kết quả to the level that manages the persons: the
// regulation applied, how the vote went, the results table, the persons past a threshold with
// the consequence, who may see the results, "Nơi nhận" and the signer.
func (d *doc) report() {
	m := d.m
	d.invalidBanner()
	var basis string
	if d.party() {
		basis = "Thực hiện Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị về lấy phiếu tín nhiệm đối với chức vụ lãnh đạo, quản lý trong hệ thống chính trị"
	} else {
		basis = "Thực hiện Nghị quyết số 96/2023/QH15 ngày 23/6/2023 của Quốc hội về lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm đối với người giữ chức vụ do Quốc hội, Hội đồng nhân dân bầu hoặc phê chuẩn"
	}
	for _, b := range m.Basis {
		basis += "; " + trimEnd(b)
	}
	at := ""
	if m.SessionName != "" {
		at = ", tại " + m.SessionName
	}
	d.p(fmt.Sprintf("%s, ngày %s%s, %s đã tổ chức %s. %s báo cáo kết quả như sau:", basis, shortDate(m.VoteDate), at, m.Organization, d.subject(), m.Organization))

	d.sectionHeading(0, "Tình hình tổ chức lấy phiếu")
	who := d.people()
	d.li(fmt.Sprintf("Tổng số %s được triệu tập: %d %s; có mặt: %d %s; vắng mặt: %s.", who, m.Summoned, who, m.Present, who, d.absentWords()))
	d.quorum()
	d.li(fmt.Sprintf("Số phiếu phát ra: %d phiếu; số phiếu thu vào: %d phiếu; số phiếu hợp lệ: %d phiếu; số phiếu không hợp lệ: %d phiếu.", m.Issued, m.Collected, m.ValidBallots, m.InvalidBallots))
	d.li(fmt.Sprintf("Số người được lấy phiếu tín nhiệm: %d người.", len(m.Rows)))
	if len(m.Excluded) > 0 {
		d.li(fmt.Sprintf("Không lấy phiếu tín nhiệm đối với %d người:", len(m.Excluded)))
		for i, e := range m.Excluded {
			text := withPosition(d.personFirst(e.Name), e.Position)
			if e.Reason != "" {
				text += " (lý do: " + e.Reason + ")"
			}
			d.sub(text + endList(i, len(m.Excluded)))
		}
	}
	d.requests()
	d.settings()

	d.sectionHeading(1, "Kết quả lấy phiếu tín nhiệm")
	d.results("Kết quả lấy phiếu tín nhiệm đối với từng người như sau:", m.CombinedShare)

	d.sectionHeading(2, "Các trường hợp có nhiều phiếu tín nhiệm thấp")
	d.flagged()

	d.s.space(1)
	var closing string
	switch {
	case !d.public():
		closing = fmt.Sprintf("Kết quả lấy phiếu tín nhiệm được thông báo tại %s và báo cáo cấp có thẩm quyền quản lý cán bộ; không công bố công khai.", d.meeting())
	case d.party():
		closing = fmt.Sprintf("Kết quả lấy phiếu tín nhiệm được thông báo tại %s, báo cáo cấp có thẩm quyền quản lý cán bộ và được công bố công khai theo quyết định của %s.", d.meeting(), m.Organization)
	default:
		closing = "Kết quả lấy phiếu tín nhiệm được công bố công khai tại kỳ họp và được xác nhận bằng nghị quyết theo quy định."
	}
	// The signer never starts a page alone: the last paragraph moves over with it.
	d.s.ensure(math.Min(d.s.height(closing, bodyText)+closingGap+d.closingBlockHeight(), bottomY-marginTop))
	d.p(closing)
	d.s.space(closingGap)
	d.closingBlock()
}

// flagged lists every person past a threshold with the consequence the model carries.
func (d *doc) flagged() {
	m := d.m
	if !m.QuorumMet {
		d.li("Việc lấy phiếu tín nhiệm không đủ điều kiện tiến hành nên không xem xét hệ quả đối với người được lấy phiếu; đề nghị tổ chức lại việc lấy phiếu tín nhiệm theo quy định.")
		return
	}
	var found bool
	for _, r := range m.Rows {
		if r.Flag == "" {
			continue
		}
		found = true
		reached := ""
		if r.Threshold != "" {
			reached = ", " + lowerFirst(trimEnd(r.Threshold))
		}
		d.li(fmt.Sprintf("%s: %d phiếu tín nhiệm thấp (%s)%s. %s", withPosition(d.personFirst(r.Name), r.Position), r.Thap, r.ThapPct, reached, sentence(capitalise(r.Flag))))
	}
	if !found {
		d.li("Không có trường hợp nào có số phiếu tín nhiệm thấp vượt ngưỡng phải xem xét theo quy định.")
	}
}

// closingBlockHeight is the height closingBlock takes.
func (d *doc) closingBlockHeight() float64 {
	_, _, h := d.closingLayout()
	return h
}

// closingLayout gives the recipients, the signer and the height of the closing block.
func (d *doc) closingLayout() ([]string, sig, float64) {
	s := d.s
	m := d.m
	recipients := m.Recipients
	if len(recipients) == 0 {
		recipients = d.defaultRecipients()
	}
	signer := sig{name: m.Signer.Name}
	if m.Signer.On != "" {
		signer.titles = append(signer.titles, m.Signer.On)
	}
	if m.Signer.Title != "" {
		signer.titles = append(signer.titles, m.Signer.Title)
	}
	if len(signer.titles) == 0 {
		on := "T/M "
		if !d.party() {
			on = "TM. "
		}
		signer.titles = []string{on + d.m.Organization}
	}
	s.font("", d.listSize())
	listH := lineHeight(13)
	for _, r := range recipients {
		listH += float64(len(s.wrap("- "+r, closingLeftW))) * lineHeight(d.listSize())
	}
	s.font("B", sizeBody)
	sigH := signSpace + lineHeight(sizeBody)
	for _, t := range signer.titles {
		sigH += float64(len(s.orgLines(upper(t), "B", sizeBody, textWidth-closingLeftW))) * lineHeight(sizeBody)
	}
	return recipients, signer, math.Max(listH, sigH) + 2
}

// closingLeftW is the width of the "Nơi nhận" column.
const closingLeftW = textWidth * 0.45

// listSize is the type size of the "Nơi nhận" list.
func (d *doc) listSize() float64 {
	if d.party() {
		return 12
	}
	return 11
}

// closingBlock puts "Nơi nhận" at the left and the signer at the right on the same level.
func (d *doc) closingBlock() {
	s := d.s
	recipients, signer, h := d.closingLayout()
	leftW, listSize, sigW := closingLeftW, d.listSize(), textWidth-closingLeftW
	s.ensure(h)
	y0 := s.y()

	// Party style underlines "Nơi nhận:"; the State style sets it bold italic.
	if d.party() {
		s.font("U", 14)
		s.pdf.SetXY(marginLeft, y0)
		s.pdf.CellFormat(leftW, lineHeight(14), "Nơi nhận:", "", 0, "L", false, 0, "")
	} else {
		s.font("BI", 12)
		s.pdf.SetXY(marginLeft, y0)
		s.pdf.CellFormat(leftW, lineHeight(13), "Nơi nhận:", "", 0, "L", false, 0, "")
	}
	s.setY(y0 + lineHeight(13))
	for i, r := range recipients {
		s.para("- "+r+endComma(i, len(recipients)), block{size: listSize, align: "L", x: marginLeft, w: leftW})
	}
	leftEnd := s.y()

	y := y0
	x := marginLeft + leftW
	for _, t := range signer.titles {
		// "TM. HỘI ĐỒNG NHÂN DÂN / HUYỆN AN LẠC": broken before the place, as the header is.
		y = s.centeredLines(s.orgLines(upper(t), "B", sizeBody, sigW), "B", sizeBody, x, sigW, y)
	}
	y += signSpace
	name := signer.name
	if name == "" {
		name = sigDots
	}
	y = s.centered(name, "B", sizeBody, x, sigW, y)
	s.setY(math.Max(leftEnd, y))
}

// endComma ends recipients with "," and the last one with ".".
func endComma(i, n int) string {
	if i == n-1 {
		return "."
	}
	return ","
}

// defaultRecipients sends Party results to the managing level and the conference only, and State
// results to the managing level and the delegates; the issuing office keeps a copy.
func (d *doc) defaultRecipients() []string {
	var out []string
	if d.kind == KindNotice {
		// A public notice goes to those who voted and to the public.
		if d.party() {
			out = append(out, "Các đồng chí dự hội nghị")
		} else {
			out = append(out, "Các đại biểu dự kỳ họp")
		}
		return append(out, "Trang thông tin điện tử của "+d.m.Organization, "Lưu: VT")
	}
	if d.m.ReportTo != "" {
		out = append(out, d.m.ReportTo+" (để báo cáo)")
	}
	if d.party() {
		out = append(out, "Các đồng chí dự hội nghị", "Lưu Văn phòng "+d.m.Organization)
	} else {
		out = append(out, "Các đại biểu dự kỳ họp", "Lưu: VT")
	}
	return out
}

// notice is the body of the public Thông báo kết quả: the vote in one paragraph, attendance
// and ballots, the results table with the thresholds reached, the persons past a threshold,
// and the signer. It carries nothing a published record would not: no absentees' names, no
// committee, no reasons for void ballots.
func (d *doc) notice() {
	m := d.m
	d.invalidBanner()
	at := ""
	if m.SessionName != "" {
		at = ", tại " + m.SessionName
	}
	d.p(fmt.Sprintf("Ngày %s%s, %s đã tổ chức %s. %s thông báo kết quả như sau:", shortDate(m.VoteDate), at, m.Organization, d.subject(), m.Organization))
	who := d.people()
	d.li(fmt.Sprintf("Tổng số %s được triệu tập: %d %s; có mặt: %d %s; vắng mặt: %s.", who, m.Summoned, who, m.Present, who, d.absentWords()))
	d.li(fmt.Sprintf("Số phiếu phát ra: %d phiếu; số phiếu thu vào: %d phiếu; số phiếu hợp lệ: %d phiếu; số phiếu không hợp lệ: %d phiếu.", m.Issued, m.Collected, m.ValidBallots, m.InvalidBallots))
	d.settings()
	d.results("Kết quả lấy phiếu tín nhiệm đối với từng người:", m.CombinedShare)
	d.flagged()
	d.s.space(closingGap)
	d.closingBlock()
}
