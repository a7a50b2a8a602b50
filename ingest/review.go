package ingest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tinnhiem/dossier"
)

// ErrNotReviewable is returned when a document's state does not allow the review asked for.
var ErrNotReviewable = errors.New("không thể xác nhận tài liệu này")

// Reviewable is the one rule of which verdicts a person may confirm or correct: a paper read
// (accepted, late, waiting for review), or refused only because its person or kind could not be
// told. A file refused for itself (empty, corrupt, a duplicate…) can only be replaced by another.
func Reviewable(status, reason string) bool {
	switch status {
	case dossier.StatusNeedsReview, dossier.StatusAccepted, dossier.StatusLate:
		return true
	case dossier.StatusRejected:
		return reason == ReasonUnknownNominee || reason == ReasonKindUncertain
	}
	return false
}

// Review is a person's confirmation of a document's kind and nominee.
type Review struct {
	Kind    dossier.Kind
	Nominee string
	By      string
	Note    string
}

// Reviewed is d once a person has confirmed (or corrected) its kind and person in round r: the
// deadline judged again on the original receipt time, the warnings that asked for the review
// gone, and — when the same bytes already count, for this person or another (cs are the
// copies of its bytes) — confirmed as their duplicate, since one file is one paper. It refuses
// (ErrNotReviewable) a document whose state allows no review, a person off the roster or an
// unknown kind.
func Reviewed(d dossier.Document, r dossier.Round, rv Review, cs []Copy, now time.Time) (dossier.Document, error) {
	if !Reviewable(d.Status, d.Reason) {
		return dossier.Document{}, fmt.Errorf("%w: tài liệu đang ở trạng thái %q (%s)", ErrNotReviewable, dossier.StatusLabel(d.Status), d.Reason)
	}
	n, ok := r.Nominee(rv.Nominee)
	if !ok {
		return dossier.Document{}, fmt.Errorf("%w: mã người %q không có trong danh sách", ErrNotReviewable, rv.Nominee)
	}
	if _, err := dossier.ParseKind(string(rv.Kind)); err != nil {
		return dossier.Document{}, fmt.Errorf("%w: %w", ErrNotReviewable, err)
	}
	was := d
	d.Kind, d.Nominee = rv.Kind, n.ID
	if d.Kind != dossier.KindExplanationRequest {
		d.Requester = "" // only a request for explanation has someone who asked
	}
	d.KindConfidence = 1
	d.Reason, d.Message, d.DuplicateOf = "", "", ""
	d.Warnings = confirmedWarnings(was, d, n)
	d = judgeDeadline(d, r)
	// One file is one paper: the same bytes counting already, for this person or another,
	// make this copy their duplicate (to move a paper, confirm the counting copy instead).
	var first Copy
	for _, c := range cs {
		if (c.Status == dossier.StatusAccepted || c.Status == dossier.StatusLate) && c.ID != d.ID &&
			(first.ID == "" || Earlier(c.ReceivedAt, c.ID, first.ReceivedAt, first.ID)) {
			first = c
		}
	}
	if first.ID != "" {
		d = duplicate(d, first, r)
	}
	d.ReviewedBy, d.ReviewedAt = rv.By, now.UTC()
	d.Revision++
	return d, nil
}

// confirmedWarnings are the warnings of a document once a person has confirmed its kind and
// person: what asked for the confirmation goes, and what depended on the person or kind the
// content was taken for goes with them when the review changed those.
func confirmedWarnings(was, now dossier.Document, n dossier.Nominee) []string {
	out := slices.DeleteFunc(slices.Clone(was.Warnings), func(w string) bool {
		switch {
		case w == WarnKindMismatch, w == WarnNomineeMismatch, w == WarnAmbiguousNominee, w == WarnKindUncertain, w == warnNomineeExempt:
			return true
		case w == WarnNomineeVariant:
			return now.Nominee != was.Nominee
		case strings.HasPrefix(w, WarnMissingCriterion):
			return now.Kind != dossier.KindSelfAssessment
		}
		return false
	})
	if !n.OnBallot() {
		out = append(out, warnNomineeExempt)
	}
	if out == nil {
		out = []string{}
	}
	return out
}
