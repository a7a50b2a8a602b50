package ingest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
)

// rosterRQ: the persons asked and two who may ask, all on one ballot; "Lê Văn Tâm" and "Lê Văn
// Tám" are diacritic twins.
var rosterRQ = []Person{
	{"r01", "Trần Quốc Hùng"},
	{"r02", "Hoàng Đức Lâm"},
	{"r03", "Lê Văn Tâm"},
	{"r04", "Lê Văn Tám"},
	{"r05", "Kiều Thị Mỹ Duyên"},
	{"r06", "Bùi Xuân Trường"},
}

// TestRequester: who asks, in the places papers write it, never the person asked; nobody where
// a body forwards the request on its own behalf.
func TestRequester(t *testing.T) {
	const head = "PHIẾU ĐỀ NGHỊ GIẢI TRÌNH\n"
	tests := []struct {
		name, text string
		want       string
		nominee    string // when not empty, the person asked must still be read
	}{
		{"field, off the roster",
			head + "Người đề nghị: Phan Văn Tiến\nNgười được đề nghị giải trình: đồng chí Trần Quốc Hùng, Bí thư Tỉnh ủy\n" +
				"Nội dung đề nghị giải trình: việc chậm triển khai dự án.",
			"Phan Văn Tiến", "r01"},
		{"field with the full label, both on the roster",
			head + "Họ và tên người đề nghị: Hoàng Đức Lâm\nChức vụ: Trưởng Ban Nội chính Tỉnh ủy\n" +
				"Người được đề nghị giải trình: Trần Quốc Hùng\nChức vụ: Bí thư Tỉnh ủy\nNội dung: việc quản lý đất đai.",
			"Hoàng Đức Lâm", "r01"},
		{"both on the roster, each after an honorific",
			head + "Người đề nghị: đồng chí Hoàng Đức Lâm\nNgười được đề nghị giải trình: đồng chí Trần Quốc Hùng\nNội dung: việc chậm giải ngân.",
			"Hoàng Đức Lâm", "r01"},
		{"subject first, requester on the roster after",
			head + "Người được đề nghị giải trình: Trần Quốc Hùng\nNgười đề nghị: Hoàng Đức Lâm\nNội dung: việc quản lý đất đai.",
			"Hoàng Đức Lâm", "r01"},
		{"delegate field",
			head + "Đại biểu đề nghị: Nguyễn Thị Mai Hương, Tổ đại biểu số 3\nĐề nghị bà Kiều Thị Mỹ Duyên, Giám đốc Sở Y tế, giải trình việc thiếu thuốc.",
			"Nguyễn Thị Mai Hương", "r05"},
		{"delegate name field",
			head + "Họ và tên đại biểu: Quàng Thị Dung. Tổ đại biểu: Tổ số 5.\nĐề nghị bà Kiều Thị Mỹ Duyên giải trình việc thiếu thuốc.",
			"Quàng Thị Dung", "r05"},
		{"voter field",
			head + "Người ghi phiếu: Đinh Văn Sáu\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Đinh Văn Sáu", "r01"},
		{"delegate: as a field",
			head + "Đại biểu: Phan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Phan Văn Tiến", "r01"},
		{"label with the signature instruction",
			head + "Người đề nghị (ký, ghi rõ họ tên): Phan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình.",
			"Phan Văn Tiến", "r01"},
		{"label and name in capitals",
			"ĐỀ NGHỊ GIẢI TRÌNH\nHỌ VÀ TÊN NGƯỜI ĐỀ NGHỊ: PHAN VĂN TIẾN\nNGƯỜI ĐƯỢC ĐỀ NGHỊ GIẢI TRÌNH: TRẦN QUỐC HÙNG\nNỘI DUNG: VIỆC CHẬM GIẢI NGÂN.",
			"PHAN VĂN TIẾN", "r01"},
		{"label, name on the next line after a colon",
			head + "Người đề nghị:\nPhan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Phan Văn Tiến", "r01"},
		{"signature column, name in capitals",
			head + "Đề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\n" +
				"Bình Sơn, ngày 01 tháng 12 năm 2028\nNGƯỜI ĐỀ NGHỊ\n(Ký, ghi rõ họ tên)\nPHAN VĂN TIẾN",
			"PHAN VĂN TIẾN", "r01"},
		{"signature column: người kiến nghị",
			head + "Đề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\nNGƯỜI KIẾN NGHỊ\n(Ký, ghi rõ họ tên)\nPhan Văn Tiến",
			"Phan Văn Tiến", "r01"},
		{"signature column: người gửi, on the roster",
			head + "Đề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\nNGƯỜI GỬI\nHoàng Đức Lâm",
			"Hoàng Đức Lâm", "r01"},
		{"signature column: đại biểu, in capitals right under it",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị bà Kiều Thị Mỹ Duyên giải trình việc thiếu thuốc tại bệnh viện tỉnh.\nĐẠI BIỂU\nLÂM VĂN TÀI",
			"LÂM VĂN TÀI", "r05"},
		{"two signature columns, the requester's on the right",
			head + "Đề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\n" +
				"XÁC NHẬN CỦA TỔ TRƯỞNG NGƯỜI ĐỀ NGHỊ\n(Ký, ghi rõ họ tên) (Ký, ghi rõ họ tên)\nHoàng Đức Lâm Phan Văn Tiến",
			"Phan Văn Tiến", "r01"},
		{"signature wrapped in a narrow column",
			"ĐỀ NGHỊ GIẢI TRÌNH\nKính gửi: đồng chí Trần Quốc Hùng, Bí thư Tỉnh ủy\nĐề nghị đồng chí giải trình về việc chậm triển khai dự án.\n" +
				"NGƯỜI\nĐỀ\nNGHỊ\n(Ký, ghi\nrõ họ\ntên)\nPhan\nVăn\nTiến",
			"Phan Văn Tiến", "r01"},
		{"the author says who he is",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nTôi là Phan Văn Tiến, đại biểu Hội đồng nhân dân tỉnh, đề nghị bà Kiều Thị Mỹ Duyên, " +
				"Giám đốc Sở Y tế, giải trình việc thiếu thuốc.",
			"Phan Văn Tiến", "r05"},
		{"the author, a delegate, on the roster, signing too",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nTôi, đại biểu Hoàng Đức Lâm, Tổ đại biểu huyện Bình Phước, đề nghị đồng chí Trần Quốc Hùng " +
				"giải trình làm rõ việc chậm giải ngân.\nBình Sơn, ngày 30 tháng 11 năm 2028\nĐẠI BIỂU\nHoàng Đức Lâm",
			"Hoàng Đức Lâm", "r01"},
		{"the author with a colon",
			"ĐỀ NGHỊ GIẢI TRÌNH\nTôi là: Phạm Thị Lan, Tỉnh ủy viên, Giám đốc Sở Giáo dục.\nTôi đề nghị đồng chí Trần Quốc Hùng giải trình làm rõ việc chậm giải ngân.",
			"Phạm Thị Lan", "r01"},
		{"a delegate named as the one who asks",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nTại phiên thảo luận tổ, đại biểu Phan Văn Tiến (Tổ đại biểu số 3)\nđề nghị bà Kiều Thị Mỹ Duyên giải trình việc thiếu thuốc.",
			"Phan Văn Tiến", "r05"},
		{"a forwarding letter names the delegate",
			"TỈNH ỦY BÌNH SƠN\nBAN TỔ CHỨC\nSố 19-CV/BTCTU\nV/v chuyển ý kiến đề nghị giải trình\nKính gửi: Đồng chí Trần Quốc Hùng, Bí thư Tỉnh ủy.\n" +
				"Ban Tổ chức Tỉnh ủy nhận được ý kiến của đại biểu Phan Văn Tiến đề nghị đồng chí giải trình về việc chậm giải ngân.\n" +
				"T/M BAN TỔ CHỨC\nTRƯỞNG BAN\nBùi Xuân Trường",
			"Phan Văn Tiến", "r01"},
		{"a section form",
			head + "I. NGƯỜI ĐỀ NGHỊ\nHọ và tên: Phan Văn Tiến\nĐơn vị: Tổ đại biểu số 3\nII. NGƯỜI ĐƯỢC ĐỀ NGHỊ GIẢI TRÌNH\n" +
				"Họ và tên: Trần Quốc Hùng\nChức vụ: Bí thư Tỉnh ủy\nIII. NỘI DUNG ĐỀ NGHỊ GIẢI TRÌNH\nViệc chậm giải ngân.",
			"Phan Văn Tiến", "r01"},
		{"the same person in the field and, in capitals, the signature",
			head + "Người đề nghị: Phan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\n" +
				"NGƯỜI ĐỀ NGHỊ\n(Ký, ghi rõ họ tên)\nPHAN VĂN TIẾN",
			"Phan Văn Tiến", "r01"},
		{"twins: the requester is the other twin",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Lê Văn Tâm, Giám đốc Công an tỉnh, giải trình về tình trạng tín dụng đen.\nNGƯỜI ĐỀ NGHỊ\nLê Văn Tám",
			"Lê Văn Tám", "r03"},
		{"without diacritics",
			"PHIEU DE NGHI GIAI TRINH\nNguoi de nghi: Phan Van Tien\nNguoi duoc de nghi giai trinh: Tran Quoc Hung\nNoi dung: viec cham giai ngan.",
			"Phan Van Tien", ""},
		{"a surname the name reader does not know, in a field",
			head + "Họ và tên người đề nghị: Mã Thị Kim Oanh\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Mã Thị Kim Oanh", "r01"},
		{"a surname the name reader does not know, signing",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Trần Quốc Hùng giải trình về tình trạng tín dụng đen.\nNGƯỜI ĐỀ NGHỊ\nĐồng Văn Tám",
			"Đồng Văn Tám", "r01"},
		{"a surname the name reader does not know, after an honorific",
			head + "Người đề nghị: Đồng chí Mã Văn Tư\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Mã Văn Tư", "r01"},
		{"a surname that is also a filler word",
			head + "Người đề nghị: Đồng Văn Tám, Tổ đại biểu số 2\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"Đồng Văn Tám", "r01"},
		{"an office in the field is no name",
			head + "Người đề nghị: Ban Thường vụ Tỉnh ủy\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"", "r01"},
		{"a post between the label and the name is no name",
			head + "Người đề nghị: Tổ trưởng Tổ đại biểu số 3\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân.",
			"", "r01"},

		// Nobody who asks.
		{"the board forwards, signing on its behalf",
			"TỈNH ỦY BÌNH SƠN ĐẢNG CỘNG SẢN VIỆT NAM\nBAN TỔ CHỨC\nSố 15-CV/BTCTU Bình Sơn, ngày 02 tháng 12 năm 2028\n" +
				"V/v chuyển ý kiến đề nghị giải trình\nKính gửi: Đồng chí Trần Quốc Hùng, Bí thư Tỉnh ủy.\n" +
				"Ban Tổ chức Tỉnh ủy nhận được ý kiến đề nghị giải trình của đại biểu dự Hội nghị đối với đồng chí.\n" +
				"Đề nghị đồng chí giải trình bằng văn bản trước ngày 08/12/2028.\nNơi nhận: T/M BAN TỔ CHỨC\n- Như trên, TRƯỞNG BAN\n- Lưu VT.\nBùi Xuân Trường",
			"", "r01"},
		{"the board forwards a list of opinions to two persons",
			"TỈNH ỦY BÌNH SƠN\nBAN TỔ CHỨC\nSố 18-CV/BTCTU\nV/v chuyển ý kiến đề nghị giải trình\nKính gửi:\n" +
				"- Đồng chí Trần Quốc Hùng, Bí thư Tỉnh ủy;\n- Đồng chí Kiều Thị Mỹ Duyên, Giám đốc Sở Y tế.\n" +
				"Ban Tổ chức Tỉnh ủy nhận được các ý kiến đề nghị giải trình sau:\n1. Việc chậm giải ngân vốn đầu tư công.\n2. Tình trạng thiếu thuốc.\n" +
				"K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN\nĐinh Công Khoa",
			"", ""},
		{"the field left blank",
			"PHIẾU GHI Ý KIẾN\n(Đề nghị giải trình)\nNgười đề nghị (không bắt buộc ghi tên): ..................\nĐề nghị đồng chí: Trần Quốc Hùng\n" +
				"Giải trình nội dung: việc chậm giải ngân.\nNgười ghi ý kiến\n(Ký tên)",
			"", "r01"},
		{"the person addressed as a delegate",
			"ĐỀ NGHỊ GIẢI TRÌNH\nKính gửi: Đại biểu Phan Văn Tiến, Trưởng Ban Pháp chế\nĐề nghị đại biểu giải trình việc thẩm tra dự thảo nghị quyết.",
			"", ""},
		{"the person asked is named as the requester too",
			head + "Người đề nghị: Trần Quốc Hùng\nNgười được đề nghị giải trình: Trần Quốc Hùng\nNội dung: việc chậm giải ngân.",
			"", "r01"},
		{"the person asked, a delegate who is asked",
			"Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH\nĐại biểu Phan Văn Tiến được đề nghị giải trình việc vắng mặt tại kỳ họp.",
			"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterRQ, Declared{})
			if got.Kind != dossier.KindExplanationRequest {
				t.Fatalf("kind = %s, want %s", got.Kind, dossier.KindExplanationRequest)
			}
			if got.Requester != tt.want {
				t.Errorf("requester = %q, want %q", got.Requester, tt.want)
			}
			if tt.nominee != "" && got.Nominee != tt.nominee {
				t.Errorf("nominee = %q (candidates %v, warnings %v), want %q", got.Nominee, got.Candidates, got.Warnings, tt.nominee)
			}
		})
	}
}

// TestRequesterOnlyInRequests: the signer of other papers, and a requester an explanation
// quotes, are nobody's requester.
func TestRequesterOnlyInRequests(t *testing.T) {
	tests := []struct{ name, text string }{
		{"explanation quoting the request",
			"BÁO CÁO GIẢI TRÌNH\nTheo đề nghị của đại biểu Phan Văn Tiến, tôi xin giải trình như sau: việc chậm giải ngân do vướng mặt bằng.\n" +
				"NGƯỜI GIẢI TRÌNH\nTrần Quốc Hùng"},
		{"self-assessment", "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nTôi tự đánh giá ưu điểm, hạn chế.\nNGƯỜI BÁO CÁO\nTrần Quốc Hùng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterRQ, Declared{})
			if got.Kind == dossier.KindExplanationRequest {
				t.Fatalf("kind = %s", got.Kind)
			}
			if got.Requester != "" {
				t.Errorf("requester = %q, want none", got.Requester)
			}
		})
	}
	// Declared a request, the paper is read as one.
	text := "Người đề nghị: Phan Văn Tiến\nĐồng chí Trần Quốc Hùng giải trình."
	if got := Recognize(text, rosterRQ, Declared{Kind: dossier.KindExplanationRequest}); got.Requester != "Phan Văn Tiến" {
		t.Errorf("declared request: requester = %q, want %q", got.Requester, "Phan Văn Tiến")
	}
}

