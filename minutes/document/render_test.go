package document

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var (
	update = flag.Bool("update", false, "rewrite the golden sha256 files in testdata/golden")
	dump   = flag.String("dump", "", "also write the golden PDFs into this directory, to look at them")
)

// TestGolden pins the exact bytes of every document of every fixture. A change in layout, text
// or PDF structure shows up here; look at the PDF written next to the failure, then -update.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range roundTripCases() {
		for _, kind := range Kinds() {
			name := tc.name + "-" + string(kind)
			t.Run(name, func(t *testing.T) {
				b, err := Render(kind, tc.m)
				if err != nil {
					t.Fatal(err)
				}
				if *dump != "" {
					if err := os.WriteFile(filepath.Join(*dump, name+".pdf"), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				sum := sha256.Sum256(b)
				got := hex.EncodeToString(sum[:]) + "\n"
				path := filepath.Join(dir, name+".sha256")
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					out := filepath.Join(t.TempDir(), name+".pdf")
					_ = os.WriteFile(out, b, 0o644)
					t.Errorf("sha256 %s, golden %s; the new PDF is %s (go test -update after checking it)", strings.TrimSpace(got), strings.TrimSpace(string(want)), out)
				}
			})
		}
	}
}

// TestDeterministic renders the same model repeatedly: gofpdf keeps fonts and used runes in maps,
// whose order Go randomises on every range, so any order leaking into the output shows here.
func TestDeterministic(t *testing.T) {
	for _, tc := range []roundTripCase{{"party-50", fixture(TrackParty, 50)}, {"state-15", fixture(TrackState, 15)}} {
		for _, kind := range Kinds() {
			first, err := Render(kind, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				again, err := Render(kind, tc.m)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again) {
					t.Fatalf("%s %s: render %d differs from the first (%d vs %d bytes)", tc.name, kind, i+2, len(again), len(first))
				}
			}
		}
	}
}

