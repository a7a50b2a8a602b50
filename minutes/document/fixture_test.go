package document

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Fixtures: realistic rounds built from rules, not literals, so every size from 1 to 200 persons
// and both tracks come from the same code.

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Xuân", "Thị Thu", "Công", "Bảo"}
	givenNames  = []string{"Hùng", "Hương", "Dũng", "Lan", "Tuấn", "Nga", "Khải", "Phượng", "Quyết", "Thủy", "Ễnh", "Yến", "Trường", "Ánh", "Lợi", "Ổn", "Ước", "Đạt", "Giang", "Hiếu"}
	positions   = []string{
		"Bí thư Tỉnh ủy", "Phó Bí thư Thường trực Tỉnh ủy", "Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh",
		"Trưởng Ban Tổ chức Tỉnh ủy", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy", "Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy",
		"Chánh Văn phòng Tỉnh ủy", "Giám đốc Sở Tài chính", "Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh",
		"Giám đốc Công an tỉnh", "Phó Chủ tịch Ủy ban nhân dân tỉnh", "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
	}
)

// personName gives the i-th distinct name.
func personName(i int) string {
	f := familyNames[i%len(familyNames)]
	m := middleNames[(i/len(familyNames))%len(middleNames)]
	g := givenNames[(i/(len(familyNames)*len(middleNames))+i)%len(givenNames)]
	return f + " " + m + " " + g
}

// pct formats count/den as a percentage rounded half up to two decimals, decimal comma,
// without ",00" for whole numbers (as published: 100%, 97,78%).
func pct(count, den int) string {
	if den == 0 {
		return "0%"
	}
	r := new(big.Rat).SetFrac64(int64(count)*10000, int64(den))
	r.Add(r, big.NewRat(1, 2))
	hundredths := new(big.Int).Quo(r.Num(), r.Denom()).Int64()
	whole, frac := hundredths/100, hundredths%100
	if frac == 0 {
		return fmt.Sprintf("%d%%", whole)
	}
	return fmt.Sprintf("%d,%02d%%", whole, frac)
}

const (
	flagHalf          = "Không quy hoạch lên chức vụ cao hơn; xem xét cho thôi giữ chức vụ, bố trí công tác khác hoặc từ chức"
	flagTwoThird      = "Cấp có thẩm quyền xem xét miễn nhiệm, không chờ hết nhiệm kỳ"
	thresholdHalf     = "Tín nhiệm thấp trên 1/2 đến dưới 2/3 tổng số người được triệu tập"
	thresholdTwoThird = "Tín nhiệm thấp từ 2/3 tổng số người được triệu tập trở lên"
)

