package ingest

import (
	"slices"
	"strings"
	"testing"

	"tinnhiem/dossier"
)

// rosterDT has two pairs of diacritic twins (Tâm/Tám, An/Ân) and names that are the tails of
// longer ones ("Trần Lê Văn Tâm").
var rosterDT = []Person{
	{"p01", "Lê Văn Tâm"},
	{"p02", "Lê Văn Tám"},
	{"p03", "Đào Đức Định"},
	{"p04", "Nguyễn Thị Hương"},
	{"p06", "Phan Thị Ngọc Ánh"},
	{"p07", "Hồ Sỹ Đông"},
	{"p09", "Nguyễn Văn An"},
	{"p10", "Nguyễn Văn Ân"},
	{"p11", "Huỳnh Quốc Việt"},
}

func dtIDs(idx []int) []string {
	out := make([]string, len(idx))
	for i, x := range idx {
		out[i] = rosterDT[x].ID
	}
	return out
}

// TestLongerName: a roster name that ends somebody's longer name is not that person; one after
// an honorific, a number, a post or another whole name is.
func TestLongerName(t *testing.T) {
	ro := newRoster(rosterDT)
	tests := []struct {
		name, text string
		want       [][]string
	}{
		{"field", "Họ và tên: Trần Lê Văn Tâm", nil},
		{"signature", "NGƯỜI BÁO CÁO\n(Ký, ghi rõ họ tên)\nTrần Lê Văn Tâm", nil},
		{"capitals", "HỌ VÀ TÊN: TRẦN LÊ VĂN TÂM", nil},
		{"compound surname with a hyphen", "Trần-Lê Văn Tâm", nil},
		{"wrapped in a narrow column", "NGƯỜI BÁO CÁO\nTrần\nLê Văn Tâm", nil},
		{"honorific before the longer name", "Ông Trần Lê Văn Tâm", nil},
		{"without diacritics", "Ho va ten: Tran Le Van Tam", nil},
		{"honorific", "Kính gửi: Ông Lê Văn Tâm", [][]string{{"p01"}}},
		{"đồng chí", "Đồng chí Lê Văn Tâm", [][]string{{"p01"}}},
		{"đồng chí in capitals", "KÍNH GỬI ĐỒNG CHÍ LÊ VĂN TÂM", [][]string{{"p01"}}},
		{"bà", "Bà Nguyễn Thị Hương", [][]string{{"p04"}}},
		{"table row", "1 Lê Văn Tâm Bí thư", [][]string{{"p01"}}},
		{"table rows", "TT Họ và tên Chức vụ\n1 Lê Văn Tâm Bí thư Huyện ủy\n2 Lê Văn Tám Phó Bí thư",
			[][]string{{"p01"}, {"p02"}}},
		{"post in title case", "Bí Thư Lê Văn Tâm", [][]string{{"p01"}}},
		{"signature columns, neighbour off the roster", "Nguyễn Văn Minh Lê Văn Tâm", [][]string{{"p01"}}},
		{"signature columns, both on the roster", "Hồ Sỹ Đông Nguyễn Văn Ân", [][]string{{"p07"}, {"p10"}}},
		{"after a comma", "Trần, Lê Văn Tâm", [][]string{{"p01"}}},
		{"a longer given name", "Nguyễn Văn Anh", nil},
		{"list", "các đồng chí: Lê Văn Tâm, Lê Văn Tám", [][]string{{"p01"}, {"p02"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, h := range ro.hits(newTextView(tt.text)) {
				got = append(got, dtIDs(h.people))
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestUnlistedNames: what is read as a person's name off the roster, and what is not.
func TestUnlistedNames(t *testing.T) {
	ro := newRoster(rosterDT)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"field", "Họ và tên: Trần Văn Bình\nChức vụ: Bí thư", []string{"Trần Văn Bình"}},
		{"next field on the line", "Họ và tên: Trần Văn Bình Chức vụ: Bí thư", []string{"Trần Văn Bình"}},
		{"capitals, the whole field", "HỌ VÀ TÊN: TRẦN VĂN BÌNH", []string{"TRẦN VĂN BÌNH"}},
		{"after an honorific", "Ông Trần Văn Bình", []string{"Trần Văn Bình"}},
		{"wrapped", "NGƯỜI BÁO CÁO\nTrần\nVăn Bình", []string{"Trần Văn Bình"}},
		{"longer than a roster name", "Trần Lê Văn Tâm", []string{"Trần Lê Văn Tâm"}},
		{"given name longer than the roster's", "Nguyễn Văn Anh", []string{"Nguyễn Văn Anh"}},
		{"column neighbour cut at the roster name", "Lý Thị Ngà Lê Văn Tâm", []string{"Lý Thị Ngà"}},
		{"heading in capitals", "HỒ SƠ ĐỀ NGHỊ GIẢI TRÌNH\nỦY BAN NHÂN DÂN TỈNH HÀ GIANG", nil},
		{"national motto", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", nil},
		{"abbreviations", "Nơi nhận: Lưu VT, Đoàn ĐBQH.", nil},
		{"an office", "Trưởng Ban Dân vận", nil},
		{"a place", "Hội đồng nhân dân tỉnh Hà Giang, đường Trần Phú", nil},
		{"one word", "Trần đã nói.", nil},
		{"too long for a name", "Nguyễn Văn Thành Hưng Phát Đạt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTextView(tt.text)
			var got []string
			for _, s := range v.unlistedNames(ro.hits(v)) {
				got = append(got, v.words(s.t0, s.t1))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("names = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOwnerPlaces covers who owns a paper when several people are named where owners are.
func TestOwnerPlaces(t *testing.T) {
	const crit = "\nPhẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật tốt; hoàn thành chức trách, nhiệm vụ; vợ, con chấp hành pháp luật.\n"
	sa := "BÁO CÁO TỰ ĐÁNH GIÁ\n"
	sign := func(role, name string) string { return role + "\n(Ký, ghi rõ họ tên)\n" + name }
	tests := []struct {
		name     string
		text     string
		declared Declared
		want     string
		cands    []string
		warn     []string
		off      []string
		reason   string
	}{
		{name: "field and signature name twins", text: sa + "Họ và tên: Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tám"),
			cands: []string{"p01", "p02"}, warn: []string{WarnAmbiguousNominee}},
		{name: "field and signature name twins, declared", text: sa + "Họ và tên: Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tám"),
			declared: Declared{Nominee: "p01"}, want: "p01", cands: []string{"p01", "p02"}, warn: []string{WarnNomineeMismatch}},
		{name: "field and bare signature name twins", text: sa + "Họ và tên: Lê Văn Tâm" + crit + "Đông Triều, ngày 10 tháng 11 năm 2028\nLê Văn Tám",
			cands: []string{"p01", "p02"}, warn: []string{WarnAmbiguousNominee}},
		{name: "certified by a superior off the roster", text: sa + "Họ và tên: Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm") +
			"\nBÍ THƯ CHI BỘ\nTrần Văn Bình", declared: Declared{Nominee: "p01"}, want: "p01"},
		{name: "certified by a superior on the roster", text: sa + "Họ và tên: Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm") +
			"\nBÍ THƯ CHI BỘ\nHồ Sỹ Đông", want: "p01"},
		{name: "field and signature name two people", text: sa + "Họ và tên: Đào Đức Định" + crit + sign("NGƯỜI BÁO CÁO", "Huỳnh Quốc Việt"),
			cands: []string{"p03", "p11"}, warn: []string{WarnAmbiguousNominee}},
		{name: "heading and signature disagree", text: "BÁO CÁO TỰ ĐÁNH GIÁ\ncủa đồng chí Đào Đức Định" + crit + sign("NGƯỜI BÁO CÁO", "Hồ Sỹ Đông"),
			cands: []string{"p03", "p07"}, warn: []string{WarnAmbiguousNominee}},
		{name: "field and signature agree, twin mentioned", text: sa + "Họ và tên: Lê Văn Tâm" + crit +
			"Phối hợp tốt với Lê Văn Tám trong công tác.\n" + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm"), want: "p01"},
		{name: "twins on weak evidence", text: "QUYẾT ĐỊNH\nĐiều 1. Điều động đồng chí Lê Văn Tâm đến công tác tại Ban Tổ chức.\n" +
			"Điều 2. Lê Văn Tám, Chánh Văn phòng, thi hành quyết định này.", cands: []string{"p01", "p02"}, warn: []string{WarnAmbiguousNominee}},
		{name: "twin signs an issued paper", text: "QUYẾT ĐỊNH\nĐiều 1. Điều động đồng chí Lê Văn Tâm đến công tác tại Ban Tổ chức.\n" +
			"Điều 2. Quyết định có hiệu lực kể từ ngày ký.\nBÍ THƯ\nLê Văn Tám", want: "p01"},
		{name: "request signed by the twin", text: "ĐỀ NGHỊ GIẢI TRÌNH\nKính gửi: đồng chí Nguyễn Văn An, Trưởng Công an huyện.\n" +
			"Đề nghị đồng chí giải trình việc điều động cán bộ.\n" + sign("NGƯỜI ĐỀ NGHỊ", "Nguyễn Văn Ân"), want: "p09"},
		{name: "request form, the asker's name field", text: "PHIẾU ĐỀ NGHỊ GIẢI TRÌNH\nHọ và tên: Lê Văn Tám\n" +
			"Người được đề nghị giải trình: Lê Văn Tâm\nNội dung: việc chậm giải ngân.", want: "p01"},
		{name: "invitation to four", text: "GIẤY MỜI\nBan Thường vụ trân trọng kính mời các đồng chí: Lê Văn Tâm, Lê Văn\n" +
			"Tám, Đào Đức Định và Nguyễn Thị Hương dự hội nghị.", cands: []string{"p01", "p02", "p03", "p04"}, warn: []string{WarnAmbiguousNominee}},
		{name: "colleagues listed in a report", text: sa + "Họ và tên: Hồ Sỹ Đông" + crit + "Phối hợp với các đồng chí Lê Văn Tâm, " +
			"Đào Đức Định và Nguyễn Thị Hương trong công tác.\n" + sign("NGƯỜI BÁO CÁO", "Hồ Sỹ Đông"), want: "p07"},
		{name: "declaration, spouse and receiver on the roster", text: "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\n" +
			"Họ và tên người kê khai tài sản, thu nhập: Nguyễn Văn Ân\nHọ và tên vợ hoặc chồng: Nguyễn Thị Hương\n" +
			"Nhà ở: 80 m2. Tổng thu nhập: 300 triệu đồng.\nNGƯỜI NHẬN BẢN KÊ KHAI NGƯỜI KÊ KHAI\nHồ Sỹ Đông Nguyễn Văn Ân", want: "p10"},
		{name: "author off the roster", text: sa + "Họ và tên: Trần Văn Bình" + crit + sign("NGƯỜI BÁO CÁO", "Trần Văn Bình"),
			reason: ReasonUnknownNominee, off: []string{"Trần Văn Bình"}},
		{name: "author off the roster, declared", text: sa + "Họ và tên: Trần Văn Bình" + crit + sign("NGƯỜI BÁO CÁO", "Trần Văn Bình"),
			declared: Declared{Nominee: "p03"}, want: "p03", warn: []string{WarnNomineeMismatch}, off: []string{"Trần Văn Bình"}},
		{name: "author off the roster says tôi là, declared", text: "BẢN GIẢI TRÌNH\nTôi là Trần Văn Bình, Phó Chánh Văn phòng. " +
			"Tôi xin giải trình như sau: việc chậm trễ do khách quan.", declared: Declared{Nominee: "p03"}, want: "p03",
			warn: []string{WarnNomineeMismatch}, off: []string{"Trần Văn Bình"}},
		{name: "longer name in the field and the signature", text: sa + "Họ và tên: Trần Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Trần Lê Văn Tâm"),
			reason: ReasonUnknownNominee, off: []string{"Trần Lê Văn Tâm"}},
		{name: "field off the roster, signature on it", text: sa + "Họ và tên: Trần Văn Bình" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm"),
			cands: []string{"p01"}, warn: []string{WarnAmbiguousNominee}, off: []string{"Trần Văn Bình"}},
		{name: "roster author mentions people off the roster", text: sa + "Họ và tên: Lê Văn Tâm" + crit +
			"Phối hợp với đồng chí Trần Văn Bình, Bí thư Đảng ủy xã Hòa An, và ông Phạm Quốc Toản.\n" + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm"),
			declared: Declared{Nominee: "p01"}, want: "p01"},
		{name: "requester off the roster", text: "ĐỀ NGHỊ GIẢI TRÌNH\nHọ và tên người đề nghị: Trần Văn Bình\n" +
			"Người được đề nghị giải trình: Đào Đức Định\nNội dung: việc chậm giải ngân.\n" + sign("NGƯỜI ĐỀ NGHỊ", "Trần Văn Bình"),
			declared: Declared{Nominee: "p03"}, want: "p03"},
		{name: "curriculum vitae with parents", text: "SƠ YẾU LÝ LỊCH\nHọ và tên: Phan Thị Ngọc Ánh\nHọ và tên cha: Phan Văn Hòa\n" +
			"Họ và tên mẹ: Lê Thị Lựu\nQuê quán: xã Nghĩa Đàn", declared: Declared{Nominee: "p06"}, want: "p06"},
		{name: "place after a role", text: "BÁO CÁO CỦA NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM\ncủa người được lấy phiếu tín nhiệm tỉnh Hà Giang\n" +
			"Họ và tên: Lê Văn Tâm" + crit + sign("NGƯỜI BÁO CÁO", "Lê Văn Tâm"), declared: Declared{Nominee: "p01"}, want: "p01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterDT, tt.declared)
			if got.Nominee != tt.want {
				t.Errorf("nominee = %q (%.2f, candidates %v, off %q), want %q", got.Nominee, got.NomineeConfidence,
					got.Candidates, got.OffRosterOwners, tt.want)
			}
			if !slices.Equal(got.Candidates, tt.cands) {
				t.Errorf("candidates = %v, want %v", got.Candidates, tt.cands)
			}
			var review []string
			for _, w := range got.Warnings {
				if w == WarnAmbiguousNominee || w == WarnNomineeMismatch || w == WarnNomineeVariant {
					review = append(review, w)
				}
			}
			if !slices.Equal(review, tt.warn) {
				t.Errorf("nominee warnings = %v, want %v", review, tt.warn)
			}
			if !slices.Equal(got.OffRosterOwners, tt.off) {
				t.Errorf("off-roster owners = %q, want %q", got.OffRosterOwners, tt.off)
			}
			if got.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", got.Reason, tt.reason)
			}
		})
	}
}

// TestOwnerPlacesKind: the mismatch warning from a name off the roster does not depend on a kind
// being declared, and a declared kind does not hide a twin in the owner's place.
func TestOwnerPlacesKind(t *testing.T) {
	text := "BẢN TỰ KIỂM ĐIỂM\nHọ và tên: Nguyễn Văn Ân\n" + strings.Repeat("Nội dung tự kiểm điểm. ", 5) +
		"\nNGƯỜI TỰ KIỂM ĐIỂM\nNguyễn Văn An"
	for _, k := range []dossier.Kind{"", dossier.KindSelfAssessment} {
		got := Recognize(text, rosterDT, Declared{Kind: k})
		if got.Nominee != "" || !slices.Equal(got.Candidates, []string{"p09", "p10"}) {
			t.Errorf("declared kind %q: nominee %q candidates %v, want none and [p09 p10]", k, got.Nominee, got.Candidates)
		}
	}
}