// TestConcurrent renders different models at the same time (run with -race) and checks each
// result equals its sequential render: renders share no state.
func TestConcurrent(t *testing.T) {
	models := []Model{fixture(TrackParty, 15), fixture(TrackState, 30), belowQuorum(), longNames()}
	want := make([][][]byte, len(models))
	for i, m := range models {
		for _, k := range Kinds() {
			b, err := Render(k, m)
			if err != nil {
				t.Fatal(err)
			}
			want[i] = append(want[i], b)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*len(models)*len(Kinds()))
	for round := range 3 {
		for i, m := range models {
			for j, k := range Kinds() {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b, err := Render(k, m)
					if err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(b, want[i][j]) {
						errs <- fmt.Errorf("round %d model %d %s: concurrent render differs", round, i, k)
					}
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRenderRefuses(t *testing.T) {
	base := fixture(TrackParty, 5)
	cases := []struct {
		name   string
		kind   Kind
		change func(*Model)
		is     error
		says   string
	}{
		{"emoji in a name", KindCounting, func(m *Model) { m.Rows[1].Name = "Trần Văn 😀" }, ErrUnsupportedText, "U+1F600"},
		{"astral CJK in a position", KindReport, func(m *Model) { m.Rows[0].Position = "𠀋" }, ErrUnsupportedText, "U+2000B"},
		{"CJK the font lacks", KindSession, func(m *Model) { m.Chair = "王小明" }, ErrUnsupportedText, "không có trong phông chữ"},
		{"invalid UTF-8", KindCounting, func(m *Model) { m.Venue = "Hội trường \xff" }, ErrUnsupportedText, "UTF-8"},
		{"unknown kind", Kind("bien-ban-khac"), func(*Model) {}, ErrInvalidModel, "bien-ban-khac"},
		{"unknown track", KindCounting, func(m *Model) { m.Track = "company" }, ErrInvalidModel, "company"},
		{"not sealed", KindCounting, func(m *Model) { m.SealedAt = time.Time{} }, ErrInvalidModel, "niêm phong"},
		{"no tally", KindReport, func(m *Model) { m.TallyJSON = nil }, ErrInvalidModel, "JSON"},
		{"tally not JSON", KindReport, func(m *Model) { m.TallyJSON = []byte("{nope") }, ErrInvalidModel, "JSON hợp lệ"},
		{"no organization", KindSession, func(m *Model) { m.Organization = " \t" }, ErrInvalidModel, "cơ quan"},
		{"title of control characters", KindSession, func(m *Model) { m.Title = "\u200b\u0007" }, ErrInvalidModel, "tiêu đề"},
		{"negative count", KindCounting, func(m *Model) { m.Present = -1 }, ErrInvalidModel, "không được âm"},
		{"field too long", KindCounting, func(m *Model) { m.Rows[0].Position = strings.Repeat("ủy ", 1400) }, ErrInvalidModel, "tối đa 4000"},
		{"negative row", KindCounting, func(m *Model) { m.Rows[2].Thap = -3 }, ErrInvalidModel, "dòng 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.Rows = append([]Row(nil), base.Rows...)
			tc.change(&m)
			b, err := Render(tc.kind, m)
			if err == nil {
				t.Fatalf("rendered %d bytes, want an error", len(b))
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.HasPrefix(err.Error(), "document: render ") {
				t.Errorf("error %q should start with the operation and mention %q", err, tc.says)
			}
			if b != nil {
				t.Error("bytes returned with an error")
			}
		})
	}
}

// TestNormalised: text in NFD, with stray controls and runs of spaces, renders to exactly the bytes
// of the clean NFC text.
func TestNormalised(t *testing.T) {
	clean := fixture(TrackState, 8)
	messy := clean
	messy.Rows = append([]Row(nil), clean.Rows...)
	for i := range messy.Rows {
		messy.Rows[i].Name = " " + strings.ReplaceAll(norm.NFD.String(messy.Rows[i].Name), " ", " \u200b\t ")
		messy.Rows[i].Position = norm.NFD.String(messy.Rows[i].Position) + "\n"
	}
	messy.Title = norm.NFD.String(clean.Title)
	messy.Chair = "\u00a0" + clean.Chair + "\u0000"
	for _, k := range Kinds() {
		a, err := Render(k, clean)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(k, messy)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: NFD and messy whitespace render differently from clean NFC", k)
		}
	}
}

// TestModelUntouched: Render cleans a copy, never the caller's slices and maps.
func TestModelUntouched(t *testing.T) {
	m := fixture(TrackParty, 6)
	m.Rows[0].Name = norm.NFD.String(m.Rows[0].Name) + "  "
	m.Agenda[0] = "  " + m.Agenda[0]
	m.DocNumbers[KindCounting] = " 05-BB/TU "
	before := fmt.Sprintf("%#v", m)
	for _, k := range Kinds() {
		if _, err := Render(k, m); err != nil {
			t.Fatal(err)
		}
	}
	if after := fmt.Sprintf("%#v", m); after != before {
		t.Error("Render changed the caller's model")
	}
}

// TestGuard: a panic inside a render becomes an error that names the operation.
func TestGuard(t *testing.T) {
	b, err := guard("document: render x", func() ([]byte, error) {
		var f []int
		_ = f[3]
		return []byte("unreachable"), nil
	})
	if b != nil || !errors.Is(err, ErrRender) || !strings.Contains(err.Error(), "document: render x") || !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("guard gave %q, %v", b, err)
	}
	b, err = guard("op", func() ([]byte, error) { return []byte("%PDF"), nil })
	if err != nil || string(b) != "%PDF" {
		t.Errorf("guard changed a good result: %q, %v", b, err)
	}
}

// TestHugeCell: a row taller than a page is split across pages instead of looping or overflowing.
func TestHugeCell(t *testing.T) {
	m := fixture(TrackParty, 3)
	m.Rows = append([]Row(nil), m.Rows...)
	m.Rows[1].Position = strings.Repeat("Phó Trưởng Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực tỉnh; ", 40) + "HẾT"
	done := make(chan struct{})
	var b []byte
	var err error
	go func() {
		defer close(done)
		b, err = Render(KindReport, m)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("render did not finish")
	}
	if err != nil {
		t.Fatal(err)
	}
	res := extract(t, b)
	if res.Pages < 4 {
		t.Errorf("%d pages; the long cell should span pages", res.Pages)
	}
	all := lines(res)
	if !containsLine(all, "HẾT") {
		t.Error("the end of the long cell is missing")
	}
	for i, parts := range cellLines(t, m) {
		for _, p := range parts {
			if !containsLine(all, p) {
				t.Errorf("row %d: name line %q missing", i+1, p)
			}
		}
	}
}

// TestLongWord: the longest field allowed, one word with no space, lays out in linear time.
func TestLongWord(t *testing.T) {
	m := fixture(TrackState, 4)
	m.Rows = append([]Row(nil), m.Rows...)
	m.Rows[0].Name = strings.Repeat("Ễ", maxRunes)
	m.Rows[1].Position = strings.Repeat("ư", maxRunes)
	start := time.Now()
	b, err := Render(KindCounting, m)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
	if !strings.Contains(flat(extract(t, b).Text), "ỄỄỄỄỄỄ") {
		t.Error("the long name is not in the text")
	}
}

// TestSparse: a model with only what Render requires still gives complete documents, with dotted
// spaces where numbers and times are to be written by hand.
func TestSparse(t *testing.T) {
	for _, track := range []Track{TrackParty, TrackState} {
		m := Model{
			Track:        track,
			Organization: "Đảng ủy xã An Phú",
			Title:        "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Đảng ủy",
			SealedAt:     time.Date(2028, 12, 1, 3, 0, 0, 0, time.UTC),
			TallyJSON:    []byte(`{}`),
		}
		for _, k := range Kinds() {
			b, err := Render(k, m)
			if err != nil {
				t.Fatalf("%s %s: %v", track, k, err)
			}
			text := flat(extract(t, b).Text)
			for _, want := range []string{"Số", "……", "ngày 01 tháng 12 năm 2028", "ĐẢNG ỦY XÃ AN PHÚ"} {
				if k != KindReport && want == "ngày 01 tháng 12 năm 2028" {
					want = "ngày …… tháng …… năm ……"
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s %s: %q missing", track, k, want)
				}
			}
			if k == KindCounting && !strings.Contains(text, blankClock) {
				t.Errorf("%s %s: no blank for the unrecorded time", track, k)
			}
		}
	}
}

// TestTitle covers every kind on both tracks.
func TestTitle(t *testing.T) {
	cases := []struct {
		kind  Kind
		track Track
		want  string
	}{
		{KindCounting, TrackParty, "Biên bản kiểm phiếu"},
		{KindCounting, TrackState, "Biên bản kiểm phiếu"},
		{KindSession, TrackParty, "Biên bản hội nghị"},
		{KindSession, TrackState, "Biên bản kỳ họp"},
		{KindReport, TrackParty, "Báo cáo kết quả"},
		{KindReport, TrackState, "Báo cáo kết quả"},
		{Kind("x"), TrackParty, ""},
		{KindReport, Track("x"), ""},
	}
	for _, tc := range cases {
		if got := Title(tc.kind, tc.track); got != tc.want {
			t.Errorf("Title(%q, %q) = %q, want %q", tc.kind, tc.track, got, tc.want)
		}
	}
	if !reflect.DeepEqual(Kinds(), []Kind{KindCounting, KindSession, KindReport}) {
		t.Errorf("Kinds() = %v", Kinds())
	}
}

func TestDates(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	cases := []struct {
		got, want string
	}{
		{longDate(time.Date(2028, 12, 15, 0, 0, 0, 0, time.UTC)), "ngày 15 tháng 12 năm 2028"},
		{longDate(time.Date(2029, 2, 5, 0, 0, 0, 0, time.UTC)), "ngày 05 tháng 02 năm 2029"},
		{longDate(time.Date(2029, 3, 9, 0, 0, 0, 0, time.UTC)), "ngày 09 tháng 3 năm 2029"},
		{longDate(time.Time{}), "ngày …… tháng …… năm ……"},
		{dateLine("", time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)), "……, ngày 01 tháng 01 năm 2028"},
		{shortDate(time.Date(2023, 2, 2, 0, 0, 0, 0, time.UTC)), "02/02/2023"},
		// 01:30 UTC is 08:30 in Hà Nội.
		{clock(time.Date(2028, 12, 15, 1, 30, 0, 0, time.UTC), loc), "8 giờ 30 phút"},
		{clock(time.Time{}, loc), blankClock},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// 23:30 UTC on the 14th is already the 15th in Hà Nội: one local day with 09:00 local.
	if !sameDay(time.Date(2028, 12, 14, 23, 30, 0, 0, time.UTC), time.Date(2028, 12, 15, 9, 0, 0, 0, loc), loc) {
		t.Error("sameDay ignores the time zone")
	}
}
