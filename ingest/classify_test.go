package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
)

// corpusCase is one document of testdata/classify with what Recognize must say about it.
type corpusCase struct {
	File     string `json:"file"`
	Roster   string `json:"roster"`
	Declared struct {
		Kind    dossier.Kind `json:"kind"`
		Nominee string       `json:"nominee"`
	} `json:"declared"`
	Kind    dossier.Kind `json:"kind"`
	Nominee string       `json:"nominee"`
	// What the content alone says, when a declaration overrides it.
	ContentKind    dossier.Kind `json:"content_kind"`
	ContentNominee string       `json:"content_nominee"`
	Missing        *[]string    `json:"missing"`
	Warnings       []string     `json:"warnings"`
	Candidates     []string     `json:"candidates"`
	Reason         string       `json:"reason"`
	RequestRef     *string      `json:"request_ref"`
	// The names off the roster that stand in the owner's place, when stated.
	OffRoster *[]string `json:"off_roster"`
}

// reviewCodes are the warnings that send a document to a person; a case must expect each one it
// gets, so that a change cannot quietly push good documents into review.
var reviewCodes = []string{WarnKindMismatch, WarnNomineeMismatch, WarnAmbiguousNominee, WarnKindUncertain,
	WarnNomineeVariant}

func loadCorpus(t testing.TB) (map[string][]Person, []corpusCase) {
	t.Helper()
	dir := filepath.Join("testdata", "classify")
	var rosters map[string][]struct{ ID, Name string }
	readJSON(t, filepath.Join(dir, "rosters.json"), &rosters)
	people := map[string][]Person{}
	for k, rs := range rosters {
		for _, r := range rs {
			people[k] = append(people[k], Person{ID: r.ID, Name: r.Name})
		}
	}
	var cases []corpusCase
	readJSON(t, filepath.Join(dir, "cases.json"), &cases)
	return people, cases
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestRecognizeCorpus runs every document of the corpus and requires all kinds and persons right.
func TestRecognizeCorpus(t *testing.T) {
	rosters, cases := loadCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	var kindsOK, peopleOK int
	for _, c := range cases {
		roster, ok := rosters[c.Roster]
		if !ok {
			t.Fatalf("%s: unknown roster %q", c.File, c.Roster)
		}
		b, err := os.ReadFile(filepath.Join("testdata", "classify", c.File))
		if err != nil {
			t.Fatal(err)
		}
		got := Recognize(string(b), roster, Declared{Kind: c.Declared.Kind, Nominee: c.Declared.Nominee})
		name := c.File
		if c.Declared.Kind != "" || c.Declared.Nominee != "" {
			name += " (declared)"
		}
		t.Run(name, func(t *testing.T) {
			if got.Kind == c.Kind {
				kindsOK++
			} else {
				t.Errorf("kind = %s (%.2f), want %s", got.Kind, got.KindConfidence, c.Kind)
			}
			if got.Nominee == c.Nominee {
				peopleOK++
			} else {
				t.Errorf("nominee = %q (%.2f, candidates %v), want %q", got.Nominee, got.NomineeConfidence,
					got.Candidates, c.Nominee)
			}
			checkRecognition(t, c, got)
			if c.ContentKind != "" || c.ContentNominee != "" {
				plain := Recognize(string(b), roster, Declared{})
				if c.ContentKind != "" && plain.Kind != c.ContentKind {
					t.Errorf("content kind = %s, want %s", plain.Kind, c.ContentKind)
				}
				if c.ContentNominee != "" && plain.Nominee != c.ContentNominee {
					t.Errorf("content nominee = %q, want %q", plain.Nominee, c.ContentNominee)
				}
			}
		})
	}
	n := len(cases)
	t.Logf("corpus: kinds %d/%d (%.1f%%), persons %d/%d (%.1f%%)", kindsOK, n, 100*float64(kindsOK)/float64(n),
		peopleOK, n, 100*float64(peopleOK)/float64(n))
	if kindsOK != n || peopleOK != n {
		t.Errorf("corpus accuracy below 100%%")
	}
}

func checkRecognition(t *testing.T, c corpusCase, got Recognition) {
	t.Helper()
	for _, w := range c.Warnings {
		if !slices.Contains(got.Warnings, w) {
			t.Errorf("warnings %v lack %q", got.Warnings, w)
		}
	}
	for _, w := range got.Warnings {
		if slices.Contains(reviewCodes, w) && !slices.Contains(c.Warnings, w) {
			t.Errorf("unexpected warning %q (kind %.2f, nominee %.2f)", w, got.KindConfidence, got.NomineeConfidence)
		}
	}
	if c.Kind == dossier.KindSelfAssessment && c.Missing == nil {
		t.Errorf("case must state the missing criteria of a self-assessment")
	}
	if c.Missing != nil && !slices.Equal(got.MissingCriteria, *c.Missing) &&
		(len(got.MissingCriteria) > 0 || len(*c.Missing) > 0) {
		t.Errorf("missing criteria = %v, want %v", got.MissingCriteria, *c.Missing)
	}
	if c.Candidates != nil && !slices.Equal(got.Candidates, c.Candidates) {
		t.Errorf("candidates = %v, want %v", got.Candidates, c.Candidates)
	}
	if got.Reason != c.Reason {
		t.Errorf("reason = %q, want %q", got.Reason, c.Reason)
	}
	if c.RequestRef != nil && got.RequestRef != *c.RequestRef {
		t.Errorf("request ref = %q, want %q", got.RequestRef, *c.RequestRef)
	}
	if c.OffRoster != nil && !slices.Equal(got.OffRosterOwners, *c.OffRoster) &&
		(len(got.OffRosterOwners) > 0 || len(*c.OffRoster) > 0) {
		t.Errorf("off-roster owners = %q, want %q", got.OffRosterOwners, *c.OffRoster)
	}
	if got.KindConfidence < 0 || got.KindConfidence > 1 || got.NomineeConfidence < 0 || got.NomineeConfidence > 1 {
		t.Errorf("confidences out of range: %v %v", got.KindConfidence, got.NomineeConfidence)
	}
}

// TestRecognizeKind covers titles, their placement and the body cues on short texts.
func TestRecognizeKind(t *testing.T) {
	sa, ad := dossier.KindSelfAssessment, dossier.KindAssetDeclaration
	rq, ex, ot := dossier.KindExplanationRequest, dossier.KindExplanation, dossier.KindOther
	criteria := "\nPhẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật tốt; hoàn thành chức trách."
	tests := []struct {
		name string
		text string
		want dossier.Kind
	}{
		{"self title", "ĐẢNG CỘNG SẢN VIỆT NAM\nBÁO CÁO TỰ ĐÁNH GIÁ" + criteria, sa},
		{"self, report of the person", "Báo cáo của người được lấy phiếu tín nhiệm" + criteria, sa},
		{"self, tự kiểm điểm", "BẢN TỰ KIỂM ĐIỂM\nnăm 2028", sa},
		{"self, state track report", "BÁO CÁO\nKết quả thực hiện chức trách, nhiệm vụ\n(Dùng cho người được lấy phiếu tín nhiệm)", sa},
		{"self mentioning assets", "BÁO CÁO TỰ ĐÁNH GIÁ\nThực hiện kê khai tài sản, thu nhập đúng quy định; bản kê khai tài sản, thu nhập đã nộp." + criteria, sa},
		{"self, title split and letter spaced", "B Á O  C Á O\nT Ự  Đ Á N H  G I Á" + criteria, sa},
		{"asset title", "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\n(Kê khai hằng năm)", ad},
		{"asset title broken", "BẢN KÊ KHAI TÀI SẢN, THU\nNHẬP", ad},
		{"asset by structure", "1. Quyền sử dụng thực tế đối với đất: 100 m2.\n2. Nhà ở: 1 căn.\n3. Tổng thu nhập giữa hai lần kê khai: 500 triệu đồng.\n" +
			"NGƯỜI NHẬN BẢN KÊ KHAI\nNGƯỜI KÊ KHAI TÀI SẢN", ad},
		{"request title", "ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí giải trình việc chậm tiến độ.", rq},
		{"request, opinion", "Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH", rq},
		{"request, subject line", "BAN TỔ CHỨC\nSố 15-CV/BTC\nV/v chuyển ý kiến đề nghị giải trình\nKính gửi: đồng chí A", rq},
		{"request, generic title", "THÔNG BÁO\nVề việc đề nghị giải trình\nĐề nghị đồng chí có văn bản giải trình.", rq},
		{"request, đơn", "ĐƠN ĐỀ NGHỊ GIẢI TRÌNH", rq},
		{"request, lead word in the title", "PHIẾU GÓP Ý VÀ ĐỀ NGHỊ GIẢI TRÌNH\n(Dành cho Ủy viên Ban Chấp hành)\n" +
			"Tôi là A.\nĐề nghị đồng chí B giải trình.\nĐông Sơn, ngày 02 tháng 12 năm 2028", rq},
		{"agency name is not a title", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 2011/SKHĐT-VP\n" +
			"Kính gửi: Ban Tổ chức\nTôi xin báo cáo, giải trình như sau: việc điều chỉnh vốn đúng thẩm quyền.", ex},
		{"explanation title", "BÁO CÁO GIẢI TRÌNH\nVề ý kiến đề nghị giải trình của đại biểu\nTôi xin giải trình như sau:", ex},
		{"explanation quoting the request", "BẢN GIẢI TRÌNH\n(Trả lời Phiếu đề nghị giải trình số 03)\nTheo đề nghị giải trình của đồng chí, tôi xin giải trình.", ex},
		{"explanation of assets", "BẢN GIẢI TRÌNH\nNhà ở, quyền sử dụng đất, tổng thu nhập giữa hai lần kê khai đều đúng như bản kê khai tài sản, thu nhập.", ex},
		{"explanation, subject line", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ\nV/v giải trình ý kiến đại biểu\nKính gửi: Thường trực HĐND", ex},
		{"explanation without title", "Kính gửi: Ban Tổ chức\nTôi xin giải trình như sau: việc chậm tiến độ do vướng mặt bằng. Tôi xin tiếp thu.", ex},
		{"other, plan", "KẾ HOẠCH\nLấy phiếu tín nhiệm\n1. Báo cáo tự đánh giá\n2. Bản kê khai tài sản, thu nhập\n3. Báo cáo giải trình" + criteria, ot},
		{"other, minutes", "BIÊN BẢN KIỂM PHIẾU\nSố phiếu phát ra: 45", ot},
		{"other, decision", "QUYẾT ĐỊNH\nĐiều 1. Chỉ định đồng chí A.", ot},
		{"other, handover of a declaration", "BIÊN BẢN\nGiao nhận bản kê khai tài sản, thu nhập", ot},
		{"empty", "", ot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, rosterBTV, Declared{})
			if got.Kind != tt.want {
				t.Errorf("kind = %s (%.2f), want %s", got.Kind, got.KindConfidence, tt.want)
			}
		})
	}
}

