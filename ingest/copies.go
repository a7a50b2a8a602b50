package ingest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
	"tinnhiem/dossier"
)

// ErrNotFound is returned for an unknown document id.
var ErrNotFound = errors.New("document not found")

// NewID returns a document id that sorts by creation time: 12 hex digits of Unix milliseconds
// followed by 16 random hex digits.
func NewID(now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("d%012x%s", now.UnixMilli(), hex.EncodeToString(b[:]))
}

// ValidID reports whether s has the shape of a document id (it is used as a key and in subjects).
func ValidID(s string) bool {
	if len(s) != 29 || s[0] != 'd' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Version is one file received for a person and kind.
type Version struct {
	ID         string    `json:"document_id"`
	SHA256     string    `json:"sha256"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
	File       string    `json:"file"`
}

// CurrentVersions is vs, versions of one kind, with each accepted/late status judged against
// the round's deadlines as they are now (dossier.EffectiveStatus), as the dossier shows them.
func CurrentVersions(r dossier.Round, kind dossier.Kind, vs []Version) []Version {
	out := slices.Clone(vs)
	for i, v := range out {
		out[i].Status = dossier.EffectiveStatus(r, dossier.DocEntry{Status: v.Status, Kind: kind, ReceivedAt: v.ReceivedAt})
	}
	return out
}

// Copy is one document of a round holding given bytes and still counting (accepted, late) or
// waiting for review. The same bytes received again are a duplicate of such a copy — whether
// or not a person has been told or confirmed whose it is.
type Copy struct {
	ID         string       `json:"document_id"`
	Status     string       `json:"status"`
	Nominee    string       `json:"nominee,omitempty"`
	Kind       dossier.Kind `json:"kind,omitempty"`
	File       string       `json:"file"`
	ReceivedAt time.Time    `json:"received_at"`
}

func (c Copy) same(o Copy) bool {
	return c.ID == o.ID && c.Status == o.Status && c.Nominee == o.Nominee && c.Kind == o.Kind &&
		c.File == o.File && c.ReceivedAt.Equal(o.ReceivedAt)
}

// copyOf is the entry of d in the copies of its bytes.
func copyOf(d dossier.Document) Copy {
	return Copy{ID: d.ID, Status: d.Status, Nominee: d.Nominee, Kind: d.Kind, File: d.File, ReceivedAt: d.ReceivedAt}
}

// counts reports whether a verdict keeps its bytes in the round: one that counts or waits for
// a person. A refused file does not stand in the way of the same bytes sent again.
func counts(d dossier.Document) bool {
	return d.Status == dossier.StatusAccepted || d.Status == dossier.StatusLate || d.Status == dossier.StatusNeedsReview
}

// withCopy returns cs with d's entry replaced by its current state (dropped when it does not
// count), and whether that changed anything.
func withCopy(cs []Copy, d dossier.Document) ([]Copy, bool) {
	out := make([]Copy, 0, len(cs)+1)
	changed := false
	for _, c := range cs {
		if c.ID == d.ID {
			changed = changed || !counts(d) || !c.same(copyOf(d))
			continue
		}
		out = append(out, c)
	}
	if counts(d) {
		if len(out) == len(cs) {
			changed = true
		}
		out = append(out, copyOf(d))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out, changed
}

// reviewableRejection: a refusal only because the content names nobody of the round and
// nobody was declared — the bytes themselves are fine, so the same bytes kept already (whose
// person may have been confirmed since) say more. A declared person who is not on the roster
// is the uploader's mistake, and that is what they are told.
func reviewableRejection(d dossier.Document) bool {
	return d.Status == dossier.StatusRejected && d.Nominee == "" &&
		(d.Reason == ReasonUnknownNominee || d.Reason == ReasonKindUncertain)
}

// firstCopy finds, among the other copies of d's bytes, the earliest received one that d
// repeats: any copy when d has no person or kind yet; else one of the same person and kind,
// or one whose person or kind is still to be confirmed (none yet, or a copy waiting for review
// because its content contradicted what was declared: the person confirms that one).
func firstCopy(d dossier.Document, cs []Copy) (Copy, bool) {
	var first Copy
	found := false
	for _, c := range cs {
		if c.ID == d.ID {
			continue
		}
		repeats := d.Nominee == "" || d.Kind == "" || c.Nominee == "" || c.Kind == "" || c.Status == dossier.StatusNeedsReview ||
			(c.Nominee == d.Nominee && c.Kind == d.Kind)
		if repeats && (!found || Earlier(c.ReceivedAt, c.ID, first.ReceivedAt, first.ID)) {
			first, found = c, true
		}
	}
	return first, found
}

// countingElsewhere finds a copy of d's bytes that counts for another person or kind.
func countingElsewhere(d dossier.Document, cs []Copy) (Copy, bool) {
	for _, c := range cs {
		if c.ID != d.ID && (c.Status == dossier.StatusAccepted || c.Status == dossier.StatusLate) {
			return c, true
		}
	}
	return Copy{}, false
}

// sameFileCounts tells that the same file already counts, and how to move it if it was placed wrong.
func sameFileCounts(c Copy, r dossier.Round) string {
	whose := c.Nominee
	if n, ok := r.Nominee(c.Nominee); ok {
		whose = n.Name + " (" + c.Nominee + ")"
	}
	return fmt.Sprintf("Tệp này trùng với «%s» (mã %s) đang được tính cho %s; nếu tài liệu đó bị ghi nhầm người, hãy xác nhận lại chính tài liệu đó.", c.File, c.ID, whose)
}

// duplicate refuses d as a repeat of the copy first, naming it.
func duplicate(d dossier.Document, first Copy, r dossier.Round) dossier.Document {
	d.Status, d.Reason, d.DuplicateOf = dossier.StatusRejected, ReasonDuplicate, first.ID
	what := fmt.Sprintf("«%s» (mã %s, nhận lúc %s", first.File, first.ID, r.FormatTime(first.ReceivedAt))
	if first.Kind != "" {
		what += ", " + lowerFirst(first.Kind.Label())
	}
	if n, ok := r.Nominee(first.Nominee); ok {
		what += " của " + n.Name
	}
	what += ")"
	if first.Status == dossier.StatusNeedsReview {
		d.Message = "Tệp trùng với tài liệu đã nộp trước " + what + ", đang chờ xác nhận loại tài liệu và người nộp; không lưu thêm bản nữa. Hãy xác nhận tài liệu đó."
	} else {
		d.Message = "Tệp trùng với tài liệu đã nộp trước " + what + "; không lưu thêm phiên bản."
	}
	return d
}

// JudgedByCopies reports whether a verdict is judged against the copies of its bytes: one that
// counts or waits for a person, or a refusal only because it named nobody (see
// reviewableRejection). A file refused for itself is not.
func JudgedByCopies(d dossier.Document) bool {
	return d.SHA256 != "" && (counts(d) || reviewableRejection(d))
}

// FirstCopy is firstCopy for the stores: the earliest received copy of d's bytes that d repeats.
func FirstCopy(d dossier.Document, cs []Copy) (Copy, bool) { return firstCopy(d, cs) }

// JudgeCopies decides a fresh verdict d against the copies of its bytes kept in the round:
// d repeats first (found) and is refused as its duplicate; or it stands, told when the same
// file counts elsewhere. It returns the verdict and the copies list with it recorded, and
// whether the list changed. The caller stores the list compare-and-set and, on a conflict,
// judges again against the new list: of two identical files judged at once exactly one stands.
func JudgeCopies(d dossier.Document, r dossier.Round, cs []Copy, first Copy, found bool) (dossier.Document, []Copy, bool) {
	v := d
	if found {
		v = duplicate(d, first, r)
	} else if other, ok := countingElsewhere(d, cs); ok {
		// Kept for a person to judge, but they should know the same file counts already.
		v.Message = joinSentences(v.Message, sameFileCounts(other, r))
	}
	out, changed := withCopy(cs, v)
	return v, out, changed
}

// Counts reports whether a verdict keeps its bytes in the round (see counts).
func Counts(d dossier.Document) bool { return counts(d) }

// WithCopy is withCopy for the stores.
func WithCopy(cs []Copy, d dossier.Document) ([]Copy, bool) { return withCopy(cs, d) }

// Earlier orders two received documents: the one received first, the smaller id on a tie. The
// first copy of a file is the earliest by this order, wherever a first copy is chosen.
func Earlier(aAt time.Time, aID string, bAt time.Time, bID string) bool {
	return aAt.Before(bAt) || (aAt.Equal(bAt) && aID < bID)
}

// CopyOf is the entry of d in the copies of its bytes.
func CopyOf(d dossier.Document) Copy { return copyOf(d) }
