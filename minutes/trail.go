package minutes

import (
	"fmt"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/initial"
	"tinnhiem/minutes/document"
)

// Trail is what the dossier side knows of the steps before the vote, for the minutes: the
// dossier status of the round (requests for explanation and whether dossiers were complete),
// the recorded sending of the voters' packet, and the issues the counting committee confirmed
// when it sealed.
type Trail struct {
	// Status is the dossier status of the round (dossier.Status); nil when not looked up.
	Status *dossier.Report
	// PacketLookedUp says the packet record was looked up; Packet is nil when none exists.
	PacketLookedUp bool
	Packet         *dossier.PacketSent
	// Issues are the sealing warnings the committee confirmed (SealIssues of what
	// SealWarnings said), printed in the minutes' issues section.
	Issues []string
}

// WithTrail adds the trail to a model made by BuildModel or BuildRecordModel: the requests
// for explanation received, decided and answered; the packet's sending from its record; the
// confirmed issues after the committee's own.
func WithTrail(m document.Model, rd dossier.Round, t Trail) document.Model {
	if t.Status != nil {
		q := RequestCountsOf(rd, *t.Status)
		m.Requests = &q
	}
	if t.PacketLookedUp {
		m.PacketKnown = true
		m.Packet = nil
		if p := t.Packet; p != nil {
			m.Packet = &document.PacketSending{When: p.When(rd), Channel: p.Channel, Late: !p.OnTime(rd), Deadline: rd.Deadlines.Packet.At}
		}
	}
	if len(t.Issues) > 0 {
		m.Irregularities = append(append([]string(nil), m.Irregularities...), t.Issues...)
	}
	return m
}

// RequestCountsOf counts the requests for explanation addressed to the persons on the ballot,
// from the dossier status: those received by the deadline, those after it with the board's
// decision, and how many of those that count were answered in writing.
func RequestCountsOf(rd dossier.Round, rep dossier.Report) document.RequestCounts {
	q := document.RequestCounts{Deadline: rd.Deadlines.ExplanationRequest.At}
	for _, ns := range rep.Nominees {
		if ns.Exempt != "" {
			continue
		}
		counted := false
		for _, r := range ns.Requests {
			if r.Late {
				q.Late++
				switch {
				case r.State == dossier.RequestSetAside:
					q.SetAside++
					continue
				case r.State == dossier.RequestAwaitingDecision:
					q.Undecided++
					continue
				}
				q.Admitted++
			} else {
				q.OnTime++
			}
			counted = true
			if r.State == dossier.RequestAnswered {
				q.Answered++
			}
		}
		if counted {
			q.Persons++
		}
	}
	return q
}

// Sealing warning codes.
const (
	CodeDossierIncomplete = "dossier_incomplete"
	CodePacketNotRecorded = "packet_not_recorded"
	CodePacketLate        = "packet_late"
)

// SealWarnings says, before a tally is sealed, what went wrong before the vote: dossiers still
// incomplete, the packet not recorded as sent or sent after its deadline. They do not block
// sealing; the committee confirms them and SealIssues gives the minutes' wording. sent is nil
// when no sending was recorded.
func SealWarnings(rd dossier.Round, rep dossier.Report, sent *dossier.PacketSent) []Problem {
	var out []Problem
	for _, f := range sealFindings(rd, rep, sent) {
		out = append(out, f.Problem)
	}
	return out
}

// SealIssues is the text each sealing warning adds to the issues section of the minutes, in
// the same order as SealWarnings.
func SealIssues(rd dossier.Round, rep dossier.Report, sent *dossier.PacketSent) []string {
	var out []string
	for _, f := range sealFindings(rd, rep, sent) {
		out = append(out, f.minutes)
	}
	return out
}

type finding struct {
	Problem
	minutes string
}

func sealFindings(rd dossier.Round, rep dossier.Report, sent *dossier.PacketSent) []finding {
	var out []finding
	var owing, minutesOwing []string
	for _, ns := range rep.Nominees {
		if ns.Exempt != "" || ns.Complete {
			continue
		}
		var what []string
		for _, k := range ns.Missing {
			what = append(what, lowerInitial(k.Label()))
		}
		if ns.OpenRequests > 0 {
			what = append(what, fmt.Sprintf("báo cáo giải trình (%d đề nghị)", ns.OpenRequests))
		}
		owing = append(owing, fmt.Sprintf("%s (%s)", ns.Name, strings.Join(what, ", ")))
		minutesOwing = append(minutesOwing, fmt.Sprintf("%s: thiếu %s", ns.Name, strings.Join(what, ", ")))
	}
	if len(owing) > 0 {
		out = append(out, finding{
			Problem{Path: "dossiers", Code: CodeDossierIncomplete,
				Message: fmt.Sprintf("Hồ sơ của %d người được lấy phiếu tín nhiệm chưa đầy đủ: %s.", len(owing), strings.Join(owing, "; "))},
			fmt.Sprintf("Đến khi niêm phong kết quả kiểm phiếu, hồ sơ của %d người được lấy phiếu tín nhiệm chưa đầy đủ (%s)", len(owing), strings.Join(minutesOwing, "; ")),
		})
	}
	voters, papers := "người tham gia lấy phiếu", "hồ sơ"
	if rd.Track == dossier.TrackState {
		voters, papers = "đại biểu", "báo cáo"
	}
	deadline := ""
	if at := rd.Deadlines.Packet.At; !at.IsZero() {
		deadline = at.In(rd.Location()).Format("02/01/2006")
	}
	switch {
	case sent == nil:
		msg := "Chưa ghi nhận việc gửi " + papers + " đến " + voters
		if deadline != "" {
			msg += " (hạn gửi: ngày " + deadline + ")"
		}
		out = append(out, finding{
			Problem{Path: "packet", Code: CodePacketNotRecorded, Message: msg + "."},
			"Không có ghi nhận về việc gửi " + papers + " của người được lấy phiếu tín nhiệm đến " + voters + " trước ngày lấy phiếu",
		})
	case !sent.OnTime(rd):
		out = append(out, finding{
			Problem{Path: "packet", Code: CodePacketLate,
				Message: fmt.Sprintf("%s được gửi đến %s vào %s, sau hạn gửi ngày %s.", upperInitial(papers), voters, sent.When(rd), deadline)},
			fmt.Sprintf("%s của người được lấy phiếu tín nhiệm được gửi đến %s vào %s, sau thời hạn gửi là ngày %s", upperInitial(papers), voters, sent.When(rd), deadline),
		})
	}
	return out
}

func lowerInitial(s string) string { return initial.Lower(s) }

func upperInitial(s string) string { return initial.Upper(s) }