func TestKindDeclared(t *testing.T) {
	text := "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nNhà ở, quyền sử dụng đất, tổng thu nhập."
	got := Recognize(text, rosterBTV, Declared{Kind: dossier.KindSelfAssessment})
	if got.Kind != dossier.KindSelfAssessment || !slices.Contains(got.Warnings, WarnKindMismatch) {
		t.Errorf("declared self, content asset: kind %s warnings %v", got.Kind, got.Warnings)
	}
	if len(got.MissingCriteria) > 0 {
		t.Errorf("criteria judged on a mismatched paper: %v", got.MissingCriteria)
	}
	// Silence is not contradiction.
	got = Recognize("Tài liệu đính kèm.", rosterBTV, Declared{Kind: dossier.KindExplanation, Nominee: "n01"})
	if got.Kind != dossier.KindExplanation || got.Nominee != "n01" || len(got.Warnings) > 0 {
		t.Errorf("declared, silent content: %+v", got)
	}
	got = Recognize(text, rosterBTV, Declared{Kind: dossier.KindAssetDeclaration})
	if len(got.Warnings) > 0 || got.KindConfidence < 0.9 {
		t.Errorf("declared and agreeing: %+v", got)
	}
	got = Recognize("", rosterBTV, Declared{})
	if got.Kind != dossier.KindOther || !slices.Contains(got.Warnings, WarnKindUncertain) || got.Reason != ReasonUnknownNominee {
		t.Errorf("empty text: %+v", got)
	}
}

