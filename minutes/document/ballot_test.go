package document

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ballotOf is the ballot of a fixture round: its heading and its persons.
func ballotOf(m Model, copies int) BallotModel {
	b := BallotModel{
		Track: m.Track, ParentOrganization: m.ParentOrganization, Organization: m.Organization,
		OrganizationHeading: m.OrganizationHeading, Place: m.Place, Title: m.Title, SessionName: m.SessionName,
		VoteDate: m.VoteDate, CreatedAt: m.SealedAt, Copies: copies,
		BlankRuleWords: "Dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô thì không hợp lệ đối với người ở dòng đó; các dòng khác của phiếu vẫn hợp lệ.",
	}
	for _, r := range m.Rows {
		b.Persons = append(b.Persons, BallotPerson{Name: r.Name, Position: r.Position})
	}
	return b
}

// TestBallot: every person once, in roster order, with the three levels on every page the
// roster reaches; how to mark under the table; the track's heading.
func TestBallot(t *testing.T) {
	for _, track := range []Track{TrackParty, TrackState} {
		for _, n := range []int{5, 60} {
			t.Run(fmt.Sprintf("%s-%d", track, n), func(t *testing.T) {
				b := ballotOf(fixture(track, n), 0)
				pdf, err := RenderBallot(b)
				if err != nil {
					t.Fatal(err)
				}
				if *dump != "" {
					_ = os.WriteFile(filepath.Join(*dump, fmt.Sprintf("ballot-%s-%d.pdf", track, n)), pdf, 0o644)
				}
				res := extract(t, pdf)
				all := flat(strings.Join(res.PageTexts, "\n"))
				pos := 0
				for i, p := range b.Persons {
					at := strings.Index(all[pos:], p.Name)
					if at < 0 {
						t.Fatalf("person %d %q missing or out of order", i+1, p.Name)
					}
					pos += at + len(p.Name)
					if c := strings.Count(all, p.Name); c != 1 {
						t.Errorf("%q printed %d times", p.Name, c)
					}
				}
				for i, page := range res.PageTexts {
					text := flat(page)
					if strings.Count(text, "Tín nhiệm") < 3 || !strings.Contains(text, "STT Họ và tên Chức vụ") {
						t.Errorf("page %d lacks the table's header", i+1)
					}
				}
				for _, w := range []string{"PHIẾU LẤY PHIẾU TÍN NHIỆM", "Đánh dấu (X) vào một trong ba ô", b.BlankRuleWords, "không hợp lệ"} {
					if !strings.Contains(all, w) {
						t.Errorf("%q missing", w)
					}
				}
				if strings.Contains(all, "Số ……") || strings.Contains(all, "Số: ……") || strings.Contains(all, "SHA-256") {
					t.Error("a ballot has no document number and no tally footer")
				}
				head := "ĐẢNG CỘNG SẢN VIỆT NAM"
				if track == TrackState {
					head = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
				}
				if !strings.Contains(flat(res.PageTexts[0]), head) {
					t.Errorf("first page lacks %q", head)
				}
				if n == 60 && len(res.PageTexts) < 2 {
					t.Errorf("60 persons on %d page", len(res.PageTexts))
				}
				again, _ := RenderBallot(b)
				if !bytes.Equal(pdf, again) {
					t.Error("the same ballot renders to different bytes")
				}
			})
		}
	}
}

func TestBallotCopies(t *testing.T) {
	b := ballotOf(fixture(TrackParty, 30), 3)
	pdf, err := RenderBallot(b)
	if err != nil {
		t.Fatal(err)
	}
	res := extract(t, pdf)
	one, err := RenderBallot(ballotOf(fixture(TrackParty, 30), 0))
	if err != nil {
		t.Fatal(err)
	}
	per := len(extract(t, one).PageTexts)
	if len(res.PageTexts) != 3*per {
		t.Fatalf("3 copies on %d pages, one copy on %d", len(res.PageTexts), per)
	}
	for c := range 3 {
		for p := range per {
			page := res.PageTexts[c*per+p]
			if want := fmt.Sprintf("Phiếu số %d/3", c+1); !strings.Contains(page, want) {
				t.Errorf("copy %d page %d lacks %q", c+1, p+1, want)
			}
			if c > 0 && p == 0 && !strings.Contains(page, "PHIẾU LẤY PHIẾU TÍN NHIỆM") {
				t.Errorf("copy %d does not start on its own page", c+1)
			}
		}
	}
}

func TestBallotRefuses(t *testing.T) {
	good := ballotOf(fixture(TrackState, 3), 0)
	for name, change := range map[string]func(*BallotModel){
		"no person":     func(b *BallotModel) { b.Persons = nil },
		"no track":      func(b *BallotModel) { b.Track = "" },
		"copies":        func(b *BallotModel) { b.Copies = MaxBallotCopies + 1 },
		"nameless":      func(b *BallotModel) { b.Persons = []BallotPerson{{Position: "Chủ tịch"}} },
		"no date":       func(b *BallotModel) { b.CreatedAt = time.Time{} },
		"control chars": func(b *BallotModel) { b.Persons = []BallotPerson{{Name: "\x07\x08"}} },
	} {
		b := good
		change(&b)
		if _, err := RenderBallot(b); !errors.Is(err, ErrInvalidModel) {
			t.Errorf("%s: %v, want ErrInvalidModel", name, err)
		}
	}
}

// TestNotice: the public notice gives per person the counts, the percentages and the
// threshold reached, and nothing the public record leaves out (absentees, the committee).
func TestNotice(t *testing.T) {
	for _, m := range []Model{fixture(TrackState, 5), fixture(TrackState, 60), paperTrail()} {
		pdf, err := Render(KindNotice, m)
		if err != nil {
			t.Fatal(err)
		}
		if *dump != "" {
			_ = os.WriteFile(filepath.Join(*dump, fmt.Sprintf("notice-%d-%v.pdf", len(m.Rows), m.CombinedShare)), pdf, 0o644)
		}
		res := extract(t, pdf)
		all := flat(strings.Join(res.PageTexts, "\n"))
		for _, w := range []string{"THÔNG BÁO", "Kết quả lấy phiếu tín nhiệm", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"} {
			if !strings.Contains(all, w) {
				t.Errorf("%q missing", w)
			}
		}
		for _, r := range m.Rows {
			if !strings.Contains(all, fmt.Sprintf("%d %d %s %d %s %d %s", r.Valid, r.Cao, r.CaoPct, r.TinNhiem, r.TinNhiemPct, r.Thap, r.ThapPct)) {
				t.Errorf("%s: figures missing", r.Name)
			}
			if r.Threshold != "" && !strings.Contains(all, r.Threshold) {
				t.Errorf("%s: threshold %q missing", r.Name, r.Threshold)
			}
		}
		for _, w := range append([]string{m.Absent[0].Name, m.Committee[0].Name, "MẬT"}, m.InvalidReasons...) {
			if strings.Contains(all, w) {
				t.Errorf("the public notice prints %q", w)
			}
		}
	}
}
