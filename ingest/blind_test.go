package ingest

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
)

// The blind corpus (testdata/blind) is a set of dossier papers written as office documents,
// saved as .docx by LibreOffice and printed to PDF, plus bad files, made without looking at the
// recognizer or its corpus and with every expectation fixed before the first run. build.sh
// rebuilds it from the sources; README.md there says what each part is.

var blindDebug = flag.String("blind.debug", "", "print the text and the recognizer's evidence for this blind corpus file")

// blindCase is one line of testdata/blind/expect.tsv.
type blindCase struct {
	File, Round, Status, Kind, Nominee, Reason, Note string
	RequestRef                                       string   // checked when not empty
	Warnings                                         []string // documents: exactly these
}

func loadBlind(t testing.TB) (map[string]dossier.Round, []blindCase) {
	t.Helper()
	dir := filepath.Join("testdata", "blind")
	rounds := map[string]dossier.Round{}
	for _, name := range []string{"party", "state"} {
		b, err := os.ReadFile(filepath.Join(dir, "rounds", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := dossier.ParseRound(b)
		if err != nil {
			t.Fatalf("round %s: %v", name, err)
		}
		rounds[name] = r
	}
	f, err := os.Open(filepath.Join(dir, "expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []blindCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) != 9 {
			t.Fatalf("expect.tsv: %d columns in %q", len(col), line)
		}
		for i := range col {
			if col[i] == "-" {
				col[i] = ""
			}
		}
		c := blindCase{col[0], col[1], col[2], col[3], col[4], col[5], col[6], col[7], nil}
		if col[8] != "" {
			c.Warnings = strings.Split(col[8], ",")
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rounds, cases
}

// blindReceived is when the blind uploads arrive: before every deadline of both rounds.
var blindReceived = time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)

// blindVerdict runs one file the way the ingest worker does, with the extractor in process.
func blindVerdict(t testing.TB, r dossier.Round, file string) (dossier.Document, string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ex Extraction
	res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{MaxDecompressed: 64 << 20, Timeout: 20 * time.Second})
	if err != nil && pdftext.Code(err) == "" {
		t.Fatalf("%s: extract: %v", file, err)
	}
	ex.Pages, ex.Text, ex.Code = res.Pages, res.Text, pdftext.Code(err)
	d := dossier.Document{ID: filepath.Base(file), Round: r.ID, File: filepath.Base(file), ReceivedAt: blindReceived}
	return Decide(d, r, ex), ex.Text
}

// TestBlindCorpus asserts every expectation of the blind corpus: status, kind, nominee and, for
// bad files, the reason. The long and bomb files are not stored (see build.sh); pdftext's own
// tests cover those limits.
func TestBlindCorpus(t *testing.T) {
	rounds, cases := loadBlind(t)
	var docs, kindsOK, personsOK, bad, reasonsOK, ran int
	for _, c := range cases {
		file := filepath.Join("testdata", "blind", "pdf", c.File)
		if _, err := os.Stat(file); err != nil {
			continue
		}
		ran++
		r, ok := rounds[c.Round]
		if !ok {
			t.Fatalf("%s: unknown round %q", c.File, c.Round)
		}
		got, text := blindVerdict(t, r, file)
		if *blindDebug == c.File {
			blindExplain(t, r, text)
		}
		t.Run(c.File, func(t *testing.T) {
			if c.Reason != "" && c.Kind == "" {
				bad++
				if got.Reason == c.Reason {
					reasonsOK++
				}
			} else {
				docs++
				if string(got.Kind) == c.Kind {
					kindsOK++
				}
				if got.Nominee == c.Nominee {
					personsOK++
				}
			}
			if c.Reason == "" || c.Kind != "" {
				gw, ww := slices.Sorted(slices.Values(got.Warnings)), slices.Sorted(slices.Values(c.Warnings))
				if !slices.Equal(gw, ww) {
					t.Errorf("%s: warnings = %v, want %v", c.File, gw, ww)
				}
			}
			if c.RequestRef != "" && got.RequestRef != c.RequestRef {
				t.Errorf("%s: request ref = %q, want %q", c.File, got.RequestRef, c.RequestRef)
			}
			if got.Status != dossier.StatusAccepted && (got.Message == "" || !norm.NFC.IsNormalString(got.Message)) {
				t.Errorf("%s: %s without an NFC message for people: %q", c.File, got.Status, got.Message)
			}
			if got.Status != c.Status || string(got.Kind) != c.Kind || got.Nominee != c.Nominee || got.Reason != c.Reason {
				t.Errorf("%s (%s): got %s kind=%q nominee=%q reason=%q %v; want %s kind=%q nominee=%q reason=%q",
					c.File, c.Note, got.Status, got.Kind, got.Nominee, got.Reason, got.Warnings,
					c.Status, c.Kind, c.Nominee, c.Reason)
			}
		})
	}
	if ran < 50 {
		t.Fatalf("only %d blind files found", ran)
	}
	t.Logf("blind corpus: kinds %d/%d, persons %d/%d, bad-file reasons %d/%d", kindsOK, docs, personsOK, docs, reasonsOK, bad)
}

// blindExplain prints what the recognizer saw in one text: the kind scores and each name
// occurrence with its score.
func blindExplain(t testing.TB, r dossier.Round, text string) {
	rz := sharedRecognizer()
	v := newTextView(text)
	ks := rz.scoreKinds(v)
	kind, conf := ks.best()
	var b strings.Builder
	fmt.Fprintf(&b, "---- text\n%s\n---- kinds %v → %s %.2f (title line %d)\n", text, ks.s, kind, conf, ks.titleLine)
	ro := newRoster(Roster(r))
	hits := ro.hits(v)
	scores := rz.scoreHits(v, hits, kind, heading{titleLine: ks.titleLine, issued: kind == dossier.KindOther && ks.otherTitle})
	for i, h := range hits {
		var who []string
		for _, p := range h.people {
			who = append(who, ro.people[p].ID)
		}
		fmt.Fprintf(&b, "hit %v words %d-%d line %d exact=%v score %.2f\n", who, h.t0, h.t1, v.toks[h.t0].line, h.exact, scores[i])
	}
	t.Log(b.String())
}

// TestLetterAndIssuer covers the two rules the blind corpus called for: a letter's subject line
// stands for its title, and the official who signs a paper outside the dossier is not whose it is.
func TestLetterAndIssuer(t *testing.T) {
	roster := []Person{{ID: "a", Name: "Nguyễn Văn Hùng"}, {ID: "b", Name: "Đặng Quốc Tuấn"}, {ID: "c", Name: "Lê Thị Hồng"}}
	sa, ex, ot := dossier.KindSelfAssessment, dossier.KindExplanation, dossier.KindOther
	criteria := "1. Hoàn thành báo cáo tự đánh giá theo các tiêu chí: phẩm chất chính trị; đạo đức, lối sống; " +
		"ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; việc vợ (chồng), con chấp hành pháp luật.\n"
	tests := []struct {
		name    string
		text    string
		kind    dossier.Kind
		nominee string
	}{
		{"reminder letter quoting the criteria",
			"BAN TỔ CHỨC ĐẢNG CỘNG SẢN VIỆT NAM\nSố 1175-CV/BTCTU Tân Hà, ngày 20 tháng 11 năm 2028\n" +
				"V/v hoàn thiện hồ sơ\nKính gửi: Các đồng chí Ủy viên Ban Thường vụ.\nĐề nghị các đồng chí:\n" + criteria +
				"2. Nộp bản kê khai tài sản, thu nhập.\nK/T TRƯỞNG BAN\nĐỗ Văn Quang", ot, ""},
		{"explanation letter whose subject is no title",
			"SỞ TÀI CHÍNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 45/STC-VP Tân Hà, ngày 02 tháng 12 năm 2028\n" +
				"V/v báo cáo làm rõ nội dung đại biểu nêu\nKính gửi: Thường trực HĐND tỉnh.\n" +
				"Tôi, Đặng Quốc Tuấn, xin giải trình như sau: việc chậm phân bổ do các xã gửi danh sách chậm. Tôi xin tiếp thu.\n" +
				"GIÁM ĐỐC\nĐặng Quốc Tuấn", ex, "b"},
		{"report with a subject line and a title",
			"ĐẢNG CỘNG SẢN VIỆT NAM\nV/v gửi báo cáo\nBÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Lê Thị Hồng\n" + criteria +
				"NGƯỜI BÁO CÁO\nLê Thị Hồng", sa, "c"},
		{"plan signed by the secretary, the signature on the next page",
			"KẾ HOẠCH\nLấy phiếu tín nhiệm năm 2028\nHồ sơ gồm báo cáo tự đánh giá và bản kê khai tài sản, thu nhập.\n" +
				"Nơi nhận: T/M BAN THƯỜNG VỤ\n- Ban Tổ chức Trung ương, BÍ THƯ\nTrang 1\n\f\n- Các đồng chí Tỉnh ủy viên,\n" +
				"- Lưu Văn phòng.\nNguyễn Văn Hùng\nTrang 2", ot, ""},
		{"clarifying report signed under a post",
			"CÔNG AN TỈNH ĐẢNG CỘNG SẢN VIỆT NAM\nBÁO CÁO\nLàm rõ một số nội dung theo đề nghị của đại biểu\n" +
				"Kính gửi: Ban Tổ chức.\nVề hai nội dung được nêu, tôi báo cáo cụ thể như sau: đã kiểm tra 86 cơ sở.\n" +
				"GIÁM ĐỐC\nĐặng Quốc Tuấn", ex, "b"},
		{"colleague named in the first sentence under the title",
			"BÁO CÁO TỰ ĐÁNH GIÁ\nĐồng chí: Lê Thị Hồng – Trưởng Ban Tổ chức.\n" +
				"Phối hợp chặt chẽ với đồng chí Nguyễn Văn Hùng, Bí thư Tỉnh ủy, trong công tác cán bộ và\n" +
				"công tác kiểm tra.\n" + criteria + "NGƯỜI BÁO CÁO", sa, "c"},
		{"decision about a person, signed by another",
			"QUYẾT ĐỊNH\nvề việc điều động cán bộ\nĐiều 1. Điều động đồng chí Đặng Quốc Tuấn đến nhận công tác mới.\n" +
				"Điều 2. Quyết định có hiệu lực kể từ ngày ký.\nBÍ THƯ\nNguyễn Văn Hùng", ot, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Recognize(tt.text, roster, Declared{})
			if got.Kind != tt.kind || got.Nominee != tt.nominee {
				t.Errorf("got %s (%.2f) %q %v, want %s %q", got.Kind, got.KindConfidence, got.Nominee, got.Warnings, tt.kind, tt.nominee)
			}
		})
	}
}

// TestRequestDateWrapped: an explanation's reference to the request's date survives the line
// break between "phiếu đề nghị giải trình" and "ngày 01/12/2028".
func TestRequestDateWrapped(t *testing.T) {
	text := "ĐẢNG CỘNG SẢN VIỆT NAM\nTân Hà, ngày 08 tháng 12 năm 2028\nBẢN GIẢI TRÌNH\n" +
		"Tôi, Đặng Quốc Tuân, xin giải trình các nội dung tại phiếu đề nghị giải trình\n" +
		"ngày 01/12/2028 như sau:\nThứ nhất, giấy phép được cấp theo Quyết định ngày 15/4/2027."
	if got := Recognize(text, nil, Declared{}).RequestRef; got != "ngày 01/12/2028" {
		t.Errorf("request ref = %q, want %q", got, "ngày 01/12/2028")
	}
}
