package document

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrUnsupportedText marks text the PDF cannot carry faithfully: invalid UTF-8, a character above
// U+FFFF (gofpdf's font code handles the Basic Multilingual Plane only and may panic beyond it),
// or a character the embedded font has no glyph for.
var ErrUnsupportedText = errors.New("văn bản có ký tự không in được")

// maxRunes bounds one text field. The longest real field, an irregularity noted by the
// committee, is a paragraph; anything longer is a mistake upstream, not a document.
const maxRunes = 4000

// cleaner turns caller text into what we print: NFC, whitespace collapsed to single spaces,
// control and format characters dropped. It refuses what the font cannot show.
type cleaner struct {
	fonts []*coverage
	err   error
}

// text cleans s; label names the field in Vietnamese for the error message. After the first
// error it keeps returning "" so a caller can clean a whole model and check once.
func (c *cleaner) text(label, s string) string {
	if c.err != nil {
		return ""
	}
	if !utf8.ValidString(s) {
		c.err = fmt.Errorf("%s: %w: chuỗi không phải UTF-8 hợp lệ", label, ErrUnsupportedText)
		return ""
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		c.err = fmt.Errorf("%s: %w: dài %d ký tự, tối đa %d", label, ErrInvalidModel, n, maxRunes)
		return ""
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		case r > 0xFFFF:
			c.err = fmt.Errorf("%s: %w: ký tự %q (U+%04X) nằm ngoài phạm vi hỗ trợ (trên U+FFFF)", label, ErrUnsupportedText, r, r)
			return ""
		}
		for _, f := range c.fonts {
			// Upper case is checked too: headings print some fields in capitals.
			if !f.has(r) || !f.has(unicode.ToUpper(r)) {
				c.err = fmt.Errorf("%s: %w: ký tự %q (U+%04X) không có trong phông chữ Liberation Serif", label, ErrUnsupportedText, r, r)
				return ""
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	// Dropping characters may have split a composed sequence; compose again.
	return norm.NFC.String(b.String())
}

// inline cleans text the documents run on inside a sentence of their own (a name, a place, a
// reason in brackets) and drops the stop or comma it ended with, which would double theirs.
func (c *cleaner) inline(label, s string) string { return trimEnd(c.text(label, s)) }

// heading cleans a header name but keeps the caller's line breaks, which choose where the
// name breaks in its narrow column.
func (c *cleaner) heading(label, s string) string {
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if t := c.text(label, p); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n")
}

// inlineList cleans a list of inline texts, dropping empty ones.
func (c *cleaner) inlineList(label string, in []string) []string {
	out := make([]string, 0, len(in))
	for i, s := range in {
		if t := c.inline(fmt.Sprintf("%s (mục %d)", label, i+1), s); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (c *cleaner) list(label string, in []string) []string {
	out := make([]string, 0, len(in))
	for i, s := range in {
		if t := c.text(fmt.Sprintf("%s (mục %d)", label, i+1), s); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// clean returns a copy of m with every string cleaned, so the caller's model is never changed
// and every later step can assume printable NFC text.
func clean(m Model, fonts []*coverage) (Model, error) {
	c := &cleaner{fonts: fonts}
	out := m
	out.ParentOrganization = c.heading("cấp ủy/cơ quan cấp trên", m.ParentOrganization)
	out.Organization = c.inline("cơ quan ban hành", m.Organization)
	out.OrganizationHeading = c.heading("tên cơ quan ở tiêu đề", m.OrganizationHeading)
	out.Place = c.inline("địa danh", m.Place)
	out.Title = c.inline("tiêu đề", m.Title)
	out.SessionName = c.inline("tên hội nghị/kỳ họp", m.SessionName)
	out.Venue = c.inline("địa điểm", m.Venue)
	out.Chair = c.inline("người chủ trì", m.Chair)
	out.ChairPosition = c.inline("chức vụ người chủ trì", m.ChairPosition)
	out.Secretary = c.inline("thư ký", m.Secretary)
	out.CorrectionReason = c.inline("lý do đính chính", m.CorrectionReason)
	out.Agenda = c.list("chương trình", m.Agenda)
	out.CommitteeFormation = c.text("cách lập ban kiểm phiếu", m.CommitteeFormation)
	out.InvalidReasons = c.list("lý do phiếu không hợp lệ", m.InvalidReasons)
	out.Irregularities = c.list("vấn đề phát sinh", m.Irregularities)
	out.DossiersSentAt = c.inline("thời điểm gửi hồ sơ", m.DossiersSentAt)
	out.ExplanationsSentAt = c.inline("thời điểm gửi báo cáo giải trình", m.ExplanationsSentAt)
	out.DenominatorWords = c.text("cách tính tỷ lệ", m.DenominatorWords)
	out.BlankRuleWords = c.text("quy tắc phiếu đánh dấu sai", m.BlankRuleWords)
	out.ReportTo = c.inline("nơi nhận báo cáo", m.ReportTo)
	out.Basis = c.inlineList("căn cứ", m.Basis)
	out.Publication = c.inline("công bố kết quả", m.Publication)
	if m.Packet != nil {
		p := *m.Packet
		p.When = c.inline("thời điểm gửi hồ sơ", p.When)
		p.Channel = c.inline("hình thức gửi hồ sơ", p.Channel)
		out.Packet = &p
	}
	if m.Requests != nil {
		r := *m.Requests
		out.Requests = &r
	}
	out.Recipients = c.inlineList("nơi nhận", m.Recipients)
	out.Signer = Signer{
		On:    c.inline("người ký: thay mặt", m.Signer.On),
		Title: c.inline("người ký: chức danh", m.Signer.Title),
		Name:  c.inline("người ký: họ tên", m.Signer.Name),
	}
	if m.DocNumbers != nil {
		out.DocNumbers = make(map[Kind]string, len(m.DocNumbers))
		for _, k := range append(Kinds(), KindNotice) {
			if v, ok := m.DocNumbers[k]; ok {
				out.DocNumbers[k] = c.text("số văn bản "+string(k), v)
			}
		}
	}
	out.Committee = make([]Member, len(m.Committee))
	for i, p := range m.Committee {
		l := fmt.Sprintf("ban kiểm phiếu (người thứ %d)", i+1)
		out.Committee[i] = Member{Name: c.inline(l+": họ tên", p.Name), Role: c.inline(l+": nhiệm vụ", p.Role), Position: c.inline(l+": chức vụ", p.Position)}
	}
	out.Absent = make([]Absentee, len(m.Absent))
	for i, p := range m.Absent {
		l := fmt.Sprintf("người vắng mặt thứ %d", i+1)
		out.Absent[i] = Absentee{Name: c.inline(l+": họ tên", p.Name), Reason: c.inline(l+": lý do", p.Reason)}
	}
	out.Excluded = make([]Exclusion, len(m.Excluded))
	for i, p := range m.Excluded {
		l := fmt.Sprintf("người không lấy phiếu thứ %d", i+1)
		out.Excluded[i] = Exclusion{Name: c.inline(l+": họ tên", p.Name), Position: c.inline(l+": chức vụ", p.Position), Reason: c.inline(l+": lý do", p.Reason)}
	}
	out.Explanations = make([]Explanation, len(m.Explanations))
	for i, p := range m.Explanations {
		l := fmt.Sprintf("người có báo cáo giải trình thứ %d", i+1)
		out.Explanations[i] = Explanation{Name: c.inline(l+": họ tên", p.Name), Position: c.inline(l+": chức vụ", p.Position)}
	}
	out.Rows = make([]Row, len(m.Rows))
	for i, r := range m.Rows {
		l := fmt.Sprintf("bảng kết quả, dòng %d", i+1)
		r.Name = c.inline(l+": họ tên", r.Name)
		r.Position = c.inline(l+": chức vụ", r.Position)
		r.CaoPct = c.text(l+": tỷ lệ tín nhiệm cao", r.CaoPct)
		r.TinNhiemPct = c.text(l+": tỷ lệ tín nhiệm", r.TinNhiemPct)
		r.ThapPct = c.text(l+": tỷ lệ tín nhiệm thấp", r.ThapPct)
		r.Flag = c.text(l+": ghi chú", r.Flag)
		r.Threshold = c.text(l+": ngưỡng", r.Threshold)
		r.CombinedPct = c.text(l+": tỷ lệ tín nhiệm cao và tín nhiệm", r.CombinedPct)
		out.Rows[i] = r
	}
	return out, c.err
}
