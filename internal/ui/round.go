package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
)

type roundPage struct {
	chrome
	Round      roundHead
	Zone       string
	Deadlines  []deadlineRow
	Kinds      []string // column headings: the required kinds
	People     []personRow
	Exempt     []exemptRow
	Removed    []personRow
	Requests   []requestRow
	Unassigned []docRow
	Summary    dossier.Summary
	// Alerts raised by the deadline watcher, newest first; AlertsUnread when they could not be
	// read (the rest of the page still shows).
	Alerts         []alertRow
	AlertsUnread   bool
	AlertLeads     string // "3 ngày, 1 ngày, 2 giờ": when the round asks to be warned
	ShowDeliveries bool
	// Forms, shown to organizers only.
	CanUpload   bool
	CanDecide   bool
	Nominees    []option
	KindOptions []option
	UploadURL   string
	TallyURL    string
	ImportForm  importForm
	// Trail is the ballot, the voters' packet and its sending (papertrail.go).
	Trail *roundTrail
}

type roundHead struct {
	ID, Title, Organization, Parent, Track, VoteDate, Place string
	Summoned, Version                                       int
	People                                                  string // "người", or "đại biểu" on the State track
	UpdatedBy, UpdatedAt                                    string
}

type deadlineRow struct {
	Name                   string
	Label, At, Left, Class string
	Defaulted              bool
}

type personRow struct {
	Order          int
	ID, Name       string
	Position       string
	Cells          []cell
	Requests       cell
	Dossier        cell
	OtherDocuments []cell
}

// cell is one badge in a table: the words, the class that colours it, and where it leads.
type cell struct {
	Label, Class, URL, Title string
	// Heading names the column, for narrow screens where each cell carries its own label.
	Heading string
}

type exemptRow struct {
	ID, Name, Position, Reason string
	Documents                  []cell
}

type requestRow struct {
	ID, URL, File, Person, PersonID string
	Received, Ref, Requester        string
	State                           cell
	AnswerURL                       string
	Decision, DecisionNote          string
	Awaiting                        bool
	DecideURL                       string
}

type docRow struct {
	ID, URL, File, Received, Kind, Person string
	State                                 cell
	Reason                                string
}

type option struct {
	Value, Label string
	Selected     bool
}

func (s *Server) round(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, rep, err := s.app.Status(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.failed(w, r, p, err, "Không mở được đợt lấy phiếu")
		return
	}
	alerts, err := s.app.Alerts(r.Context(), p, rd.ID)
	unread := false
	if err != nil {
		// The dossier table matters more than the alerts about it: show it anyway.
		s.log.ErrorContext(r.Context(), "ui: alerts", "round", rd.ID, "err", err)
		alerts, unread = nil, true
	}
	pg := buildRoundPage(rd, rep, alerts, p, s.app.Now())
	pg.User, pg.Flash, pg.AlertsUnread = newUserView(p), flash(r), unread
	s.roundTrailOf(r, p, &pg, rd)
	s.render(w, r, http.StatusOK, "round", pg)
}