func TestRequestRef(t *testing.T) {
	rq, ex := dossier.KindExplanationRequest, dossier.KindExplanation
	tests := []struct {
		name string
		kind dossier.Kind
		text string
		want string
	}{
		{"request number and header date", rq, "BAN TỔ CHỨC\nSố: 05-CV/BTC\nBình Sơn, ngày 2 tháng 12 năm 2028\nV/v đề nghị giải trình\n" +
			"Theo Kết luận số 09/KL-TTr ngày 14/6/2027…", "số 05-CV/BTC ngày 02/12/2028"},
		{"request subject only", rq, "V/v đề nghị giải trình về dự án\nđường ven biển\nKính gửi: đồng chí A", "V/v đề nghị giải trình về dự án đường ven biển"},
		{"request date only", rq, "PHIẾU ĐỀ NGHỊ GIẢI TRÌNH\nNội dung: chậm tiến độ dự án số 3 (2027).\nNgày 01 tháng 12 năm 2028", "ngày 01/12/2028"},
		{"explanation cites a letter", ex, "BÁO CÁO GIẢI TRÌNH\nThực hiện Công văn số 15-CV/BTCTU\nngày 02/12/2028 của Ban Tổ chức, tôi xin giải trình.",
			"số 15-CV/BTCTU ngày 02/12/2028"},
		{"explanation skips its own number", ex, "SỞ Y TẾ\nSố: 99/SYT-VP\nHòa Nam, ngày 05 tháng 12 năm 2028\nV/v giải trình\n" +
			"Thực hiện Phiếu đề nghị giải trình số 03/PĐN ngày 01/12/2028, tôi xin giải trình.", "số 03/PĐN ngày 01/12/2028"},
		{"explanation cites a date", ex, "BÁO CÁO GIẢI TRÌNH\n(Theo đề nghị giải trình của Ban Tổ chức ngày 03/12/2028)", "ngày 03/12/2028"},
		{"explanation subject line", ex, "V/v giải trình ý kiến cử tri\nKính gửi: Thường trực HĐND", "V/v giải trình ý kiến cử tri"},
		{"explanation heading", ex, "BÁO CÁO GIẢI TRÌNH\nVề việc chậm giao đất tái định cư\nTôi xin giải trình.", "V/v chậm giao đất tái định cư"},
		{"nothing", ex, "BÁO CÁO GIẢI TRÌNH\nTôi xin giải trình.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestRef(newTextView(tt.text), tt.kind); got != tt.want {
				t.Errorf("requestRef = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzRecognize: any text, roster and declaration gives an answer within bounds, never a panic.
func FuzzRecognize(f *testing.F) {
	_, cases := loadCorpus(f)
	for _, c := range cases[:8] {
		b, err := os.ReadFile(filepath.Join("testdata", "classify", c.File))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "Nguyễn Văn Hùng", "")
	}
	for _, s := range []string{"", "\x00", "đ", "\u0301\u0301", "Ð\u0323", "ﬁ", "\n\n\f", "V/v", "Số: 1-2/3 ngày 99/99/2028",
		"Họ và tên:", "NGƯỜI KÊ KHAI NGƯỜI NHẬN BẢN KÊ KHAI\nA B", strings.Repeat("đồng chí ", 50), "\xff\xfe"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, text, name, declared string) {
		roster := []Person{{"a", name}, {"b", "Nguyễn Văn Hưng"}, {"c", Fold(name)}, {"d", ""}}
		start := time.Now()
		r := Recognize(text, roster, Declared{Nominee: declared, Kind: dossier.Kind(declared)})
		if d := time.Since(start); d > 2*time.Second && len(text) < 1<<16 {
			t.Errorf("took %v on %d bytes", d, len(text))
		}
		if r.KindConfidence < 0 || r.KindConfidence > 1 || r.NomineeConfidence < 0 || r.NomineeConfidence > 1 ||
			r.KindConfidence != r.KindConfidence || r.NomineeConfidence != r.NomineeConfidence {
			t.Errorf("confidences out of range: %v %v", r.KindConfidence, r.NomineeConfidence)
		}
		if declared == "" && r.Nominee != "" && !slices.ContainsFunc(roster, func(p Person) bool { return p.ID == r.Nominee }) {
			t.Errorf("nominee %q not on the roster", r.Nominee)
		}
		if r.Nominee != "" && r.Reason != "" {
			t.Errorf("nominee %q with reason %q", r.Nominee, r.Reason)
		}
		if !utf8.ValidString(r.RequestRef) {
			t.Errorf("request ref not UTF-8: %q", r.RequestRef)
		}
	})
}

// BenchmarkRecognize reads a 4 KB asset declaration against the 15-person roster it belongs to
// (rounds of the load corpus have 19), the same against a 5,000-person round that holds those 15
// (the largest rosters there are), and 100 copies of it as one 400 KB text.
func BenchmarkRecognize(b *testing.B) {
	rosters, _ := loadCorpus(b)
	doc, err := os.ReadFile(filepath.Join("testdata", "classify", "ad01_nd130_two_columns.txt"))
	if err != nil {
		b.Fatal(err)
	}
	large := append(slices.Clone(rosters["btv"]), generatedRoster(5000-len(rosters["btv"]))...)
	for _, bc := range []struct {
		name   string
		text   string
		roster []Person
	}{
		{"asset_declaration_4KB", string(doc), rosters["btv"]},
		{"asset_declaration_4KB_roster_5000", string(doc), large},
		{"repeated_400KB", strings.Repeat(string(doc), 100), rosters["btv"]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			var rc Recognizer // as the ingest worker reads a round's documents
			for b.Loop() {
				rc.Recognize(bc.text, bc.roster, Declared{})
			}
		})
	}
}

// generatedRoster makes n persons with common Vietnamese names, namesakes and diacritic twins
// among them as in a large round, the same every time.
func generatedRoster(n int) []Person {
	surnames := strings.Fields("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn " +
		"Vương Trịnh Trương Lâm Phùng Mai Tô Hà Cao Đinh Lương")
	middles := strings.Fields("Văn Thị Hữu Đức Công Quốc Minh Ngọc Thanh Xuân Thu Kim Đình Quang Bá Duy Mạnh " +
		"Trọng Tiến Hồng Gia")
	given := strings.Fields("Hùng Hưng Tâm Tám Bình Lan Huệ Nhung Yến Tú Phúc Dũng Tài Oanh Hà Hải Sơn Long " +
		"Minh Tuấn Thảo Trang Linh Nga Khoa Đạt Phong Quân Vinh Hòa Thủy Thắng Lợi Nam Bắc Đông")
	out := make([]Person, n)
	x := uint32(12345)
	next := func(k int) int {
		x = x*1664525 + 1013904223
		return int(x>>8) % k
	}
	for i := range out {
		name := surnames[next(len(surnames))] + " " + middles[next(len(middles))] + " " + given[next(len(given))]
		out[i] = Person{ID: fmt.Sprintf("g%04d", i), Name: name}
	}
	return out
}

// TestRecognizePDFs runs the whole text path on documents LibreOffice made: pdftext extracts the
// text, Recognize reads it. The layouts (header tables, signature columns, asset tables) put
// words in the order a real extraction does, which hand-written text cannot promise.
func TestRecognizePDFs(t *testing.T) {
	dir := filepath.Join("testdata", "classify", "pdf")
	var exp struct {
		Rosters map[string][]Person `json:"rosters"`
		Cases   []struct {
			Name       string       `json:"name"`
			Roster     string       `json:"roster"`
			Kind       dossier.Kind `json:"kind"`
			Nominee    string       `json:"nominee"`
			RequestRef string       `json:"request_ref"`
		} `json:"cases"`
	}
	readJSON(t, filepath.Join(dir, "expect.json"), &exp)
	var kindsOK, peopleOK int
	for _, c := range exp.Cases {
		t.Run(c.Name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, c.Name+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := pdftext.Extract(bytes.NewReader(b), int64(len(b)), pdftext.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := Recognize(res.Text, exp.Rosters[c.Roster], Declared{})
			if got.Kind == c.Kind {
				kindsOK++
			} else {
				t.Errorf("kind = %s (%.2f), want %s", got.Kind, got.KindConfidence, c.Kind)
			}
			if got.Nominee == c.Nominee {
				peopleOK++
			} else {
				t.Errorf("nominee = %q (candidates %v), want %q", got.Nominee, got.Candidates, c.Nominee)
			}
			if c.RequestRef != "" && got.RequestRef != c.RequestRef {
				t.Errorf("request ref = %q, want %q", got.RequestRef, c.RequestRef)
			}
			if slices.Contains(got.Warnings, WarnKindUncertain) {
				t.Errorf("kind uncertain (%.2f)", got.KindConfidence)
			}
		})
	}
	n := len(exp.Cases)
	t.Logf("PDFs: kinds %d/%d, persons %d/%d", kindsOK, n, peopleOK, n)
}
