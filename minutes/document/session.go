package document

import (
	"fmt"
	"strings"
)

// session is the body of the Biên bản hội nghị (Party) or Biên bản kỳ họp (State): chair and
// secretary, attendance, agenda, who was voted on and who was not and why, the dossiers and
// explanations sent, how the counting committee was formed, the announced results, signatures.
func (d *doc) session() {
	m := d.m
	d.invalidBanner()
	meeting := m.SessionName
	if meeting == "" {
		meeting = d.meeting()
	}
	d.p(fmt.Sprintf("Vào %s%s, %s tổ chức %s để %s.", d.at(m.SessionOpenedAt), d.where(), m.Organization, meeting, d.subject()))

	d.sectionHeading(0, "Thành phần")
	if m.Chair != "" {
		d.li(fmt.Sprintf("%s: %s.", d.chairWord(), withPosition(d.person(m.Chair), m.ChairPosition)))
	} else {
		d.li(d.chairWord() + ": ……")
	}
	if m.Secretary != "" {
		d.li(fmt.Sprintf("Thư ký: %s.", d.person(m.Secretary)))
	} else {
		d.li("Thư ký: ……")
	}
	d.attendance()

	d.sectionHeading(1, "Chương trình")
	if len(m.Agenda) == 0 {
		d.li(fmt.Sprintf("Tiến hành %s.", d.subject()))
	}
	for i, a := range m.Agenda {
		d.s.para(fmt.Sprintf("%d. %s", i+1, sentence(a)), item)
	}

	d.sectionHeading(2, "Người được lấy phiếu tín nhiệm và hồ sơ")
	d.li(fmt.Sprintf("Số người được lấy phiếu tín nhiệm: %d người (danh sách tại bảng kết quả, mục V).", len(m.Rows)))
	if len(m.Excluded) == 0 {
		d.li("Không có trường hợp nào thuộc diện không lấy phiếu tín nhiệm.")
	} else {
		d.li(fmt.Sprintf("Không lấy phiếu tín nhiệm đối với %d người:", len(m.Excluded)))
		for i, e := range m.Excluded {
			text := withPosition(d.personFirst(e.Name), e.Position)
			if e.Reason != "" {
				text += " (lý do: " + e.Reason + ")"
			}
			d.sub(text + endList(i, len(m.Excluded)))
		}
	}
	if m.DossiersSentAt != "" {
		d.li(fmt.Sprintf("Hồ sơ của người được lấy phiếu tín nhiệm đã được gửi đến %s %s.", d.voters(), m.DossiersSentAt))
	} else {
		d.li(fmt.Sprintf("Hồ sơ của người được lấy phiếu tín nhiệm đã được gửi đến %s theo quy định.", d.voters()))
	}
	if len(m.Explanations) == 0 {
		d.li("Không có báo cáo giải trình.")
	} else {
		when := ""
		if m.ExplanationsSentAt != "" {
			when = " " + m.ExplanationsSentAt
		}
		d.li(fmt.Sprintf("Báo cáo giải trình của %d người đã được gửi đến %s%s:", len(m.Explanations), d.voters(), when))
		for i, e := range m.Explanations {
			d.sub(withPosition(d.personFirst(e.Name), e.Position) + endList(i, len(m.Explanations)))
		}
	}

	d.sectionHeading(3, "Ban kiểm phiếu")
	formation := m.CommitteeFormation
	if formation == "" {
		formation = fmt.Sprintf("%s thống nhất lập Ban kiểm phiếu.", capitalise(d.meeting()))
	}
	d.p(sentence(formation) + fmt.Sprintf(" Ban kiểm phiếu gồm các %s:", d.members()))
	d.committeeList()

	d.sectionHeading(4, "Kết quả lấy phiếu tín nhiệm")
	if head := d.committeeHead(); head != "" {
		d.p(fmt.Sprintf("Thay mặt Ban kiểm phiếu, %s, Trưởng Ban kiểm phiếu, công bố kết quả kiểm phiếu:", d.person(head)))
	} else {
		d.p("Ban kiểm phiếu công bố kết quả kiểm phiếu:")
	}
	d.ballots()
	d.settings()
	d.results("Kết quả cụ thể như sau:")
	if len(d.issues()) > 0 {
		d.p("Những vấn đề phát sinh trong quá trình lấy phiếu:")
		d.irregularities()
	}

	d.s.space(1)
	closing := fmt.Sprintf("%s kết thúc vào %s. Biên bản đã được thông qua tại %s", capitalise(d.meeting()), d.until(m.SessionOpenedAt, m.SessionClosedAt), d.meeting())
	if m.Copies > 0 {
		closing += fmt.Sprintf(" và được lập thành %02d bản có giá trị như nhau", m.Copies)
	}
	chair := d.chairWord() + " " + d.meeting()
	secretary := "Thư ký " + d.meeting()
	d.closeAndSign(closing+".", "", []sig{
		{titles: []string{secretary}, name: m.Secretary},
		{titles: []string{chair}, name: m.Chair},
	})
}

// capitalise raises the first letter: "hội nghị" → "Hội nghị".
func capitalise(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
