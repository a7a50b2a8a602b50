package document

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// renderText renders one document and returns its running text (no page numbers or footers),
// flattened to single spaces.
func renderText(t *testing.T, kind Kind, m Model) string {
	t.Helper()
	b, err := Render(kind, m)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return flat(runningText(extract(t, b), tallyHash(m)))
}

// firstPageText is the text of page 1 only, flattened.
func firstPageText(t *testing.T, kind Kind, m Model) string {
	t.Helper()
	b, err := Render(kind, m)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return flat(extract(t, b).PageTexts[0])
}

// TestCorrectionNotice: every document of a corrected version says, under its title, that it
// is a correction, what it replaces and why; a first version says nothing of the kind.
func TestCorrectionNotice(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	cases := []struct {
		name   string
		change func(*Model)
		want   string // "" = no notice at all
	}{
		{"first version", func(m *Model) { m.Version = 1 }, ""},
		{"version unset", func(m *Model) {}, ""},
		{"second version with the time replaced", func(m *Model) {
			m.Version = 2
			m.ReplacesSealedAt = time.Date(2028, 12, 15, 4, 5, 0, 0, time.UTC) // 11:05 in Hà Nội
			m.CorrectionReason = "Nhập nhầm số phiếu tín nhiệm thấp của dòng 3."
		}, "(Bản đính chính – phiên bản số 2, thay thế bản niêm phong lúc 11 giờ 05 phút ngày 15/12/2028; lý do: Nhập nhầm số phiếu tín nhiệm thấp của dòng 3)"},
		{"third version, time not known", func(m *Model) {
			m.Version = 3
			m.CorrectionReason = "Bổ sung phiếu số 17 bị sót"
		}, "(Bản đính chính – phiên bản số 3, thay thế bản niêm phong trước đó (phiên bản số 2); lý do: Bổ sung phiếu số 17 bị sót)"},
		{"no reason recorded", func(m *Model) {
			m.Version = 2
			m.ReplacesSealedAt = time.Date(2028, 12, 16, 9, 30, 0, 0, loc)
		}, "(Bản đính chính – phiên bản số 2, thay thế bản niêm phong lúc 9 giờ 30 phút ngày 16/12/2028; lý do: " + nameDots + ")"},
	}
	for _, track := range []Track{TrackParty, TrackState} {
		for _, tc := range cases {
			m := fixture(track, 4)
			tc.change(&m)
			for _, kind := range Kinds() {
				t.Run(fmt.Sprintf("%s/%s/%s", track, tc.name, kind), func(t *testing.T) {
					page1 := firstPageText(t, kind, m)
					if tc.want == "" {
						if strings.Contains(page1, "đính chính") {
							t.Errorf("a first version speaks of a correction: %q", page1)
						}
						return
					}
					i := strings.Index(page1, tc.want)
					if i < 0 {
						t.Fatalf("notice %q not on page 1:\n%s", tc.want, page1)
					}
					// Near the top: right under the subject line, before the body starts.
					subject := strings.Index(page1, flat(m.Title[len("Lấy"):]))
					body := strings.Index(page1, "Vào hồi")
					if kind == KindReport {
						body = strings.Index(page1, "Thực hiện")
					}
					if subject < 0 || body < 0 || !(subject < i && i < body) {
						t.Errorf("notice at %d, subject at %d, body at %d: want it between them", i, subject, body)
					}
				})
			}
		}
	}
}