// buildRoundPage turns a round, its dossier report and its raised alerts (oldest first, as the
// store gives them) into what the page shows. It is pure, so the page can be tested (golden
// file) without a server.
func buildRoundPage(rd dossier.Round, rep dossier.Report, alerts []dossier.Alert, p auth.Principal, now time.Time) roundPage {
	mayDecide := app.May(p, app.DecideRequest, &rd)
	pg := roundPage{
		chrome: chrome{Title: rd.Title, Back: "/", BackLabel: "Các đợt lấy phiếu"},
		Round: roundHead{ID: rd.ID, Title: rd.Title, Organization: rd.Organization, Parent: rd.ParentOrganization,
			Track: trackLabel(rd.Track), VoteDate: voteDate(rd.VoteDate), Place: rd.Place, Summoned: rd.Summoned, People: minutes.PeopleWord(rd.Track),
			Version: rd.Version, UpdatedBy: rd.UpdatedBy, UpdatedAt: localTime(rd, rd.UpdatedAt)},
		Zone:           zoneLabel(rd, now),
		Summary:        rep.Summary,
		CanUpload:      app.May(p, app.UploadDocument, &rd),
		CanDecide:      mayDecide,
		UploadURL:      "/rounds/" + rd.ID + "/documents",
		TallyURL:       "/rounds/" + rd.ID + "/tally",
		ImportForm:     importForm{ID: "cap-nhat"},
		People:         []personRow{},
		Exempt:         []exemptRow{},
		Requests:       []requestRow{},
		Unassigned:     []docRow{},
		Alerts:         alertRows(rd, alerts, app.May(p, app.ViewAlertDelivery, &rd)),
		ShowDeliveries: app.May(p, app.ViewAlertDelivery, &rd),
	}
	leads := make([]string, len(rd.Alerts))
	for i, l := range rd.Alerts {
		leads[i] = dossier.DurationLabel(l.D)
	}
	pg.AlertLeads = strings.Join(leads, ", ")
	for _, name := range rd.DeadlineNames() {
		d, _ := rd.Deadline(name)
		pg.Deadlines = append(pg.Deadlines, deadlineRow{Name: name, Label: deadlineLabel(rd, name), At: localTime(rd, d.At),
			Left: countdown(now, d.At), Class: countdownClass(now, d.At), Defaulted: d.Source == "default"})
	}
	for _, k := range rd.Required {
		pg.Kinds = append(pg.Kinds, kindLabel(k))
	}
	names := map[string]string{}
	for _, n := range rd.Nominees {
		names[n.ID] = n.Name
	}
	for _, n := range rd.Removed {
		if _, ok := names[n.ID]; !ok {
			names[n.ID] = n.Name
		}
	}
	order := 0
	for _, ns := range rep.Nominees {
		if ns.Exempt != "" {
			pg.Exempt = append(pg.Exempt, exemptRow{ID: ns.Nominee, Name: ns.Name, Position: ns.Position, Reason: ns.Exempt,
				Documents: otherDocuments(ns, nil)})
		} else {
			order++
			pg.People = append(pg.People, buildPersonRow(rd, ns, order))
		}
		pg.Requests = append(pg.Requests, requestRows(rd, ns, mayDecide)...)
	}
	for _, ns := range rep.Removed {
		row := buildPersonRow(rd, ns, 0)
		if len(row.OtherDocuments) > 0 || len(row.Cells) > 0 {
			pg.Removed = append(pg.Removed, row)
		}
	}
	for _, d := range slices.Concat(rep.ToReview, rep.Unassigned) {
		row := docRow{ID: d.DocumentID, URL: "/documents/" + d.DocumentID, File: d.File, Received: localTime(rd, d.ReceivedAt),
			Kind: kindLabel(d.Kind), Person: "chưa xác định", Reason: reasonLabel(d.Reason),
			State: cell{Label: stateLabel(d.Status), Class: stateClass(d.Status)}}
		if d.Nominee != "" {
			row.Person = d.Nominee
			if n, ok := names[d.Nominee]; ok {
				row.Person = n
			}
		}
		pg.Unassigned = append(pg.Unassigned, row)
	}
	if pg.CanUpload {
		pg.Nominees = append(pg.Nominees, option{Value: "", Label: "Tự nhận diện theo nội dung"})
		for _, n := range rd.Nominees {
			label := n.Name + " (" + n.ID + ")"
			if !n.OnBallot() {
				label += " — không thuộc diện lấy phiếu"
			}
			pg.Nominees = append(pg.Nominees, option{Value: n.ID, Label: label})
		}
		pg.KindOptions = append(pg.KindOptions, option{Value: "", Label: "Tự nhận diện theo nội dung"})
		for _, k := range dossier.AllKinds() {
			pg.KindOptions = append(pg.KindOptions, option{Value: string(k), Label: kindLabel(k)})
		}
	}
	return pg
}

