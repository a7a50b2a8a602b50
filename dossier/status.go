package dossier

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// StatusMissing is the state of a required kind with no document at all.
const StatusMissing = "missing"

// NomineeStatus is the dossier of one person (DESIGN §4 status contract, plus detail).
//
// An exempt person (not on the ballot) is listed with the reason in Exempt, has no missing kinds
// and is complete: nothing is owed by someone who is not voted on. Documents they sent anyway
// are still shown.
//
// Missing lists the required kinds not yet satisfied; owed explanations are counted apart in
// OpenRequests. Complete means both are empty/zero.
type NomineeStatus struct {
	Nominee      string          `json:"nominee"`
	Name         string          `json:"name"`
	Position     string          `json:"position,omitempty"`
	Exempt       string          `json:"exempt"`
	ExemptReason string          `json:"exempt_reason,omitempty"`
	Documents    map[Kind]string `json:"documents"`
	Missing      []Kind          `json:"missing"`
	OpenRequests int             `json:"open_requests"`
	Complete     bool            `json:"complete"`
	// Overdue: something is still missing or owed after its deadline.
	Overdue  bool                  `json:"overdue"`
	Versions map[Kind][]DocVersion `json:"versions"`
	Requests []RequestStatus       `json:"requests"`
	Removed  bool                  `json:"removed,omitempty"`
}

// DocVersion is one document of a kind; the newest comes first and Current marks the one
// that decides the kind's state.
type DocVersion struct {
	DocumentID string    `json:"document_id"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
	File       string    `json:"file,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Current    bool      `json:"current,omitempty"`
	Kind       Kind      `json:"kind,omitempty"`    // unassigned documents only
	Nominee    string    `json:"nominee,omitempty"` // unassigned documents only
}

// Report is the dossier status of a whole round.
type Report struct {
	Round    string          `json:"round"`
	Nominees []NomineeStatus `json:"nominees"` // roster order
	// Removed are persons taken off the roster; what they sent is kept and shown here.
	Removed []NomineeStatus `json:"removed"`
	// Unassigned documents name no person of the round, or no kind: a person must review them.
	Unassigned []DocVersion `json:"unassigned"`
	// ToReview are papers placed with a person and kind that wait for a person's confirmation
	// (e.g. content contradicting what the uploader declared); they do not count until then.
	ToReview []DocVersion `json:"to_review"`
	Summary  Summary      `json:"summary"`
}

// Summary counts the report's persons and documents.
type Summary struct {
	OnBallot     int `json:"on_ballot"`
	Exempt       int `json:"exempt"`
	Complete     int `json:"complete"`
	Incomplete   int `json:"incomplete"`
	OpenRequests int `json:"open_requests"`
	Documents    int `json:"documents"`
	NeedsReview  int `json:"needs_review"`
}

// statusRank orders the states a kind can show: the best document decides. A rejected document
// shows only when it is the last attempt and nothing better exists.
var statusRank = map[string]int{StatusAccepted: 5, StatusLate: 4, StatusNeedsReview: 3, StatusPending: 2, StatusRejected: 1}