// TestVoidReasons: the minutes give every reason the data has for void ballots, the rows void
// for one person only, and a line to write the reason on when none is known.
func TestVoidReasons(t *testing.T) {
	cases := []struct {
		name    string
		change  func(*Model)
		want    []string
		wantNot []string
	}{
		{"ballots marked void and void for a bad row, with the committee's own note", func(m *Model) {
			m.InvalidBallots, m.VoidMarked, m.VoidBadRow = 4, 2, 1
			m.ValidBallots = m.Collected - 4
			m.InvalidReasons = []string{"01 phiếu bị rách, không đọc được"}
		}, []string{
			// The committee's words describe the ballots it marked void: no generic sentence
			// repeats them.
			"Số phiếu không hợp lệ: 4 phiếu, gồm:",
			"+ 1 phiếu có dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô, nên cả phiếu không hợp lệ;",
			"+ 01 phiếu bị rách, không đọc được.",
		}, []string{"không hợp lệ cả phiếu do không phải"}},
		{"ballots marked void, no note", func(m *Model) {
			m.InvalidBallots, m.VoidMarked, m.VoidBadRow = 2, 2, 0
			m.ValidBallots = m.Collected - 2
			m.InvalidReasons = nil
		}, []string{
			"Số phiếu không hợp lệ: 2 phiếu (2 phiếu không hợp lệ cả phiếu do không phải phiếu Ban kiểm phiếu phát ra, có tên bị gạch hoặc có ghi thêm nội dung).",
		}, []string{"phiếu, gồm:"}},
		{"one invalid ballot, the committee's note", func(m *Model) {
			m.InvalidBallots, m.VoidMarked, m.VoidBadRow = 1, 1, 0
			m.ValidBallots = m.Collected - 1
			m.InvalidReasons = []string{"Phiếu gạch tên và ghi thêm nội dung ngoài phiếu."}
		}, []string{
			"Số phiếu không hợp lệ: 1 phiếu (Phiếu gạch tên và ghi thêm nội dung ngoài phiếu).",
		}, []string{"phiếu, gồm:", "không hợp lệ cả phiếu do không phải"}},
		{"only void for a bad row", func(m *Model) {
			m.InvalidBallots, m.VoidMarked, m.VoidBadRow = 3, 0, 3
			m.InvalidReasons = nil
		}, []string{
			"Số phiếu không hợp lệ: 3 phiếu (3 phiếu có dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô, nên cả phiếu không hợp lệ).",
		}, []string{"không hợp lệ cả phiếu do không phải", "phiếu, gồm:"}},
		{"hand count without a reason", func(m *Model) {
			m.InvalidBallots, m.VoidMarked, m.VoidBadRow = 2, 0, 0
			m.InvalidReasons = nil
		}, []string{"Số phiếu không hợp lệ: 2 phiếu, lý do: " + nameDots}, []string{"không hợp lệ: 2 phiếu, gồm"}},
		{"rows void for one person", func(m *Model) {
			m.InvalidBallots, m.VoidMarked = 0, 0
			m.InvalidReasons = nil
			for i := range m.Rows {
				m.Rows[i].BlankRows, m.Rows[i].SpoiledRows = 0, 0
			}
			m.Rows[0].BlankRows, m.Rows[0].SpoiledRows = 2, 1
			m.Rows[2].SpoiledRows = 3
		}, []string{
			"Số phiếu không hợp lệ: không.",
			"Dòng không hợp lệ đối với từng người",
			"Đồng chí " + personName(0) + ": 2 dòng không đánh dấu ô nào, 1 dòng đánh dấu nhiều ô hoặc không rõ;",
			"Đồng chí " + personName(2) + ": 3 dòng đánh dấu nhiều ô hoặc không rõ.",
		}, []string{personName(1) + ": "}},
		{"no rows void", func(m *Model) {
			for i := range m.Rows {
				m.Rows[i].BlankRows, m.Rows[i].SpoiledRows = 0, 0
			}
		}, nil, []string{"Dòng không hợp lệ đối với từng người"}},
	}
	for _, tc := range cases {
		m := fixture(TrackParty, 4)
		m.Rows = append([]Row(nil), m.Rows...)
		tc.change(&m)
		for _, kind := range []Kind{KindCounting, KindSession} {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				text := renderText(t, kind, m)
				for _, w := range tc.want {
					if !strings.Contains(text, w) {
						t.Errorf("%q missing", w)
					}
				}
				for _, w := range tc.wantNot {
					if strings.Contains(text, w) {
						t.Errorf("%q present", w)
					}
				}
			})
		}
	}
}