// fixture builds a round of n persons on the given track.
func fixture(track Track, n int) Model {
	loc := time.FixedZone("ICT", 7*3600)
	summoned := max(45, n+20)
	present := summoned - 2
	m := Model{
		Track:               track,
		ParentOrganization:  "Đảng bộ tỉnh Bình Sơn",
		Organization:        "Tỉnh ủy Bình Sơn",
		OrganizationHeading: "Tỉnh ủy",
		Place:               "Bình Sơn",
		Title:               "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy",
		SessionName:         "Hội nghị Tỉnh ủy lần thứ 25",
		Venue:               "Hội trường Tỉnh ủy",
		VoteDate:            time.Date(2028, 12, 15, 0, 0, 0, 0, time.UTC),
		Location:            loc,
		SealedAt:            time.Date(2028, 12, 15, 11, 20, 0, 0, loc),
		DocNumbers:          map[Kind]string{KindCounting: "05-BB/TU", KindSession: "06-BB/TU", KindReport: "147-BC/TU"},
		SessionOpenedAt:     time.Date(2028, 12, 15, 8, 0, 0, 0, loc),
		SessionClosedAt:     time.Date(2028, 12, 15, 11, 45, 0, 0, loc),
		OpenedAt:            time.Date(2028, 12, 15, 9, 30, 0, 0, loc),
		ClosedAt:            time.Date(2028, 12, 15, 11, 5, 0, 0, loc),
		Chair:               "Trần Quốc Hùng",
		ChairPosition:       "Bí thư Tỉnh ủy",
		Secretary:           "Lê Thị Thu Hà",
		Agenda: []string{
			"Báo cáo về việc lấy phiếu tín nhiệm và danh sách người được lấy phiếu",
			"Bầu Ban kiểm phiếu",
			"Lấy phiếu tín nhiệm",
			"Công bố kết quả kiểm phiếu",
		},
		Committee: []Member{
			{Name: "Đỗ Minh Khoa", Role: "Trưởng ban", Position: "Phó Trưởng Ban Tổ chức Tỉnh ủy"},
			{Name: "Hồ Thị Ngọc Ánh", Role: "Thư ký", Position: "Chuyên viên Văn phòng Tỉnh ủy"},
			{Name: "Vũ Đức Lượng", Role: "Ủy viên", Position: "Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"},
			{Name: "Phan Thanh Tùng", Role: "Ủy viên"},
			{Name: "Ngô Bảo Châu", Role: "Ủy viên"},
		},
		CommitteeFormation: fmt.Sprintf("Hội nghị biểu quyết thông qua danh sách Ban kiểm phiếu bằng hình thức giơ tay, %d/%d đồng chí tán thành", present, present),
		Summoned:           summoned,
		Present:            present,
		Issued:             present,
		Collected:          present,
		ValidBallots:       present - 1,
		InvalidBallots:     1,
		QuorumMet:          true,
		Absent: []Absentee{
			{Name: "Lý Văn Sang", Reason: "đi công tác nước ngoài"},
			{Name: "Dương Thị Mến"},
		},
		InvalidReasons: []string{"01 phiếu gạch tên và ghi thêm nội dung ngoài phiếu"},
		Irregularities: nil,
		Excluded: []Exclusion{
			{Name: "Bùi Công Thành", Position: "Phó Chủ tịch Ủy ban nhân dân tỉnh", Reason: "mới được bổ nhiệm trong năm 2028"},
		},
		DossiersSentAt:     "ngày 28/11/2028",
		Explanations:       []Explanation{{Name: personName(3), Position: positions[3]}},
		ExplanationsSentAt: "ngày 12/12/2028",
		DenominatorWords:   fmt.Sprintf("tỷ lệ phần trăm tính trên tổng số người được triệu tập (%d người)", summoned),
		BlankRuleWords:     "chỉ không hợp lệ đối với người đó; phiếu vẫn hợp lệ đối với những người khác",
		Copies:             3,
		ReportTo:           "Ban Tổ chức Trung ương",
		Signer:             Signer{On: "T/M Ban Thường vụ", Title: "Bí thư", Name: "Trần Quốc Hùng"},
	}
	if track == TrackState {
		m.ParentOrganization = ""
		m.Organization = "Hội đồng nhân dân tỉnh Bình Sơn"
		m.OrganizationHeading = "Hội đồng nhân dân tỉnh Bình Sơn"
		m.Title = "Lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân tỉnh bầu"
		m.SessionName = "Kỳ họp thứ 12, Hội đồng nhân dân tỉnh khóa XI"
		m.Venue = "Hội trường Hội đồng nhân dân tỉnh"
		m.DocNumbers = map[Kind]string{KindCounting: "12/BB-HĐND", KindSession: "13/BB-HĐND", KindReport: "215/BC-HĐND"}
		m.Chair = "Nguyễn Văn Quyết"
		m.ChairPosition = "Chủ tịch Hội đồng nhân dân tỉnh"
		m.ReportTo = "Ủy ban Thường vụ Quốc hội"
		m.Signer = Signer{On: "TM. Thường trực Hội đồng nhân dân", Title: "Chủ tịch", Name: "Nguyễn Văn Quyết"}
		m.CommitteeFormation = fmt.Sprintf("Kỳ họp biểu quyết thông qua danh sách Ban kiểm phiếu, %d/%d đại biểu tán thành", present, present)
		m.DenominatorWords = fmt.Sprintf("tỷ lệ phần trăm tính trên tổng số đại biểu được triệu tập (%d đại biểu)", summoned)
	}
	delegates := func(s string) string {
		if track == TrackState {
			return strings.ReplaceAll(s, "số người", "số đại biểu")
		}
		return s
	}
	// The published example first (45, 44, 42, 40 and 26 "tín nhiệm cao"), then a spread.
	published := []int{45, 44, 42, 40, 26}
	for i := range n {
		valid := present - 1
		if i%7 == 3 {
			valid-- // one blank row for this person
		}
		var cao, thap int
		switch {
		case i < len(published):
			cao = min(published[i], valid)
		default:
			cao = valid - (i*7)%valid
		}
		rest := valid - cao
		thap = rest / 3
		if i == 6 {
			// More than half low: 16 of 30 is more than half (DOMAIN.md).
			cao, thap = 2, summoned/2+1
		}
		if i == 9 {
			cao, thap = 0, (summoned*2+2)/3
		}
		if cao+thap > valid {
			thap = valid - cao
		}
		tn := valid - cao - thap
		r := Row{
			Order: i + 1, Name: personName(i), Position: positions[i%len(positions)], Valid: valid,
			BlankRows: present - 1 - valid,
			Cao:       cao, TinNhiem: tn, Thap: thap,
			CaoPct: pct(cao, summoned), TinNhiemPct: pct(tn, summoned), ThapPct: pct(thap, summoned),
		}
		switch {
		case 3*thap >= 2*summoned:
			r.Flag, r.Threshold = flagTwoThird, delegates(thresholdTwoThird)
		case 2*thap > summoned:
			r.Flag, r.Threshold = flagHalf, delegates(thresholdHalf)
		}
		r.Combined = cao + tn
		r.CombinedPct = pct(cao+tn, summoned)
		m.Rows = append(m.Rows, r)
	}
	m.TallyJSON = tallyJSON(m)
	return m
}

