package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
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

// ApplyReview confirms (or corrects) the kind and nominee of a document that needs review or
// carries a warning. The deadline is judged again on the original receipt time. The new
// revision is stored, audited and published for the dossier projection.
func ApplyReview(ctx context.Context, js jetstream.JetStream, docs *Documents, log *audit.Log, r dossier.Round, id string, rv Review, now time.Time) (dossier.Document, error) {
	d, rev, err := docs.Get(ctx, id)
	if err != nil {
		return dossier.Document{}, err
	}
	if d.Round != r.ID {
		return dossier.Document{}, ErrNotFound
	}
	if !Reviewable(d.Status, d.Reason) {
		return dossier.Document{}, fmt.Errorf("%w: tài liệu đang ở trạng thái %q (%s)", ErrNotReviewable, dossier.StatusLabel(d.Status), d.Reason)
	}
	n, ok := r.Nominee(rv.Nominee)
	if !ok {
		return dossier.Document{}, fmt.Errorf("%w: mã người %q không có trong danh sách", ErrNotReviewable, rv.Nominee)
	}
	if _, err := dossier.ParseKind(string(rv.Kind)); err != nil {
		return dossier.Document{}, fmt.Errorf("%w: %v", ErrNotReviewable, err)
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
	// The same bytes already count for that person and kind: confirming this copy too would
	// count one paper twice, so it is confirmed as the duplicate it is.
	if d.SHA256 != "" {
		cs, _, err := docs.Copies(ctx, d.Round, d.SHA256)
		if err != nil {
			return dossier.Document{}, err
		}
		var placed []Copy
		for _, c := range cs {
			if c.Status == dossier.StatusAccepted || c.Status == dossier.StatusLate {
				placed = append(placed, c)
			}
		}
		// One file is one paper: the same bytes counting already, for this person or another,
		// make this copy their duplicate (to move a paper, confirm the counting copy instead).
		var first Copy
		for _, c := range placed {
			if c.ID != d.ID && (first.ID == "" || c.ReceivedAt.Before(first.ReceivedAt) || (c.ReceivedAt.Equal(first.ReceivedAt) && c.ID < first.ID)) {
				first = c
			}
		}
		if first.ID != "" {
			d = duplicate(d, first, r)
		}
	}
	d.ReviewedBy, d.ReviewedAt = rv.By, now.UTC()
	d.Revision++
	if err := docs.Update(ctx, d, rev); err != nil {
		if bus.IsConflict(err) {
			// Someone else confirmed it meanwhile: theirs stands until this person looks again.
			return dossier.Document{}, fmt.Errorf("%w: tài liệu vừa được người khác xác nhận hoặc thay đổi; hãy xem lại rồi làm lại nếu cần", ErrNotReviewable)
		}
		return dossier.Document{}, err
	}
	if d.SHA256 != "" {
		if was.Nominee != "" && was.Kind != "" && (was.Nominee != d.Nominee || was.Kind != d.Kind) {
			// No longer that person's paper of that kind: it must not stay among their versions.
			if err := removeVersion(ctx, docs, d.Round, was.Nominee, was.Kind, d.ID); err != nil {
				return dossier.Document{}, err
			}
		}
		if err := docs.recordVersion(ctx, d); err != nil {
			return dossier.Document{}, err
		}
		// Confirmed (or no longer refused), its bytes sent again are a duplicate of it.
		if err := docs.recordCopy(ctx, d); err != nil {
			return dossier.Document{}, err
		}
	}
	if log != nil {
		_ = log.Append(ctx, audit.Event{
			ID: fmt.Sprintf("review-%s-%d", d.ID, d.Revision), Actor: rv.By, Action: "document.review", Round: d.Round, Target: d.ID,
			Details: map[string]string{"kind": string(d.Kind), "nominee": d.Nominee, "status": d.Status, "note": rv.Note},
		})
	}
	if err := PublishEvent(ctx, js, d, "review"); err != nil {
		return d, err
	}
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

// removeVersion takes a document off the versions of a person and kind.
func removeVersion(ctx context.Context, docs *Documents, round, nominee string, kind dossier.Kind, id string) error {
	for attempt := 0; attempt < 10; attempt++ {
		vs, rev, err := docs.Versions(ctx, round, nominee, kind)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(vs, func(v Version) bool { return v.ID == id })
		if i < 0 {
			return nil
		}
		data, _ := json.Marshal(slices.Delete(vs, i, i+1))
		_, err = bus.CompareAndSet(ctx, docs.kv, versionsKey(round, nominee, kind), data, rev)
		if bus.IsConflict(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("ingest: remove version %s: %w", id, err)
		}
		return nil
	}
	return errors.New("ingest: versions list kept changing")
}