// TestIssuesFromFigures: ballots not handed out or not returned are stated under "Những vấn
// đề phát sinh" without anyone writing them, before what the committee wrote.
func TestIssuesFromFigures(t *testing.T) {
	notHanded := "Số phiếu phát ra (41 phiếu) ít hơn số người có mặt (43 người): 2 người có mặt không nhận phiếu"
	notReturned := "Số phiếu thu vào (40 phiếu) ít hơn số phiếu phát ra (41 phiếu): 1 phiếu đã phát ra không được thu lại"
	noted := "Có 01 đồng chí xin ra về sớm trước khi bỏ phiếu"
	cases := []struct {
		name     string
		issued   int
		notes    []string
		want     []string
		wantNone bool
	}{
		{"all handed out and returned", 43, nil, nil, true},
		{"fewer issued than present, fewer returned", 41, nil, []string{"- " + notHanded + ";", "- " + notReturned + "."}, false},
		{"with the committee's note after", 41, []string{noted}, []string{"- " + notHanded + ";", "- " + notReturned + ";", "- " + noted + "."}, false},
	}
	for _, tc := range cases {
		m := fixture(TrackParty, 3)
		m.Issued = tc.issued
		if tc.issued < m.Present {
			m.Collected = tc.issued - 1
			m.ValidBallots = m.Collected - m.InvalidBallots
		}
		m.Irregularities = tc.notes
		for _, kind := range []Kind{KindCounting, KindSession} {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				text := renderText(t, kind, m)
				for _, w := range tc.want {
					if !strings.Contains(text, w) {
						t.Errorf("%q missing", w)
					}
				}
				none := strings.Contains(text, "Không có vấn đề phát sinh")
				if kind == KindCounting && none != tc.wantNone {
					t.Errorf("“Không có vấn đề phát sinh” printed: %v, want %v", none, tc.wantNone)
				}
				if kind == KindSession && none {
					t.Error("the session minutes say there was nothing")
				}
			})
		}
	}
}

// TestNoDoubledPunctuation: text the caller ends with its own stop, semicolon or comma is
// printed with the documents' punctuation only.
func TestNoDoubledPunctuation(t *testing.T) {
	m := fixture(TrackParty, 4)
	m.Irregularities = []string{
		"Đại biểu đề nghị kiểm tra lại phiếu số 17; kết quả không thay đổi.",
		"Có 01 phiếu bị nhòe mực;",
		"Ban kiểm phiếu đã lập biên bản riêng.",
	}
	m.InvalidReasons = []string{"01 phiếu gạch tên.", "01 phiếu ghi thêm nội dung."}
	m.Agenda = []string{"Khai mạc hội nghị.", "Bầu Ban kiểm phiếu;", "Lấy phiếu tín nhiệm."}
	m.Absent = []Absentee{{Name: "Lý Văn Sang", Reason: "đi công tác nước ngoài."}, {Name: "Dương Thị Mến."}}
	m.Excluded = []Exclusion{{Name: "Bùi Công Thành", Position: "Phó Chủ tịch Ủy ban nhân dân tỉnh,", Reason: "mới được bổ nhiệm trong năm 2028."}}
	m.CommitteeFormation = "Hội nghị biểu quyết thông qua bằng hình thức giơ tay, 43/43 đồng chí tán thành."
	m.Venue = "Hội trường Tỉnh ủy."
	m.Title = "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy."
	m.ChairPosition = "Bí thư Tỉnh ủy."
	m.DossiersSentAt = "ngày 28/11/2028."
	m.Explanations = []Explanation{{Name: personName(3), Position: positions[3] + "."}}
	m.Recipients = []string{"Ban Tổ chức Trung ương.", "Lưu Văn phòng Tỉnh ủy."}
	m.Rows = append([]Row(nil), m.Rows...)
	m.Rows[0].Flag = flagHalf + "."
	m.Rows[1].Flag = flagTwoThird + "."
	m.Version, m.CorrectionReason = 2, "Nhập nhầm số liệu."
	m.TallyJSON = tallyJSON(m)
	for _, kind := range Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			text := renderText(t, kind, m)
			for _, bad := range []string{"..", ".;", ";.", ";;", ",.", ".,", ":.", ".)", ";)", ", ("} {
				if i := strings.Index(text, bad); i >= 0 {
					t.Errorf("%q printed: …%s…", bad, text[max(0, i-60):min(len(text), i+20)])
				}
			}
			if kind == KindCounting {
				for _, want := range []string{
					"- Đại biểu đề nghị kiểm tra lại phiếu số 17; kết quả không thay đổi;",
					"- Có 01 phiếu bị nhòe mực;",
					"- Ban kiểm phiếu đã lập biên bản riêng.",
					"+ 01 phiếu gạch tên;", "+ 01 phiếu ghi thêm nội dung.",
					"(lý do: đi công tác nước ngoài);",
				} {
					if !strings.Contains(text, want) {
						t.Errorf("%q missing", want)
					}
				}
			}
		})
	}
}

