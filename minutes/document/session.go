package document

import (
	"fmt"
	"strings"
	"tinnhiem/internal/initial"
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
	d.packetSent()
	d.requests()
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
		formation = "Hội nghị bầu Ban kiểm phiếu."
		if !d.party() {
			formation = m.Organization + " bầu Ban kiểm phiếu tại kỳ họp."
		}
	}
	d.p(sentence(formation) + fmt.Sprintf(" Ban kiểm phiếu gồm các %s:", d.members()))
	d.committeeList()

	d.sectionHeading(4, "Kết quả lấy phiếu tín nhiệm")
	if head := d.committeeHead(); head != "" {
		d.p(fmt.Sprintf("Thay mặt Ban kiểm phiếu, %s, Trưởng ban, công bố kết quả kiểm phiếu:", d.person(head)))
	} else {
		d.p("Ban kiểm phiếu công bố kết quả kiểm phiếu:")
	}
	d.ballots()
	d.settings()
	d.results("Kết quả cụ thể như sau:", false)
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

// packetSent says when and how the voters received the dossiers: from the recorded sending
// when the caller looked it up (and plainly that none was recorded when there is none), else
// from the secretariat's own words.
func (d *doc) packetSent() {
	m := d.m
	what := "Hồ sơ của người được lấy phiếu tín nhiệm"
	if !d.party() {
		what = "Báo cáo của người được lấy phiếu tín nhiệm"
	}
	switch {
	case m.PacketKnown && m.Packet == nil:
		d.li(fmt.Sprintf("Không có ghi nhận về việc gửi %s đến %s.", lowerFirst(what), d.voters()))
	case m.PacketKnown:
		text := fmt.Sprintf("%s đã được gửi đến %s vào %s", what, d.voters(), m.Packet.When)
		if m.Packet.Channel != "" {
			text += " (" + trimEnd(m.Packet.Channel) + ")"
		}
		if m.Packet.Late {
			text += ", sau thời hạn gửi"
			if !m.Packet.Deadline.IsZero() {
				text += " là ngày " + shortDate(localDate(m.Packet.Deadline, d.loc))
			}
		}
		d.li(text + ".")
	case m.DossiersSentAt != "":
		d.li(fmt.Sprintf("%s đã được gửi đến %s %s.", what, d.voters(), trimEnd(m.DossiersSentAt)))
	default:
		d.li(fmt.Sprintf("%s đã được gửi đến %s theo quy định.", what, d.voters()))
	}
}

// requests says how many requests for explanation came by their deadline and after it, what
// the board decided of the late ones and how many were answered in writing; nothing when the
// caller gave no counts.
func (d *doc) requests() {
	q := d.m.Requests
	if q == nil {
		return
	}
	until := "Đến hạn nhận đề nghị giải trình"
	if !q.Deadline.IsZero() {
		until = "Đến hết ngày " + shortDate(localDate(q.Deadline, d.loc)) + " (hạn nhận đề nghị giải trình)"
	}
	if q.OnTime == 0 {
		d.li(until + ", không nhận được đề nghị giải trình.")
	} else {
		d.li(fmt.Sprintf("%s, nhận được %d đề nghị giải trình.", until, q.OnTime))
	}
	if q.Late > 0 {
		var parts []string
		if q.Admitted > 0 {
			parts = append(parts, fmt.Sprintf("%d đề nghị được xem xét", q.Admitted))
		}
		if q.SetAside > 0 {
			parts = append(parts, fmt.Sprintf("%d đề nghị không xem xét", q.SetAside))
		}
		if q.Undecided > 0 {
			parts = append(parts, fmt.Sprintf("%d đề nghị chưa có quyết định", q.Undecided))
		}
		d.li(fmt.Sprintf("Sau thời hạn, nhận thêm %d đề nghị giải trình; Ban Tổ chức quyết định: %s.", q.Late, strings.Join(parts, ", ")))
	}
	if counted := q.OnTime + q.Admitted; counted > 0 {
		text := fmt.Sprintf("Các đề nghị giải trình được xem xét liên quan đến %d người được lấy phiếu tín nhiệm; ", q.Persons)
		switch {
		case q.Answered >= counted:
			text += "tất cả đã được giải trình bằng văn bản."
		case q.Answered == 0:
			text += fmt.Sprintf("chưa đề nghị nào được giải trình bằng văn bản (%d đề nghị).", counted)
		default:
			text += fmt.Sprintf("%d đề nghị đã được giải trình bằng văn bản, %d đề nghị chưa được giải trình.", q.Answered, counted-q.Answered)
		}
		d.li(text)
	}
}

// capitalise raises the first letter: "hội nghị" → "Hội nghị".
func capitalise(s string) string { return initial.Upper(s) }
