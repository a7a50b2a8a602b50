package dossier

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// States of a request for explanation.
const (
	RequestOpen             = "open"              // the person owes an explanation
	RequestAnswered         = "answered"          // closed by the person's explanation
	RequestAwaitingDecision = "awaiting_decision" // received after its deadline; the board decides
	RequestSetAside         = "set_aside"         // late, and the board set it aside
)

// RequestStatus is one request for explanation addressed to a person, and how it stands.
type RequestStatus struct {
	DocumentID string    `json:"document_id"`
	File       string    `json:"file,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	Ref        string    `json:"ref,omitempty"`
	// Requester is who asked; the API shows it to organizers and admins only (DOMAIN.md).
	Requester  string        `json:"requester,omitempty"`
	Late       bool          `json:"late"`
	State      string        `json:"state"`
	Decision   *DecisionView `json:"decision,omitempty"`
	AnsweredBy string        `json:"answered_by,omitempty"` // document id of the explanation
}

// DecisionView is the board's decision on a late request as shown to people.
type DecisionView struct {
	Decision string    `json:"decision"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// explanationCycle links a person's explanations to the requests they answer and reports each
// request's state and how many are still owed.
//
// Requests count once they have a final verdict: accepted (on time) opens an item at once; late
// waits for the board, whose "accept" opens it and "set_aside" drops it. needs_review, pending and
// rejected documents are not requests yet. An explanation counts when accepted, or late when the
// round accepts late documents. It closes the request it names (by document id or by the
// reference the texts give); an explanation that names none closes the oldest open request.
// Explanations are taken in order of receipt, so the result does not depend on arrival order of
// the events.
func explanationCycle(requests, explanations []docRef, decisions map[string]Decision, acceptLate bool) ([]RequestStatus, int) {
	if len(requests) == 0 {
		return nil, 0
	}
	sortByReceipt(requests)
	sortByReceipt(explanations)
	out := make([]RequestStatus, 0, len(requests))
	index := map[string]int{}
	for _, r := range requests {
		if r.e.Status != StatusAccepted && r.e.Status != StatusLate {
			continue
		}
		st := RequestStatus{DocumentID: r.id, File: r.e.File, ReceivedAt: r.e.ReceivedAt, Ref: r.e.RequestRef,
			Requester: r.e.Requester, Late: r.e.Status == StatusLate, State: RequestOpen}
		if st.Late {
			st.State = RequestAwaitingDecision
			if d, ok := decisions[r.id]; ok {
				st.Decision = &DecisionView{Decision: d.Decision, Note: d.Note, By: d.By, At: d.At}
				if d.Decision == DecisionAccept {
					st.State = RequestOpen
				} else {
					st.State = RequestSetAside
				}
			}
		}
		index[r.id] = len(out)
		out = append(out, st)
	}
	for _, x := range explanations {
		if x.e.Status != StatusAccepted && !(x.e.Status == StatusLate && acceptLate) {
			continue
		}
		if i, ok := namedRequest(x.e, out, index); ok {
			// A named request takes the explanation even when already answered: a corrected
			// version of an answer must not close some other request.
			if out[i].AnsweredBy == "" {
				out[i].AnsweredBy = x.id
				if out[i].State == RequestOpen {
					out[i].State = RequestAnswered
				}
			}
			continue
		}
		for i := range out {
			if out[i].State == RequestOpen && out[i].AnsweredBy == "" {
				out[i].AnsweredBy, out[i].State = x.id, RequestAnswered
				break
			}
		}
	}
	open := 0
	for i := range out {
		if out[i].State == RequestOpen {
			open++
		}
	}
	return out, open
}

// namedRequest finds the request an explanation names: by document id first, then by reference.
func namedRequest(x DocEntry, reqs []RequestStatus, index map[string]int) (int, bool) {
	if x.Answers != "" {
		if i, ok := index[x.Answers]; ok {
			return i, true
		}
	}
	if ref := foldRef(x.RequestRef); ref != "" {
		for i, r := range reqs {
			if foldRef(r.Ref) == ref {
				return i, true
			}
		}
		// The same letter is often cited with more or less around its number: "Số 05/ĐNGT"
		// answers "số 05/ĐNGT ngày 20/11/2026" and "số 5".
		if num, suffix, ok := refNumber(x.RequestRef); ok {
			for i, r := range reqs {
				n, sf, ok := refNumber(r.Ref)
				if ok && n == num && (sf == suffix || sf == "" || suffix == "") {
					return i, true
				}
			}
		}
	}
	return 0, false
}

// refNumberPattern finds a letter's number after "số": digits, then an optional "/ABC-XYZ" part.
var refNumberPattern = regexp.MustCompile(`(?i)(?:^|[^\p{L}])s[ốô]\s*:?\s*0*(\d+)((?:/[\p{L}\d-]+)*)`)

// refNumber is the number of a cited letter ("05" → "5") and what follows its slash, folded.
func refNumber(ref string) (num, suffix string, ok bool) {
	m := refNumberPattern.FindStringSubmatch(norm.NFC.String(ref))
	if m == nil {
		return "", "", false
	}
	return m[1], strings.ToLower(m[2]), true
}

// foldRef compares references ("Số 12/ĐNGT", "số 12/đngt ") regardless of case and spacing.
func foldRef(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// docRef is a document entry with its id, for sorting.
type docRef struct {
	id string
	e  DocEntry
}

func sortByReceipt(ds []docRef) {
	slices.SortFunc(ds, func(a, b docRef) int {
		if c := a.e.ReceivedAt.Compare(b.e.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}