// TestRequesterWritten: the name comes back as written, NFC with its spacing collapsed, whatever
// the extraction left.
func TestRequesterWritten(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"decomposed marks", norm.NFD.String("ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị: Phan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình."),
			"Phan Văn Tiến"},
		{"spaces", "ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị:   Phan \u00a0Văn\tTiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình.", "Phan Văn Tiến"},
		{"soft hyphen", "ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị: Phan Văn Ti\u00adến\nĐề nghị đồng chí Trần Quốc Hùng giải trình.", "Phan Văn Tiến"},
		{"old tone placement kept", "ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị: Lê Thị Thu Hoà\nĐề nghị đồng chí Trần Quốc Hùng giải trình.",
			"Lê Thị Thu Hoà"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterRQ, Declared{}).Requester
			if got != tt.want {
				t.Errorf("requester = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzRequester: any text gives, within bounds, a requester that is valid NFC text, spaced
// once, and made of words the text has.
func FuzzRequester(f *testing.F) {
	for _, s := range []string{"", "Người đề nghị:", "Người đề nghị: Phan Văn Tiến", "NGƯỜI ĐỀ NGHỊ\nPHAN VĂN TIẾN",
		"Tôi, đại biểu Lâm Văn Tài,", "Đại biểu: \u0301\u0301", "NGƯỜI\nĐỀ\nNGHỊ\nA\nB", "ĐẠI BIỂU ĐẠI BIỂU\nA B C D",
		"I. NGƯỜI ĐỀ NGHỊ\nHọ và tên:", "ý kiến của đại biểu Ð\u0323 Văn A đề nghị", "\xff\xfeNgười gửi: Lê Văn Tâm",
		strings.Repeat("Người đề nghị: Lê Văn Tâm\n", 40)} {
		f.Add(s)
	}
	rz := sharedRecognizer()
	ro := newRoster(rosterRQ)
	f.Fuzz(func(t *testing.T, text string) {
		start := time.Now()
		got := rz.requester(newTextView(text), ro)
		if d := time.Since(start); d > time.Second && len(text) < 1<<16 {
			t.Errorf("took %v on %d bytes", d, len(text))
		}
		if got == "" {
			return
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) || strings.Join(strings.Fields(got), " ") != got {
			t.Errorf("requester %q is not NFC text spaced once", got)
		}
		folded := strings.ReplaceAll(Fold(text), " ", "")
		for _, name := range strings.Split(got, ", ") {
			if !strings.Contains(folded, strings.ReplaceAll(Fold(name), " ", "")) {
				t.Errorf("requester %q is not in the text", name)
			}
		}
	})
}