func TestEndWith(t *testing.T) {
	cases := []struct{ text, mark, want string }{
		{"Không có gì", ".", "Không có gì."},
		{"Không có gì.", ".", "Không có gì."},
		{"Không có gì.", ";", "Không có gì;"},
		{"Không có gì;", ".", "Không có gì."},
		{"Không có gì, ", ";", "Không có gì;"},
		{"Không có gì:", ".", "Không có gì."},
		{"Vì sao?", ".", "Vì sao?"},
		{"Vì sao?", ";", "Vì sao?;"},
		{"và các việc khác…", ".", "và các việc khác…"},
		{"và các việc khác...", ".", "và các việc khác..."},
		{"", ".", ""},
		{" . ", ".", ""},
	}
	for _, tc := range cases {
		if got := endWith(tc.text, tc.mark); got != tc.want {
			t.Errorf("endWith(%q, %q) = %q, want %q", tc.text, tc.mark, got, tc.want)
		}
	}
}

// TestBlankCommittee: with no counting committee on record, the minutes leave a dotted line for
// each role and a signature place with a dotted name for each, to be completed by hand.
func TestBlankCommittee(t *testing.T) {
	for _, track := range []Track{TrackParty, TrackState} {
		m := fixture(track, 3)
		m.Committee = nil
		for _, kind := range []Kind{KindCounting, KindSession} {
			t.Run(string(track)+"/"+string(kind), func(t *testing.T) {
				b, err := Render(kind, m)
				if err != nil {
					t.Fatal(err)
				}
				res := extract(t, b)
				text := flat(runningText(res, tallyHash(m)))
				for _, want := range []string{
					"1. " + nameDots + " – Trưởng ban;",
					"2. " + nameDots + " – Thư ký;",
					"3. " + nameDots + " – Ủy viên.",
				} {
					if !strings.Contains(text, want) {
						t.Errorf("%q missing", want)
					}
				}
				if strings.Contains(text, "chưa ghi danh sách") {
					t.Error("still says the list was not recorded")
				}
				if kind != KindCounting {
					return
				}
				all := lines(res)
				for _, title := range []string{"THƯ KÝ", "TRƯỞNG BAN", "ỦY VIÊN"} {
					if !containsLine(all, title) {
						t.Errorf("no signature place for %s", title)
					}
				}
				// One dotted name under each of the three signature places.
				if n := strings.Count(text, sigDots); n < 3+3 { // three list lines hold the longer dots too
					t.Errorf("%d dotted lines, want a name line under each of 3 signatures", n)
				}
			})
		}
	}
}

// TestReportDate: the report is dated the day it was sealed, or its own date, but never before
// the vote.
func TestReportDate(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	cases := []struct {
		name             string
		sealed, reported time.Time
		want             string
	}{
		{"sealed on the vote day", time.Date(2028, 12, 15, 11, 20, 0, 0, loc), time.Time{}, "ngày 15 tháng 12 năm 2028"},
		{"sealed the day after", time.Date(2028, 12, 16, 9, 0, 0, 0, loc), time.Time{}, "ngày 16 tháng 12 năm 2028"},
		{"sealed early, in a test round", time.Date(2028, 11, 20, 9, 0, 0, 0, loc), time.Time{}, "ngày 15 tháng 12 năm 2028"},
		// 23:30 UTC on the 14th is already the 15th in Hà Nội.
		{"sealed late UTC, vote day locally", time.Date(2028, 12, 14, 23, 30, 0, 0, time.UTC), time.Time{}, "ngày 15 tháng 12 năm 2028"},
		{"own date before the vote", time.Date(2028, 12, 15, 11, 20, 0, 0, loc), time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC), "ngày 15 tháng 12 năm 2028"},
		{"own date after the vote", time.Date(2028, 12, 15, 11, 20, 0, 0, loc), time.Date(2028, 12, 20, 0, 0, 0, 0, time.UTC), "ngày 20 tháng 12 năm 2028"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(TrackParty, 2)
			m.SealedAt, m.ReportDate = tc.sealed, tc.reported
			page1 := firstPageText(t, KindReport, m)
			if want := "Bình Sơn, " + tc.want; !strings.Contains(page1, want) {
				t.Errorf("%q not in the header:\n%s", want, page1[:min(len(page1), 300)])
			}
		})
	}
}
