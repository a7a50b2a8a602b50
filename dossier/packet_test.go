package dossier_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/problem"
)

func TestParsePacketSent(t *testing.T) {
	r := dossiertest.Round(t) // party, vote 15/12/2028 in Hanoi; packet default: end of 30/11
	loc := r.Location()
	now := time.Date(2028, 12, 1, 10, 0, 0, 0, loc)
	tests := []struct {
		name, sentAt, channel string
		want                  time.Time
		dateOnly, onTime      bool
		problems              []string // paths
	}{
		{"a date is that day", "2028-11-30", "Bản giấy qua Văn phòng Tỉnh ủy", time.Date(2028, 11, 30, 0, 0, 0, 0, loc), true, true, nil},
		{"the last minute of the deadline day", "2028-11-30T23:59", " thư  điện tử ", time.Date(2028, 11, 30, 23, 59, 0, 0, loc), false, true, nil},
		{"the next day is late", "2028-12-01", "thư điện tử", time.Date(2028, 12, 1, 0, 0, 0, 0, loc), true, false, nil},
		{"an RFC 3339 instant", "2028-11-30T17:00:00Z", "giấy", time.Date(2028, 12, 1, 0, 0, 0, 0, loc), false, false, nil},
		{"in the future", "2028-12-01T10:06", "giấy", time.Time{}, false, false, []string{"sent_at"}},
		{"within the clock skew", "2028-12-01T10:04", "giấy", time.Date(2028, 12, 1, 10, 4, 0, 0, loc), false, false, nil},
		{"nothing at all", "", "", time.Time{}, false, false, []string{"sent_at", "channel"}},
		{"not a date", "30/11/2028", "giấy", time.Time{}, false, false, []string{"sent_at"}},
		{"a control character", "2028-11-30", "giấy\x07", time.Time{}, false, false, []string{"channel"}},
		{"too long", "2028-11-30", strings.Repeat("a", 301), time.Time{}, false, false, []string{"channel"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := dossier.ParsePacketSent(r, tc.sentAt, tc.channel, now)
			if tc.problems != nil {
				var ve problem.List
				if !errors.As(err, &ve) {
					t.Fatalf("err %v, want a validation error", err)
				}
				var paths []string
				for _, pr := range ve {
					paths = append(paths, pr.Path)
					if pr.Message == "" {
						t.Errorf("problem at %s without a message", pr.Path)
					}
				}
				if strings.Join(paths, ",") != strings.Join(tc.problems, ",") {
					t.Errorf("problems at %v, want %v", paths, tc.problems)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.SentAt.Equal(tc.want) || p.SentAt.Location() != time.UTC || p.DateOnly != tc.dateOnly {
				t.Errorf("sent at %v date only %v, want %v %v", p.SentAt, p.DateOnly, tc.want, tc.dateOnly)
			}
			if p.OnTime(r) != tc.onTime {
				t.Errorf("on time %v, want %v (deadline %v)", p.OnTime(r), tc.onTime, r.Deadlines.Packet.At)
			}
			if strings.Contains(p.Channel, "  ") || p.Channel != strings.TrimSpace(p.Channel) {
				t.Errorf("channel %q not tidied", p.Channel)
			}
		})
	}
	// After the vote: the packet is for the voters before they vote.
	late := time.Date(2029, 1, 5, 0, 0, 0, 0, loc)
	if _, err := dossier.ParsePacketSent(r, "2028-12-16", "giấy", late); err == nil || !strings.Contains(err.Error(), "sau ngày lấy phiếu") {
		t.Errorf("sent after the vote: %v", err)
	}
	// A round stored before the packet step existed has nothing to miss.
	old := r
	old.Deadlines.Packet = dossier.Deadline{}
	if !(dossier.PacketSent{SentAt: late}).OnTime(old) {
		t.Error("no packet deadline: late")
	}
}

func TestPacketSentWhen(t *testing.T) {
	r := dossiertest.Round(t)
	p, err := dossier.ParsePacketSent(r, "2028-11-28T09:05", "giấy", time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.When(r); got != "9 giờ 05 phút ngày 28/11/2028" {
		t.Errorf("When = %q", got)
	}
	p, _ = dossier.ParsePacketSent(r, "2028-11-28", "giấy", time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC))
	if got := p.When(r); got != "ngày 28/11/2028" {
		t.Errorf("When = %q", got)
	}
}

func TestDueAlertsForPacket(t *testing.T) {
	r := dossiertest.Round(t)
	at := r.Deadlines.Packet.At
	if got := dueString(dossier.DueAlertsFor(r, nil, at.Add(time.Nanosecond))); !strings.Contains(got, "packet/overdue") {
		t.Errorf("packet not sent, after its deadline: %q", got)
	}
	if got := dueString(dossier.DueAlertsFor(r, nil, at.Add(-time.Hour))); !strings.Contains(got, "packet/2h") {
		t.Errorf("packet not sent, an hour before: %q", got)
	}
	sent := &dossier.PacketSent{SentAt: at.Add(time.Hour), Channel: "giấy"}
	got := dueString(dossier.DueAlertsFor(r, sent, at.Add(2*time.Hour)))
	if strings.Contains(got, "packet") || !strings.Contains(got, "dossier/overdue") {
		t.Errorf("packet recorded (late): %q, want the packet's alerts gone and the others kept", got)
	}
}

func TestStepAlerts(t *testing.T) {
	r := dossiertest.Round(t)
	r.Track = dossier.TrackState
	r.Deadlines.List = dossier.Deadline{At: time.Date(2028, 10, 31, 16, 59, 59, 0, time.UTC), Source: "default"}
	r.Notify = dossier.Notify{Emails: []string{"bantochuc@binhson.example"}}
	st := dossiertest.NewBuilder(t, r.ID).State // nobody has sent anything
	due := dossier.AlertDue{Deadline: dossier.DeadlineList, At: r.Deadlines.List.At, Lead: "24h", LeadD: 24 * time.Hour, DueAt: r.Deadlines.List.At.Add(-24 * time.Hour)}
	a := dossier.NewAlert(r, st, due, due.DueAt, "test")
	if len(a.Persons) != 0 {
		t.Errorf("the list step names persons: %+v", a.Persons)
	}
	if len(a.Deliveries) != 2 {
		t.Errorf("a step is mailed even with nobody owing: %+v", a.Deliveries)
	}
	if h := a.Headline(); !strings.Contains(h, "lập danh sách người được lấy phiếu tín nhiệm") || !strings.Contains(h, "nhắc việc") {
		t.Errorf("headline %q", h)
	}
	// The packet step names the incomplete dossiers: they would go out incomplete.
	due = dossier.AlertDue{Deadline: dossier.DeadlinePacket, At: r.Deadlines.Packet.At, Lead: dossier.LeadOverdue, DueAt: r.Deadlines.Packet.At}
	a = dossier.NewAlert(r, st, due, due.At.Add(time.Minute), "test")
	if len(a.Persons) == 0 || !strings.Contains(a.Text(), "Hồ sơ gửi đi lúc này sẽ thiếu") {
		t.Errorf("packet alert persons %d text:\n%s", len(a.Persons), a.Text())
	}
	// On the State track the step sends reports to the delegates, and the alert says so.
	if h := a.Headline(); !strings.Contains(h, "Đã quá hạn gửi báo cáo đến đại biểu") {
		t.Errorf("State packet headline %q", h)
	}
	if !strings.Contains(a.Text(), "Hạn gửi báo cáo đến đại biểu:") {
		t.Errorf("State packet text:\n%s", a.Text())
	}
}

func TestDeadlineNameFor(t *testing.T) {
	r := dossiertest.Round(t)
	// Even when a step falls on the same instant as the dossier deadline, a self-assessment is
	// judged against the dossier deadline by name.
	r.Deadlines.Packet = r.Deadlines.Dossier
	for k, want := range map[dossier.Kind]string{dossier.KindSelfAssessment: dossier.DeadlineDossier, dossier.KindAssetDeclaration: dossier.DeadlineDossier,
		dossier.KindExplanationRequest: dossier.DeadlineExplanationRequest, dossier.KindExplanation: dossier.DeadlineExplanation, dossier.KindOther: ""} {
		if got := r.DeadlineNameFor(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}