// tallyJSON is a stand-in for the canonical record the lead attaches: the figures of the model.
func tallyJSON(m Model) []byte {
	type nominee struct {
		Name   string         `json:"name"`
		Counts map[string]int `json:"counts"`
	}
	rec := struct {
		Summoned  int       `json:"summoned"`
		Present   int       `json:"present"`
		Issued    int       `json:"issued"`
		Collected int       `json:"collected"`
		Quorum    bool      `json:"quorum_met"`
		Nominees  []nominee `json:"nominees"`
	}{Summoned: m.Summoned, Present: m.Present, Issued: m.Issued, Collected: m.Collected, Quorum: m.QuorumMet}
	for _, r := range m.Rows {
		rec.Nominees = append(rec.Nominees, nominee{Name: r.Name, Counts: map[string]int{"cao": r.Cao, "tin_nhiem": r.TinNhiem, "thap": r.Thap, "valid": r.Valid}})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

// belowQuorum is a party round where too few came.
func belowQuorum() Model {
	m := fixture(TrackParty, 15)
	m.Present = 28
	m.Issued, m.Collected, m.ValidBallots, m.InvalidBallots = 28, 28, 28, 0
	m.QuorumMet = false
	m.InvalidReasons = nil
	for i := range m.Absent {
		m.Absent[i].Reason = strings.TrimSpace(m.Absent[i].Reason)
	}
	m.TallyJSON = tallyJSON(m)
	return m
}

// longNames has a name and a position long enough to wrap in their cells, and a body text run.
func longNames() Model {
	m := fixture(TrackState, 12)
	m.Rows[2].Name = "Tôn Nữ Thị Hoàng Ngọc Phương Quỳnh Hương Giang Nguyễn Phước"
	m.Rows[2].Position = "Phó Chủ tịch Ủy ban nhân dân tỉnh, Trưởng Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực và Chủ tịch Hội đồng thi đua, khen thưởng tỉnh kiêm Giám đốc Sở Kế hoạch và Đầu tư"
	m.Irregularities = []string{"Trong quá trình kiểm phiếu có 01 đại biểu đề nghị kiểm tra lại phiếu số 17; Ban kiểm phiếu đã kiểm tra lại trước sự chứng kiến của đại biểu và xác nhận kết quả không thay đổi"}
	m.TallyJSON = tallyJSON(m)
	return m
}

// paperTrail is a State round with everything around the vote known: the local plan cited,
// the combined share shown, the requests for explanation counted, the packet's sending
// recorded (late) and the sealing warning confirmed.
func paperTrail() Model {
	m := fixture(TrackState, 12)
	m.Basis = []string{"Kế hoạch số 12/KH-HĐND ngày 01/10/2028 của Thường trực Hội đồng nhân dân tỉnh"}
	m.CombinedShare = true
	m.Publication = PublicationPublic
	m.Requests = &RequestCounts{Deadline: time.Date(2028, 12, 5, 16, 59, 59, 0, time.UTC), OnTime: 2, Late: 1, SetAside: 1, Answered: 2, Persons: 1}
	m.PacketKnown = true
	m.Packet = &PacketSending{When: "ngày 26/11/2028", Channel: "bản giấy và thư điện tử công vụ", Late: true, Deadline: time.Date(2028, 11, 25, 16, 59, 59, 0, time.UTC)}
	m.Irregularities = []string{"Báo cáo của người được lấy phiếu tín nhiệm được gửi đến đại biểu vào ngày 26/11/2028, sau thời hạn gửi là ngày 25/11/2028"}
	m.TallyJSON = tallyJSON(m)
	return m
}

// partyPublic is a Party round whose committee decided to publish its results.
func partyPublic() Model {
	m := fixture(TrackParty, 5)
	m.Publication = PublicationPublic
	m.Basis = []string{"Kế hoạch số 104-KH/TU ngày 01/11/2028 của Ban Thường vụ Tỉnh ủy"}
	m.PacketKnown = true
	m.Requests = &RequestCounts{Deadline: time.Date(2028, 12, 5, 16, 59, 59, 0, time.UTC)}
	m.TallyJSON = tallyJSON(m)
	return m
}