// buildPersonRow is one person's line: the state of each required kind, the requests for
// explanation addressed to them, and whether the dossier is complete.
func buildPersonRow(rd dossier.Round, ns dossier.NomineeStatus, order int) personRow {
	row := personRow{Order: order, ID: ns.Nominee, Name: ns.Name, Position: ns.Position}
	required := map[dossier.Kind]bool{}
	for _, k := range rd.Required {
		required[k] = true
		st, ok := ns.Documents[k]
		if !ok {
			st = dossier.StatusMissing
		}
		c := cell{Label: stateLabel(st), Class: stateClass(st), Title: kindLabel(k), Heading: kindLabel(k)}
		if id := currentDocument(ns, k); id != "" {
			c.URL = "/documents/" + id
		}
		if st == dossier.StatusLate && !rd.Rules.AcceptLate {
			c.Title += ": nộp sau hạn, không được tính là đủ"
		}
		row.Cells = append(row.Cells, c)
	}
	row.OtherDocuments = otherDocuments(ns, required)
	open, total, awaiting := ns.OpenRequests, len(ns.Requests), 0
	for _, q := range ns.Requests {
		if q.State == dossier.RequestAwaitingDecision {
			awaiting++
		}
	}
	switch {
	case total == 0:
		row.Requests = cell{Label: "không có", Class: "muted"}
	case open > 0:
		row.Requests = cell{Label: fmt.Sprintf("%d chờ giải trình", open), Class: "warn"}
	case awaiting > 0:
		row.Requests = cell{Label: fmt.Sprintf("%d chờ ban tổ chức quyết định", awaiting), Class: "info"}
	default:
		row.Requests = cell{Label: fmt.Sprintf("%d đề nghị, không còn nợ", total), Class: "ok"}
	}
	switch {
	case ns.Removed:
		row.Dossier = cell{Label: "đã rút khỏi danh sách", Class: "muted"}
	case ns.Complete:
		row.Dossier = cell{Label: "đủ", Class: "ok"}
	case ns.Overdue:
		row.Dossier = cell{Label: "còn thiếu, đã quá hạn", Class: "bad"}
	default:
		row.Dossier = cell{Label: "chưa đủ", Class: "warn"}
	}
	return row
}

// currentDocument is the id of the document that decides a kind's state.
func currentDocument(ns dossier.NomineeStatus, k dossier.Kind) string {
	for _, v := range ns.Versions[k] {
		if v.Current {
			return v.DocumentID
		}
	}
	return ""
}

// otherDocuments lists the kinds a person sent beyond the required ones (requests and
// explanations, other papers), in the order of dossier.AllKinds().
func otherDocuments(ns dossier.NomineeStatus, skip map[dossier.Kind]bool) []cell {
	var out []cell
	for _, k := range dossier.AllKinds() {
		if skip[k] {
			continue
		}
		st, ok := ns.Documents[k]
		if !ok || st == dossier.StatusMissing {
			continue
		}
		label := stateLabel(st)
		if st == dossier.StatusAccepted {
			label = "đã nhận" // a request for explanation is received, not "submitted"
		}
		c := cell{Label: kindLabel(k) + ": " + label, Class: stateClass(st)}
		if id := currentDocument(ns, k); id != "" {
			c.URL = "/documents/" + id
		}
		out = append(out, c)
	}
	return out
}

// requestRows are a person's requests for explanation; who asked is in the report only for
// those who may know (the core empties it for others).
func requestRows(rd dossier.Round, ns dossier.NomineeStatus, mayDecide bool) []requestRow {
	var out []requestRow
	for _, q := range ns.Requests {
		row := requestRow{ID: q.DocumentID, URL: "/documents/" + q.DocumentID, File: q.File, Person: ns.Name, PersonID: ns.Nominee,
			Received: localTime(rd, q.ReceivedAt), Ref: q.Ref,
			State: cell{Label: requestStateLabel(q.State), Class: requestStateClass(q.State)}}
		row.Requester = q.Requester
		if q.AnsweredBy != "" {
			row.AnswerURL = "/documents/" + q.AnsweredBy
		}
		if q.Decision != nil {
			row.Decision = "Chấp nhận xem xét"
			if q.Decision.Decision == dossier.DecisionSetAside {
				row.Decision = "Không xem xét"
			}
			row.Decision += " — " + q.Decision.By + ", " + localTime(rd, q.Decision.At)
			row.DecisionNote = q.Decision.Note
		}
		if q.State == dossier.RequestAwaitingDecision && mayDecide {
			row.Awaiting = true
			row.DecideURL = "/rounds/" + rd.ID + "/requests/" + q.DocumentID + "/decision"
		}
		out = append(out, row)
	}
	return out
}
