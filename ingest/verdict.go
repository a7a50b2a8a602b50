package ingest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
)

// Reason codes decided from the content.
const (
	ReasonAmbiguousNominee = "ambiguous_nominee"
	ReasonKindUncertain    = "kind_uncertain"
	ReasonDuplicate        = "duplicate"
	ReasonRemovedNominee   = "removed_nominee"
)

// Extraction is what the sandboxed extractor said of a file: a text, or a reason code.
type Extraction struct {
	Pages int
	Text  string
	Code  string // pdftext reason code; "" when the text was read
}

// Roster lists the persons documents may belong to: everyone on the round's roster, exempt or
// not (an exempt person's documents are still kept), and the persons removed from it, so that a
// paper of theirs is refused as theirs (removed_nominee) rather than as nobody's.
func Roster(r dossier.Round) []Person {
	out := make([]Person, 0, len(r.Nominees)+len(r.Removed))
	for _, n := range r.Nominees {
		out = append(out, Person{ID: n.ID, Name: n.Name})
	}
	for _, n := range r.Removed {
		if _, still := r.Nominee(n.ID); !still {
			out = append(out, Person{ID: n.ID, Name: n.Name})
		}
	}
	return out
}

// Decide fills in the verdict of a pending document from its extraction and the round. It is
// pure: the same inputs always give the same verdict. Duplicates are judged afterwards, against
// the versions already stored (see Worker).
func Decide(d dossier.Document, r dossier.Round, ex Extraction) dossier.Document {
	d.Warnings = []string{}
	d.Pages = ex.Pages
	d.Excerpt = excerpt(ex.Text, 600)
	d.Kind, d.Nominee = d.DeclaredKind, d.DeclaredNominee

	if d.DeclaredNominee != "" {
		if _, ok := r.Nominee(d.DeclaredNominee); !ok {
			if n, removed := removedNominee(r, d.DeclaredNominee); removed {
				return reject(d, ReasonRemovedNominee, fmt.Sprintf("%s đã được rút khỏi danh sách của đợt; tài liệu không được tính.", n.Name))
			}
			return reject(d, ReasonUnknownNominee, fmt.Sprintf("Mã người %q không có trong danh sách của đợt %s.", d.DeclaredNominee, r.ID))
		}
	}
	switch ex.Code {
	case "":
	case pdftext.CodeNoTextLayer:
		d.Status, d.Reason = dossier.StatusNeedsReview, pdftext.CodeNoTextLayer
		d.Message = pdftext.Message(pdftext.CodeNoTextLayer) + " Tài liệu được giữ lại nhưng chỉ được tính khi người có thẩm quyền xác nhận loại tài liệu và người nộp."
		return d
	default:
		return reject(d, ex.Code, pdftext.Message(ex.Code))
	}

	rec := Recognize(ex.Text, Roster(r), Declared{Kind: d.DeclaredKind, Nominee: d.DeclaredNominee})
	d.Kind, d.KindConfidence, d.Nominee = rec.Kind, rec.KindConfidence, rec.Nominee
	d.RequestRef = rec.RequestRef
	d.Warnings = append(d.Warnings, rec.Warnings...)

	if d.Nominee == "" {
		if len(rec.Candidates) > 1 || slices.Contains(rec.Warnings, ReasonAmbiguousNominee) {
			var names []string
			for _, id := range rec.Candidates {
				if n, ok := r.Nominee(id); ok {
					names = append(names, n.Name+" ("+id+")")
				}
			}
			d.Status, d.Reason = dossier.StatusNeedsReview, ReasonAmbiguousNominee
			d.Message = "Họ tên trong tài liệu có thể là của nhiều người: " + strings.Join(names, ", ") + ". Cần người xác nhận trước khi tính vào hồ sơ."
			return d
		}
		if d.Kind == dossier.KindOther {
			// A plan, an invitation or a letter to everyone is nobody's: say so rather than ask
			// for a person the paper does not have.
			return reject(d, ReasonUnknownNominee, "Tài liệu không phải giấy tờ trong hồ sơ của người được lấy phiếu tín nhiệm và không ghi tên người nào trong danh sách của đợt; nếu đây là tài liệu của một người, hãy chọn người đó khi tải lên.")
		}
		return reject(d, ReasonUnknownNominee, "Không tìm thấy họ tên người nào trong danh sách của đợt; hãy chọn người nộp khi tải lên.")
	}
	if n, removed := removedNominee(r, d.Nominee); removed {
		return reject(d, ReasonRemovedNominee, fmt.Sprintf("%s đã được rút khỏi danh sách của đợt; tài liệu không được tính.", n.Name))
	}
	if n, ok := r.Nominee(d.Nominee); ok && !n.OnBallot() {
		d.Warnings = append(d.Warnings, "nominee_exempt")
	}
	if d.DeclaredKind == "" && slices.Contains(rec.Warnings, WarnKindUncertain) {
		d.Status, d.Reason = dossier.StatusNeedsReview, ReasonKindUncertain
		d.Message = fmt.Sprintf("Không chắc đây là loại tài liệu gì (đoán: %s); cần người xác nhận.", d.Kind.Label())
		return d
	}

	return judgeDeadline(d, r)
}

// judgeDeadline accepts a document whose kind and person are known, late when it was received
// after the deadline of its kind, and names that deadline.
func judgeDeadline(d dossier.Document, r dossier.Round) dossier.Document {
	d.Status, d.Deadline = dossier.StatusAccepted, ""
	if dl, ok := r.DeadlineFor(d.Kind); ok {
		for _, name := range dossier.DeadlineNames {
			if x, _ := r.Deadline(name); x == dl {
				d.Deadline = name
				break
			}
		}
		if !dl.OnTime(d.ReceivedAt) {
			d.Status = dossier.StatusLate
			d.Message = fmt.Sprintf("Nộp sau hạn: nhận lúc %s, hạn là %s.", r.FormatTime(d.ReceivedAt), r.FormatTime(dl.At))
		}
	}
	return d
}

// removedNominee finds a person taken off the round's roster (and not put back).
func removedNominee(r dossier.Round, id string) (dossier.Nominee, bool) {
	if _, still := r.Nominee(id); still {
		return dossier.Nominee{}, false
	}
	for _, n := range r.Removed {
		if n.ID == id {
			return n, true
		}
	}
	return dossier.Nominee{}, false
}

func reject(d dossier.Document, code, msg string) dossier.Document {
	d.Status, d.Reason, d.Message = dossier.StatusRejected, code, msg
	return d
}

// excerpt cuts the text to about max bytes at a rune boundary, with single spaces.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
