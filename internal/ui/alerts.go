package ui

import (
	"strings"
	"time"

	"tinnhiem/dossier"
)

// alertRow is one raised deadline alert on the round page: which deadline, how long before it
// (or that it passed), when it was raised, and who missed what at that moment.
type alertRow struct {
	ID       string
	Deadline string // "Hạn nộp hồ sơ"
	At       string // the deadline, local time
	Lead     cell
	RaisedAt string
	// Step: a task of the board itself (the list, the Front's opinions), owed by no person.
	Step    bool
	Persons []alertPersonRow
	// Deliveries are shown to organizers only: where alerts go and why a sending failed is the
	// board's business (the API hides the same from others).
	Deliveries []deliveryRow
}

type alertPersonRow struct {
	Name, Position string
	Missing        string // the kinds missing, in words
	OpenRequests   int
}

type deliveryRow struct {
	Channel, Target string
	State           cell
	Attempts        int
	Last            string // when the last attempt was made
	Next            string // when the next attempt is due (pending only)
	Error           string
}

// alertRows turns the stored alerts (oldest first) into rows, newest first: the latest warning
// is what the board acts on.
func alertRows(rd dossier.Round, as []dossier.Alert, organizer bool) []alertRow {
	out := make([]alertRow, 0, len(as))
	for i := len(as) - 1; i >= 0; i-- {
		a := as[i]
		row := alertRow{ID: a.ID, Deadline: deadlineLabel(rd, a.Deadline), At: localTime(rd, a.DeadlineAt),
			RaisedAt: localTime(rd, a.RaisedAt), Persons: []alertPersonRow{},
			Step: dossier.Step(a.Deadline) && a.Deadline != dossier.DeadlinePacket}
		if a.Lead == dossier.LeadOverdue {
			row.Lead = cell{Label: "đã quá hạn", Class: "bad"}
		} else {
			row.Lead = cell{Label: "trước hạn " + dossier.DurationLabel(time.Duration(a.LeadSeconds)*time.Second), Class: "warn"}
		}
		for _, p := range a.Persons {
			missing := make([]string, len(p.Missing))
			for j, k := range p.Missing {
				missing[j] = kindLabel(k)
			}
			row.Persons = append(row.Persons, alertPersonRow{Name: p.Name, Position: p.Position,
				Missing: strings.Join(missing, "; "), OpenRequests: p.OpenRequests})
		}
		if organizer {
			for _, d := range a.Deliveries {
				dr := deliveryRow{Channel: channelLabel(d.Channel), Target: d.Target, State: deliveryState(d.State),
					Attempts: d.Attempts, Last: localTime(rd, d.LastAttemptAt), Error: d.LastError}
				if d.State == dossier.DeliverySent {
					dr.Last = localTime(rd, d.SentAt)
				}
				if d.State == dossier.DeliveryPending {
					dr.Next = localTime(rd, d.NextAt)
				}
				row.Deliveries = append(row.Deliveries, dr)
			}
		}
		out = append(out, row)
	}
	return out
}

// channelLabel names where an alert is sent.
func channelLabel(ch string) string {
	switch ch {
	case dossier.ChannelSubject:
		return "Kênh tin nội bộ"
	case dossier.ChannelWebhook:
		return "Hệ thống nhận tin (webhook)"
	case dossier.ChannelEmail:
		return "Thư điện tử"
	}
	return "Kênh khác"
}

// deliveryState names what became of one delivery of an alert.
func deliveryState(state string) cell {
	switch state {
	case dossier.DeliverySent:
		return cell{Label: "đã gửi", Class: "ok"}
	case dossier.DeliveryPending:
		return cell{Label: "đang chờ gửi", Class: "info"}
	case dossier.DeliveryFailed:
		return cell{Label: "không gửi được", Class: "bad"}
	}
	return cell{Label: "không rõ", Class: "muted"}
}