// Status computes every person's dossier from the current round and the projection, at now.
// It is pure: the round's roster, requirements, accept_late rule and deadlines as they are now
// decide, so a change to the round shows at once.
func Status(r Round, st *State, now time.Time) Report {
	rep := Report{Round: r.ID, Nominees: make([]NomineeStatus, 0, len(r.Nominees)), Removed: []NomineeStatus{}, Unassigned: []DocVersion{}, ToReview: []DocVersion{}}
	known := make(map[string]bool, len(r.Nominees)+len(r.Removed))
	for _, n := range r.Nominees {
		known[n.ID] = true
	}
	for _, n := range r.Removed {
		known[n.ID] = true
	}
	byPerson := make(map[string][]docRef, len(r.Nominees))
	if st != nil {
		// Map order is fine: every list made here is sorted by a total order before it is shown.
		for id, e := range st.Docs {
			e.Status = EffectiveStatus(r, e)
			rep.Summary.Documents++
			if e.Status == StatusNeedsReview {
				rep.Summary.NeedsReview++
			}
			if e.Nominee == "" || e.Kind == "" || !known[e.Nominee] {
				rep.Unassigned = append(rep.Unassigned, DocVersion{DocumentID: id, Status: e.Status, ReceivedAt: e.ReceivedAt,
					File: e.File, Reason: e.Reason, Kind: e.Kind, Nominee: e.Nominee})
				continue
			}
			if e.Status == StatusNeedsReview {
				rep.ToReview = append(rep.ToReview, DocVersion{DocumentID: id, Status: e.Status, ReceivedAt: e.ReceivedAt,
					File: e.File, Reason: e.Reason, Kind: e.Kind, Nominee: e.Nominee})
			}
			byPerson[e.Nominee] = append(byPerson[e.Nominee], docRef{id: id, e: e})
		}
	}
	slices.SortFunc(rep.ToReview, newestFirst)
	slices.SortFunc(rep.Unassigned, newestFirst)
	var decisions map[string]Decision
	if st != nil {
		decisions = st.Decisions
	}
	for _, n := range r.Nominees {
		ns := nomineeStatus(r, n, n.OnBallot(), byPerson[n.ID], decisions, now)
		if ns.Exempt != "" {
			rep.Summary.Exempt++
		} else {
			rep.Summary.OnBallot++
			if ns.Complete {
				rep.Summary.Complete++
			} else {
				rep.Summary.Incomplete++
			}
			rep.Summary.OpenRequests += ns.OpenRequests
		}
		rep.Nominees = append(rep.Nominees, ns)
	}
	for _, n := range r.Removed {
		if _, still := r.Nominee(n.ID); still {
			continue
		}
		// Nothing is owed by a person off the roster; what they sent stays visible.
		ns := nomineeStatus(r, n, false, byPerson[n.ID], decisions, now)
		ns.Removed = true
		rep.Removed = append(rep.Removed, ns)
	}
	return rep
}

func nomineeStatus(r Round, n Nominee, onBallot bool, docs []docRef, decisions map[string]Decision, now time.Time) NomineeStatus {
	byKind := groupByKind(docs)
	ns := NomineeStatus{
		Nominee: n.ID, Name: n.Name, Position: n.Position, Exempt: n.ExemptReason, ExemptReason: n.ExemptReason,
		Documents: make(map[Kind]string, len(byKind)+len(r.Required)), Missing: []Kind{}, Versions: make(map[Kind][]DocVersion, len(byKind)),
		Requests: []RequestStatus{},
	}
	for _, g := range byKind {
		status, versions := kindState(g.docs)
		ns.Documents[g.kind] = status
		ns.Versions[g.kind] = versions
	}
	for _, k := range r.Required {
		if !onBallot {
			continue
		}
		status, ok := ns.Documents[k]
		if !ok {
			ns.Documents[k] = StatusMissing
		}
		if !satisfies(status, r.Rules.AcceptLate) {
			ns.Missing = append(ns.Missing, k)
		}
	}
	reqs, open := explanationCycle(byKind.of(KindExplanationRequest), byKind.of(KindExplanation), decisions, r.Rules.AcceptLate)
	if reqs != nil {
		ns.Requests = reqs
	}
	ns.OpenRequests = open
	if !onBallot {
		ns.Complete = true
		return ns
	}
	ns.Complete = len(ns.Missing) == 0 && open == 0
	ns.Overdue = (len(ns.Missing) > 0 && now.After(r.Deadlines.Dossier.At)) || (open > 0 && now.After(r.Deadlines.Explanation.At))
	return ns
}

// kindGroup is one person's documents of one kind.
type kindGroup struct {
	kind Kind
	docs []docRef
}

type kindGroups []kindGroup

// groupByKind splits a person's documents by kind: a handful of kinds, so a slice searched in
// line costs less than a map per person of a 5,000-person round.
func groupByKind(docs []docRef) kindGroups {
	var gs kindGroups
	for _, d := range docs {
		i := slices.IndexFunc(gs, func(g kindGroup) bool { return g.kind == d.e.Kind })
		if i < 0 {
			gs = append(gs, kindGroup{kind: d.e.Kind})
			i = len(gs) - 1
		}
		gs[i].docs = append(gs[i].docs, d)
	}
	return gs
}

