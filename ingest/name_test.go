package ingest

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn Hùng", "nguyen van hung"},
		{"NGUYỄN VĂN HƯNG", "nguyen van hung"},
		{"Đặng Đình Đức", "dang dinh duc"},
		{"ĐẢNG CỘNG SẢN VIỆT NAM", "dang cong san viet nam"},
		{"hoà", "hoa"}, {"hòa", "hoa"}, {"thuỷ", "thuy"}, {"thủy", "thuy"}, {"uỷ ban", "uy ban"},
		{norm.NFD.String("Lê Thị Thu Hòa"), "le thi thu hoa"},
		{"  Trần \t Quốc\n\nHùng  ", "tran quoc hung"},
		{"Trần\u00a0Quốc\u202fHùng", "tran quoc hung"},
		{"tư\u00adtưởng", "tutuong"},
		{"kiên\u200bđịnh", "kiendinh"},
		{"\ufb01nh", "finh"},
		{"ÐỖ VĂN ÐỨC", "do van duc"},
		{"Số: 15-CV/BTCTU", "so: 15-cv/btctu"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSyllableKey(t *testing.T) {
	same := [][2]string{
		{"hoà", "hòa"}, {"thuỷ", "thủy"}, {"uỷ", "ủy"}, {"HÙNG", "hùng"}, {"khoẻ", "khỏe"},
		{norm.NFD.String("Nguyễn"), "Nguyễn"}, {"Ðức", "Đức"},
	}
	for _, p := range same {
		if syllableKey(p[0]) != syllableKey(p[1]) {
			t.Errorf("syllableKey(%q) != syllableKey(%q)", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"Hùng", "Hưng"}, {"Thanh", "Thành"}, {"Thủy", "Thùy"}, {"An", "Ân"}, {"Tâm", "Tám"},
		{"Đức", "Duc"}, {"Hiếu", "Hiển"}, {"Lan", "Lân"},
	}
	for _, p := range differ {
		if syllableKey(p[0]) == syllableKey(p[1]) {
			t.Errorf("syllableKey(%q) == syllableKey(%q)", p[0], p[1])
		}
	}
}

// rosterBTV has two pairs of names that fold alike and one exact namesake pair.
var rosterBTV = []Person{
	{"n01", "Trần Quốc Hùng"},
	{"n03", "Nguyễn Văn Hùng"},
	{"n04", "Nguyễn Văn Hưng"},
	{"n05", "Phạm Minh Thanh"},
	{"n06", "Phạm Minh Thành"},
	{"n08", "Võ Thị Thuỷ"},
	{"n09", "Hoàng Đức Lâm"},
	{"n12", "Y Biêr Niê"},
	{"n16", "H'Hen Niê"},
}

func TestNameHits(t *testing.T) {
	ro := newRoster(rosterBTV)
	tests := []struct {
		name, text string
		want       [][]string // ids of each occurrence, in order
	}{
		{"exact", "Tôi là Nguyễn Văn Hùng.", [][]string{{"n03"}}},
		{"exact pair member", "đồng chí Nguyễn Văn Hưng", [][]string{{"n04"}}},
		{"upper case decides too", "NGUYỄN VĂN HƯNG", [][]string{{"n04"}}},
		{"no diacritics stays open", "NGUYEN VAN HUNG", [][]string{{"n03", "n04"}}},
		{"other diacritics stay open", "Nguyễn Văn Hừng", [][]string{{"n03", "n04"}}},
		{"unique name without marks", "Tran Quoc Hung", [][]string{{"n01"}}},
		{"tone placement", "Võ Thị Thủy", [][]string{{"n08"}}},
		{"doubled spaces", "Phạm   Minh    Thành", [][]string{{"n06"}}},
		{"split over lines", "Tôi tên là Phạm Minh\nThanh, Phó Chủ tịch", [][]string{{"n05"}}},
		{"split inside a syllable", "Hoàng Đức Lâ-\nm", [][]string{{"n09"}}},
		{"letter spaced", "H O À N G  Đ Ứ C  L Â M", [][]string{{"n09"}}},
		{"run together", "NGƯỜI KÊ KHAI: HoàngĐứcLâm", [][]string{{"n09"}}},
		{"decomposed input", norm.NFD.String("Nguyễn Văn Hưng"), [][]string{{"n04"}}},
		{"short syllables", "Người kê khai: Y Biêr Niê.", [][]string{{"n12"}}},
		{"apostrophe", "Tôi là H’Hen Niê, Phó Chủ tịch", [][]string{{"n16"}}},
		{"not inside a longer word", "Trần Quốc Hùngg", nil},
		{"not across a comma", "Trần Quốc, Hùng", nil},
		{"two people", "Trần Quốc Hùng và Hoàng Đức Lâm", [][]string{{"n01"}, {"n09"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, h := range ro.hits(newTextView(tt.text)) {
				var ids []string
				for _, i := range h.people {
					ids = append(ids, rosterBTV[i].ID)
				}
				got = append(got, ids)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRosterNote(t *testing.T) {
	ro := newRoster([]Person{{"a", "Nguyễn Văn Hùng (Bí thư)"}, {"b", "(Lê Văn Tám)"}})
	hs := ro.hits(newTextView("Tôi là Nguyễn Văn Hùng. Đồng chí Lê Văn Tám."))
	if len(hs) != 2 || hs[0].people[0] != 0 || hs[1].people[0] != 1 {
		t.Fatalf("hits = %+v", hs)
	}
}

func TestNamesakes(t *testing.T) {
	ro := newRoster([]Person{{"x02", "Nguyễn Thị Hằng"}, {"x03", "Nguyễn Thị Hằng"}, {"x04", "Sầm Văn Quý"}})
	hs := ro.hits(newTextView("Họ và tên: Nguyễn Thị Hằng"))
	if len(hs) != 1 || len(hs[0].people) != 2 || !hs[0].exact {
		t.Fatalf("hits = %+v, want one exact occurrence open between both namesakes", hs)
	}
}

// TestRecognizeNominee covers where the name stands and what surrounds it.
func TestRecognizeNominee(t *testing.T) {
	sa := dossier.KindSelfAssessment
	tests := []struct {
		name     string
		text     string
		declared Declared
		want     string
		cands    []string
		warn     string
		reason   string
	}{
		{name: "ho va ten label", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Nguyễn Văn Hưng\nChức vụ: Phó Bí thư",
			want: "n04"},
		{name: "diacritic pair exact", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phạm Minh Thanh", want: "n05"},
		{name: "diacritic pair without marks", text: "BAO CAO TU DANH GIA\nHo va ten: Pham Minh Thanh",
			cands: []string{"n05", "n06"}, warn: WarnAmbiguousNominee},
		{name: "signature block", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nPhối hợp với đồng chí Trần Quốc Hùng, Bí thư.\n" +
			"Tôi hoàn thành nhiệm vụ.\nNGƯỜI BÁO CÁO\n(Ký, ghi rõ họ tên)\nHoàng Đức Lâm", want: "n09"},
		{name: "signature in capitals", text: "BẢN TỰ KIỂM ĐIỂM\nNội dung tự kiểm điểm.\nNGƯỜI TỰ KIỂM ĐIỂM\nNGUYỄN VĂN HÙNG",
			want: "n03"},
		{name: "name split over lines", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nTôi tên là Võ Thị\nThủy, Chủ nhiệm Ủy ban Kiểm tra.",
			want: "n08"},
		{name: "only a colleague mentioned", text: "BÁO CÁO TỰ ĐÁNH GIÁ\n" + strings.Repeat("Nội dung tự đánh giá. ", 20) +
			"Dưới sự chỉ đạo của đồng chí Trần Quốc Hùng, tôi hoàn thành nhiệm vụ.", reason: ReasonUnknownNominee},
		{name: "heading of the report", text: "BÁO CÁO TỰ ĐÁNH GIÁ\ncủa đồng chí Hoàng Đức Lâm\nNội dung.", want: "n09"},
		{name: "requester vs named person", text: "ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Nguyễn Văn Hùng giải trình về việc " +
			"chậm giải ngân.\nNGƯỜI ĐỀ NGHỊ\n(Ký, ghi rõ họ tên)\nHoàng Đức Lâm", want: "n03"},
		{name: "requester says toi", text: "Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nTôi là Hoàng Đức Lâm, đề nghị đồng chí Phạm Minh Thành " +
			"giải trình việc giao đất.", want: "n06"},
		{name: "post between cue and name", text: "ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Bí thư Tỉnh ủy Trần Quốc Hùng giải trình " +
			"việc chậm giải ngân.\nNgười đề nghị\nHoàng Đức Lâm", want: "n01"},
		{name: "request signed by the board", text: "V/v đề nghị giải trình\nKính gửi: đồng chí Võ Thị Thủy\n" +
			"Đề nghị đồng chí giải trình bằng văn bản.\nT/M BAN TỔ CHỨC\nTRƯỞNG BAN\nTrần Quốc Hùng", want: "n08"},
		{name: "receiver vs declarant columns", text: "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNhà ở: 1 căn. Tổng thu nhập: 500 triệu đồng.\n" +
			"NGƯỜI NHẬN BẢN KÊ KHAI NGƯỜI KÊ KHAI TÀI SẢN\n(Ký, ghi rõ họ tên) (Ký, ghi rõ họ tên)\nNguyễn Văn Hưng Nguyễn Văn Hùng",
			want: "n03"},
		{name: "spouse on the roster", text: "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\n1. Người kê khai tài sản, thu nhập\n" +
			"- Họ và tên: Hoàng Đức Lâm\n2. Vợ hoặc chồng của người kê khai tài sản, thu nhập\n- Họ và tên: Võ Thị Thủy",
			want: "n09"},
		{name: "two addressees", text: "V/v đề nghị giải trình\nKính gửi:\n- Đồng chí Trần Quốc Hùng;\n- Đồng chí Hoàng Đức Lâm.\n" +
			"Đề nghị các đồng chí giải trình.", cands: []string{"n01", "n09"}, warn: WarnAmbiguousNominee},
		{name: "table of names", text: "DANH SÁCH\nNgười được lấy phiếu tín nhiệm năm 2028\nTT Họ và tên Chức vụ\n" +
			"1 Trần Quốc Hùng Bí thư\n2 Hoàng Đức Lâm Trưởng Ban Nội chính\n3 Võ Thị Thủy Chủ nhiệm UBKT",
			cands: []string{"n01", "n08", "n09"}, warn: WarnAmbiguousNominee},
		{name: "nobody", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Pờ Thị Mai", reason: ReasonUnknownNominee},
		{name: "declared and silent", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nNội dung.", declared: Declared{Nominee: "n01"}, want: "n01"},
		{name: "declared by name", text: "BÁO CÁO TỰ ĐÁNH GIÁ", declared: Declared{Nominee: "Trần Quốc Hùng"}, want: "n01"},
		{name: "declared resolves ambiguity", text: "BAO CAO TU DANH GIA\nHo va ten: Pham Minh Thanh",
			declared: Declared{Nominee: "n06"}, want: "n06", cands: []string{"n05", "n06"}},
		{name: "declared contradicted", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Hoàng Đức Lâm\nNGƯỜI BÁO CÁO\nHoàng Đức Lâm",
			declared: Declared{Kind: sa, Nominee: "n01"}, want: "n01", warn: WarnNomineeMismatch},
		{name: "misspelt name", text: "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Hoàng Đức Lầm", want: "n09", warn: WarnNomineeVariant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterBTV, tt.declared)
			if got.Nominee != tt.want {
				t.Errorf("nominee = %q (%.2f, candidates %v), want %q", got.Nominee, got.NomineeConfidence, got.Candidates, tt.want)
			}
			if tt.cands != nil && !slices.Equal(got.Candidates, tt.cands) {
				t.Errorf("candidates = %v, want %v", got.Candidates, tt.cands)
			}
			if tt.warn != "" && !slices.Contains(got.Warnings, tt.warn) {
				t.Errorf("warnings = %v, want %s", got.Warnings, tt.warn)
			}
			for _, w := range []string{WarnAmbiguousNominee, WarnNomineeMismatch} {
				if w != tt.warn && slices.Contains(got.Warnings, w) {
					t.Errorf("unexpected warning %s", w)
				}
			}
			if got.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", got.Reason, tt.reason)
			}
		})
	}
}
