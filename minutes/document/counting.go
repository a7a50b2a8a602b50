package document

import "fmt"

// counting is the body of the Biên bản kiểm phiếu: who counted, attendance and quorum, ballots,
// the rules used, one row per person, irregularities, the sealing of the ballots, signatures.
func (d *doc) counting() {
	m := d.m
	d.invalidBanner()
	// A Party conference elects its committee itself; at a session it is the council (or the
	// Assembly) that elects, during the session.
	formed := ""
	switch {
	case m.SessionName == "":
	case d.party():
		formed = " do " + m.SessionName + " bầu"
	default:
		formed = " do " + m.Organization + " bầu tại " + m.SessionName
	}
	d.p(fmt.Sprintf("Vào %s%s, Ban kiểm phiếu%s gồm các %s:", d.at(m.OpenedAt), d.where(), formed, d.members()))
	d.committeeList()
	// The sentence runs on from the list above, so no first-line indent.
	d.s.para(fmt.Sprintf("đã tiến hành kiểm phiếu %s. Kết quả như sau:", d.subject()), block{align: "J", after: 1.2})

	d.sectionHeading(0, "Số "+d.people()+" được triệu tập, có mặt")
	d.attendance()

	d.sectionHeading(1, "Số phiếu")
	d.ballots()

	d.sectionHeading(2, "Kết quả kiểm phiếu")
	d.li(fmt.Sprintf("Số người được lấy phiếu tín nhiệm: %d người.", len(m.Rows)))
	d.settings()
	d.results("Kết quả cụ thể như sau:", false)

	d.sectionHeading(3, "Những vấn đề phát sinh")
	d.irregularities()

	d.s.space(1)
	d.p("Toàn bộ phiếu lấy phiếu tín nhiệm đã được Ban kiểm phiếu kiểm tra, niêm phong và bàn giao để lưu trữ theo quy định.")
	closing := fmt.Sprintf("Việc kiểm phiếu kết thúc vào %s. Biên bản đã được đọc lại cho các thành viên Ban kiểm phiếu cùng nghe, thống nhất ký tên", d.until(m.OpenedAt, m.ClosedAt))
	if m.Copies > 0 {
		closing += fmt.Sprintf("; biên bản được lập thành %02d bản có giá trị như nhau", m.Copies)
	}
	first, members := d.committeeSigners()
	d.closeAndSign(closing+".", "BAN KIỂM PHIẾU", first, members)
}