func (gs kindGroups) of(k Kind) []docRef {
	for _, g := range gs {
		if g.kind == k {
			return g.docs
		}
	}
	return nil
}

// EffectiveStatus judges a document against the round's deadline as it is now. The ingest
// workers judged it against the deadline of the moment; when the board moves a deadline, a
// document received before the new one is on time and one received after it is late, at once.
// Only the accepted/late distinction is re-judged; other verdicts stand.
func EffectiveStatus(r Round, e DocEntry) string {
	if (e.Status != StatusAccepted && e.Status != StatusLate) || e.ReceivedAt.IsZero() {
		return e.Status
	}
	dl, ok := r.DeadlineFor(e.Kind)
	if !ok || dl.At.IsZero() {
		return e.Status
	}
	if dl.OnTime(e.ReceivedAt) {
		return StatusAccepted
	}
	return StatusLate
}

// newestFirst orders document versions by receipt, newest first, then by id.
func newestFirst(a, b DocVersion) int {
	if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
		return c
	}
	return strings.Compare(a.DocumentID, b.DocumentID)
}

// LateMessage is the sentence a late document carries: when it came and what the deadline was,
// to the second when the minutes alone would look the same.
func LateMessage(r Round, receivedAt, deadlineAt time.Time) string {
	got, due := r.FormatTime(receivedAt), r.FormatTime(deadlineAt)
	if got == due {
		loc := r.Location()
		got, due = receivedAt.In(loc).Format("15:04:05 02/01/2006"), deadlineAt.In(loc).Format("15:04:05 02/01/2006")
	}
	return fmt.Sprintf("Nộp sau hạn: nhận lúc %s, hạn là %s.", got, due)
}

// latePattern finds the late sentence of LateMessage in a verdict's message.
var latePattern = regexp.MustCompile(`Nộp sau hạn: nhận lúc [^.]*, hạn là [^.]*\.\s*`)

// CurrentVerdict is a stored verdict as it stands under the round's deadlines now (see
// EffectiveStatus): a document judged late before the board moved the deadline later reads as
// accepted, with its message to match, and the other way round.
func CurrentVerdict(r Round, d Document) Document {
	now := EffectiveStatus(r, DocEntry{Status: d.Status, Kind: d.Kind, ReceivedAt: d.ReceivedAt})
	if now == d.Status {
		return d
	}
	rest := strings.TrimSpace(latePattern.ReplaceAllString(d.Message, ""))
	d.Status = now
	switch dl, _ := r.DeadlineFor(d.Kind); now {
	case StatusLate:
		d.Message = strings.TrimSpace(LateMessage(r, d.ReceivedAt, dl.At) + " " + rest)
	default:
		d.Message = rest
	}
	return d
}

// satisfies reports whether a kind's state fulfils the requirement under the round's rule.
func satisfies(status string, acceptLate bool) bool {
	return status == StatusAccepted || (status == StatusLate && acceptLate)
}

// kindState picks the state of one kind from its documents and lists them newest first.
func kindState(ds []docRef) (string, []DocVersion) {
	sortByReceipt(ds)
	best := -1
	for i, d := range ds {
		// Among equals the newest wins: a corrected re-upload replaces the earlier one.
		if best < 0 || statusRank[d.e.Status] >= statusRank[ds[best].e.Status] {
			best = i
		}
	}
	out := make([]DocVersion, 0, len(ds))
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		out = append(out, DocVersion{DocumentID: d.id, Status: d.e.Status, ReceivedAt: d.e.ReceivedAt, File: d.e.File,
			Reason: d.e.Reason, Current: i == best})
	}
	return ds[best].e.Status, out
}

// StatusLabel is the Vietnamese word for a document state.
func StatusLabel(status string) string {
	switch status {
	case StatusAccepted:
		return "đã nhận"
	case StatusLate:
		return "nộp muộn"
	case StatusNeedsReview:
		return "chờ xác nhận"
	case StatusRejected:
		return "bị từ chối"
	case StatusPending:
		return "đang xử lý"
	case StatusMissing:
		return "chưa nộp"
	}
	return status
}
