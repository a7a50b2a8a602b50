package ingest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
	"tinnhiem/internal/initial"
)

// Reason codes decided from the content.
const (
	ReasonAmbiguousNominee = "ambiguous_nominee"
	ReasonKindUncertain    = "kind_uncertain"
	ReasonDuplicate        = "duplicate"
	ReasonRemovedNominee   = "removed_nominee"
	// The content contradicts the declared person or kind: the declared values are kept, and
	// the document waits for a person to confirm them (needs_review).
	ReasonNomineeMismatch = WarnNomineeMismatch
	ReasonKindMismatch    = WarnKindMismatch
	// ReasonUnknownKind: a readable paper that is none of the dossier kinds (a notice, an
	// invitation, a decision…).
	ReasonUnknownKind = "unknown_kind"
	// ReasonUnsupportedFormat: a format read only with a program this server lacks (.doc and
	// .rtf without LibreOffice, images without Tesseract); the file is kept for review.
	ReasonUnsupportedFormat = reader.CodeUnsupportedFormat
	// ReasonUndecodableText: a text layer that decodes to nothing readable and could not be read
	// by OCR either; kept for review.
	ReasonUndecodableText = reader.CodeUndecodableText
	// ReasonOCRUncertain: the text was read by OCR and what it says of kind or person is not sure
	// enough to count without a person's confirmation; the suggested kind and person are filled in.
	ReasonOCRUncertain = "ocr_uncertain"
)

// WarnLegacyEncoding: the text was typed in a legacy Vietnamese encoding (TCVN3, VNI, VIQR) and
// converted to Unicode before it was read.
const WarnLegacyEncoding = reader.WarnLegacyEncoding

// OCR confidences (0–1) under which a reading by OCR is sent to review rather than accepted.
const (
	ocrAcceptBelow  = 0.80 // mean word confidence of the text
	ocrNomineeBelow = 0.60 // confidence that the person is the one named
	ocrKindBelow    = 0.60
)

// warnNomineeExempt: the document's person is on the roster but not voted on.
const warnNomineeExempt = "nominee_exempt"

// Extraction is what the sandboxed extractor said of a file: a text, or a reason code.
type Extraction struct {
	Pages int
	Text  string
	Code  string // pdftext or reader reason code; "" when the text was read
	// Format is the format read (reader.Format…); "" is a PDF.
	Format string
	// OCR: some of the text was read by OCR, with this mean word confidence (0–1).
	OCR           bool
	OCRConfidence float64
	Warnings      []string // reader warnings (legacy_encoding)
	// Rendering names the PDF rendering of a non-PDF original kept in the renderings store ("" none).
	Rendering string
}

// ExtractionOf is the extraction a reader result gives.
func ExtractionOf(r reader.Result) Extraction {
	return Extraction{Pages: r.Pages, Text: r.Text, Code: r.Code, Format: r.Format, OCR: r.OCR,
		OCRConfidence: r.OCRConfidence, Warnings: slices.Clone(r.Warnings)}
}

// codeMessage is the Vietnamese message of an extraction's reason code.
func codeMessage(ex Extraction) string {
	if ex.Format == "" {
		return pdftext.Message(ex.Code)
	}
	return reader.Message(ex.Code, ex.Format)
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
// the copies of the same bytes already kept in the round (see Worker.checkDuplicate).
func Decide(d dossier.Document, r dossier.Round, ex Extraction) dossier.Document {
	return decide(d, r, ex, nil)
}

func decide(d dossier.Document, r dossier.Round, ex Extraction, rosters *rosterCache) dossier.Document {
	d.Warnings = []string{}
	d.Pages = ex.Pages
	d.Excerpt = excerpt(ex.Text, 600)
	d.Kind, d.Nominee = d.DeclaredKind, d.DeclaredNominee
	if ex.Format != "" {
		d.Format = ex.Format
	}
	d.Rendering = ex.Rendering

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
	case pdftext.CodeNoTextLayer, ReasonUnsupportedFormat, ReasonUndecodableText:
		// A scan nobody could read, a format this server cannot read: kept for a person.
		d.Status, d.Reason = dossier.StatusNeedsReview, ex.Code
		d.Message = codeMessage(ex)
		if !strings.Contains(d.Message, "giữ lại") {
			d.Message += " Tài liệu được giữ lại nhưng chỉ được tính khi người có thẩm quyền xác nhận loại tài liệu và người nộp."
		}
		return d
	default:
		return reject(d, ex.Code, codeMessage(ex))
	}
	d.OCR = ex.OCR
	if ex.OCR {
		d.OCRConfidence = math.Round(ex.OCRConfidence*1000) / 1000
	}
	for _, w := range ex.Warnings {
		if !slices.Contains(d.Warnings, w) {
			d.Warnings = append(d.Warnings, w)
		}
	}

	rec := recognize(ex.Text, Roster(r), Declared{Kind: d.DeclaredKind, Nominee: d.DeclaredNominee}, rosters)
	d.Kind, d.KindConfidence, d.Nominee = rec.Kind, rec.KindConfidence, rec.Nominee
	d.RequestRef = rec.RequestRef
	d.Requester = rec.Requester
	d.Warnings = append(d.Warnings, rec.Warnings...)

	// A paper whose title says it is one of an office's — a notice, an invitation, a decision —
	// is no dossier paper, whoever it names; unless the uploader said which kind it is.
	if d.DeclaredKind == "" && rec.NotDossier {
		return reject(d, ReasonUnknownKind, "Tài liệu không phải giấy tờ trong hồ sơ của người được lấy phiếu tín nhiệm "+
			"(báo cáo tự đánh giá, bản kê khai tài sản, thu nhập, đề nghị giải trình, báo cáo giải trình) mà là "+
			lowerFirst(rec.Title)+"; tài liệu không được tính vào hồ sơ. Nếu tải nhầm tệp, hãy tải lên đúng tài liệu.")
	}

	if d.Nominee == "" {
		if len(rec.Candidates) > 1 || slices.Contains(rec.Warnings, ReasonAmbiguousNominee) {
			// Every candidate is named: roster persons with their ids, the others as written.
			var names []string
			for _, id := range rec.Candidates {
				if n, ok := r.Nominee(id); ok {
					names = append(names, n.Name+" ("+id+")")
				} else if n, removed := removedNominee(r, id); removed {
					names = append(names, n.Name+" ("+id+", đã rút khỏi danh sách)")
				}
			}
			for _, name := range rec.OffRosterOwners {
				names = append(names, name+" (không có trong danh sách)")
			}
			d.Status, d.Reason = dossier.StatusNeedsReview, ReasonAmbiguousNominee
			suggestion := ""
			if n, ok := r.Nominee(rec.Suggested); ok && ex.OCR {
				// A reading by OCR loses words and letters — the heading over a signature, a letter
				// of a name a signature crosses — so the person its evidence plainly favours is
				// filled in for whoever confirms; the paper still counts only once confirmed.
				d.Nominee = rec.Suggested
				suggestion = fmt.Sprintf("Văn bản được đọc bằng nhận dạng ký tự (OCR); gợi ý: %s (%s).", n.Name, rec.Suggested)
			}
			d.Message = joinSentences("Họ tên trong tài liệu có thể là của nhiều người: "+strings.Join(names, ", ")+".", suggestion,
				"Cần người xác nhận trước khi tính vào hồ sơ.",
				explainWarnings(d, r, WarnAmbiguousNominee, WarnKindUncertain))
			return d
		}
		if ex.OCR && ex.OCRConfidence < ocrAcceptBelow {
			// What OCR could not read is no proof the paper is nobody's.
			d.Status, d.Reason = dossier.StatusNeedsReview, ReasonOCRUncertain
			d.Message = joinSentences(fmt.Sprintf("Văn bản được đọc bằng nhận dạng ký tự (OCR) với độ tin cậy %s và không thấy họ tên người nào trong danh sách của đợt (gợi ý loại tài liệu: %s).",
				percent(ex.OCRConfidence), lowerFirst(d.Kind.Label())),
				"Tài liệu được giữ lại; cần người có thẩm quyền chọn người nộp và xác nhận loại tài liệu.")
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
		d.Warnings = append(d.Warnings, warnNomineeExempt)
	}

	// What the content contradicts or leaves unsure keeps the document out of the dossier
	// until a person confirms it: a declared value is only as good as the content agrees.
	var review []string
	var reason string
	if slices.Contains(d.Warnings, WarnNomineeMismatch) || slices.Contains(d.Warnings, WarnKindMismatch) {
		// What the content says on its own, to show beside what was declared.
		says := recognize(ex.Text, Roster(r), Declared{}, rosters)
		if slices.Contains(d.Warnings, WarnNomineeMismatch) {
			reason = ReasonNomineeMismatch
			review = append(review, nomineeMismatchSentence(r, d.Nominee, says))
		}
		if slices.Contains(d.Warnings, WarnKindMismatch) {
			reason = cmp.Or(reason, ReasonKindMismatch)
			if says.Kind != "" && says.Kind != d.Kind {
				review = append(review, fmt.Sprintf("nội dung là %s, không phải %s như đã khai",
					lowerFirst(says.Kind.Label()), lowerFirst(d.Kind.Label())))
			} else {
				review = append(review, fmt.Sprintf("nội dung không giống %s như đã khai", lowerFirst(d.Kind.Label())))
			}
		}
	}
	if d.DeclaredKind == "" && slices.Contains(rec.Warnings, WarnKindUncertain) {
		reason = cmp.Or(reason, ReasonKindUncertain)
		review = append(review, fmt.Sprintf("không chắc đây là loại tài liệu gì (đoán: %s)", lowerFirst(d.Kind.Label())))
	}
	if ex.OCR && len(review) == 0 {
		if why := ocrDoubts(d, r, rec, ex); len(why) > 0 {
			d.Status, d.Reason = dossier.StatusNeedsReview, ReasonOCRUncertain
			name := d.Nominee
			if n, ok := r.Nominee(d.Nominee); ok {
				name = n.Name + " (" + d.Nominee + ")"
			}
			d.Message = joinSentences(
				fmt.Sprintf("Văn bản được đọc bằng nhận dạng ký tự (OCR) với độ tin cậy %s; gợi ý: %s của %s, nhưng %s.",
					percent(ex.OCRConfidence), lowerFirst(d.Kind.Label()), name, strings.Join(why, "; ")),
				"Tài liệu được giữ lại nhưng chỉ được tính vào hồ sơ khi người có thẩm quyền xác nhận loại tài liệu và người nộp.",
				explainWarnings(d, r, WarnNomineeVariant))
			return d
		}
	}
	if len(review) > 0 {
		d.Status, d.Reason = dossier.StatusNeedsReview, reason
		d.Message = joinSentences(
			upperFirst(strings.Join(review, "; "))+".",
			"Tài liệu được giữ lại nhưng chỉ được tính vào hồ sơ khi người có thẩm quyền xác nhận loại tài liệu và người nộp.",
			explainWarnings(d, r, WarnNomineeMismatch, WarnKindMismatch, WarnKindUncertain))
		return d
	}

	return judgeDeadline(d, r)
}

// ocrDoubts lists, for a text read by OCR, what keeps its reading from counting on its own: a low
// confidence of the reading or of what it says, a name read with other marks than the roster's,
// a person whose name differs from another's only by its marks (OCR confuses marks, and two
// persons must never be confused).
func ocrDoubts(d dossier.Document, r dossier.Round, rec Recognition, ex Extraction) []string {
	var why []string
	if ex.OCRConfidence < ocrAcceptBelow {
		why = append(why, "độ tin cậy của việc nhận dạng thấp")
	}
	if d.DeclaredNominee == "" && rec.NomineeConfidence < ocrNomineeBelow {
		why = append(why, "họ tên đọc được chưa đủ chắc chắn")
	}
	if d.DeclaredKind == "" && rec.KindConfidence < ocrKindBelow {
		why = append(why, "loại tài liệu chưa đủ chắc chắn")
	}
	if slices.Contains(d.Warnings, WarnNomineeVariant) {
		why = append(why, "họ tên đọc được có dấu khác với danh sách")
	}
	var twins []string
	for _, id := range rec.NomineeTwins {
		if n, ok := r.Nominee(id); ok {
			twins = append(twins, n.Name+" ("+id+")")
		}
	}
	if len(twins) > 0 && d.DeclaredNominee == "" {
		why = append(why, "họ tên chỉ khác "+strings.Join(twins, ", ")+" ở dấu, dễ nhầm khi nhận dạng")
	}
	return why
}

// percent writes a 0–1 share as a Vietnamese percentage ("87%").
func percent(x float64) string { return fmt.Sprintf("%.0f%%", x*100) }

// nomineeMismatchSentence says whose the content says the document is, against the declared person.
func nomineeMismatchSentence(r dossier.Round, declared string, says Recognition) string {
	who := func(id string) string {
		if n, ok := r.Nominee(id); ok {
			return n.Name + " (" + id + ")"
		}
		return id
	}
	switch {
	case says.Nominee != "" && says.Nominee != declared:
		return fmt.Sprintf("tài liệu ghi tên %s, không phải %s như đã khai", who(says.Nominee), who(declared))
	case len(says.Candidates) > 0:
		var names []string
		for _, id := range says.Candidates {
			names = append(names, who(id))
		}
		if slices.Contains(says.Candidates, declared) {
			return fmt.Sprintf("họ tên trong tài liệu có thể là của %s; cần xác nhận đúng là của %s như đã khai", strings.Join(names, " hoặc "), who(declared))
		}
		return fmt.Sprintf("họ tên trong tài liệu có thể là của %s, không phải %s như đã khai", strings.Join(names, " hoặc "), who(declared))
	case len(says.OffRosterOwners) > 0:
		return fmt.Sprintf("tài liệu ghi tên %s (không có trong danh sách), không phải %s như đã khai", strings.Join(says.OffRosterOwners, ", "), who(declared))
	}
	return fmt.Sprintf("tài liệu không ghi tên %s như đã khai", who(declared))
}

// explainWarnings says in Vietnamese what the warnings of a verdict mean, except those in skip
// (which the verdict's own message already says). The codes stay in Warnings for programs.
func explainWarnings(d dossier.Document, r dossier.Round, skip ...string) string {
	var out, missing []string
	for _, w := range d.Warnings {
		if slices.Contains(skip, w) {
			continue
		}
		if c, ok := strings.CutPrefix(w, WarnMissingCriterion); ok {
			missing = append(missing, lowerFirst(CriterionLabel(c)))
			continue
		}
		switch w {
		case WarnKindMismatch:
			out = append(out, fmt.Sprintf("Nội dung tài liệu có vẻ không phải %s như đã khai.", lowerFirst(d.Kind.Label())))
		case WarnNomineeMismatch:
			out = append(out, "Họ tên trong tài liệu khác với người đã khai.")
		case WarnKindUncertain:
			out = append(out, "Chưa chắc chắn về loại tài liệu.")
		case WarnAmbiguousNominee:
			out = append(out, "Họ tên trong tài liệu có thể là của nhiều người trong danh sách.")
		case WarnNomineeVariant:
			name := d.Nominee
			if n, ok := r.Nominee(d.Nominee); ok {
				name = n.Name
			}
			out = append(out, fmt.Sprintf("Họ tên trong tài liệu viết dấu khác với danh sách (%s); hãy kiểm tra đúng người.", name))
		case WarnLegacyEncoding:
			out = append(out, "Văn bản được gõ bằng bảng mã tiếng Việt cũ (TCVN3/ABC, VNI hoặc VIQR) và đã được chuyển sang Unicode; hãy kiểm tra lại họ tên và dấu.")
		case warnNomineeExempt:
			if n, ok := r.Nominee(d.Nominee); ok && !n.OnBallot() {
				out = append(out, fmt.Sprintf("%s không thuộc diện lấy phiếu (%s); tài liệu vẫn được lưu.", n.Name, n.ExemptReason))
			}
		default:
			out = append(out, fmt.Sprintf("Cảnh báo %q cần người kiểm tra.", w))
		}
	}
	if len(missing) > 0 {
		out = append(out, "Báo cáo tự đánh giá chưa thấy đề cập: "+strings.Join(missing, "; ")+".")
	}
	return joinSentences(out...)
}

// joinSentences joins the non-empty sentences with a space.
func joinSentences(s ...string) string {
	return strings.Join(slices.DeleteFunc(s, func(x string) bool { return x == "" }), " ")
}

func lowerFirst(s string) string { return initial.Lower(s) }

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// judgeDeadline accepts a document whose kind and person are known, late when it was received
// after the deadline of its kind, and names that deadline. Its message says why it is late and
// what its warnings mean.
func judgeDeadline(d dossier.Document, r dossier.Round) dossier.Document {
	d.Status, d.Deadline = dossier.StatusAccepted, ""
	if dl, ok := r.DeadlineFor(d.Kind); ok {
		// By kind, not by value: a step of the board may fall on the same instant.
		d.Deadline = r.DeadlineNameFor(d.Kind)
		if !dl.OnTime(d.ReceivedAt) {
			d.Status = dossier.StatusLate
			d.Message = dossier.LateMessage(r, d.ReceivedAt, dl.At)
		}
	}
	d.Message = joinSentences(d.Message, explainWarnings(d, r))
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

// Reject refuses d with a reason code and a message for people.
func Reject(d dossier.Document, code, msg string) dossier.Document { return reject(d, code, msg) }

func reject(d dossier.Document, code, msg string) dossier.Document {
	d.Status, d.Reason, d.Message = dossier.StatusRejected, code, msg
	return d
}

// excerpt cuts the text to about max bytes at a rune boundary, with single spaces.
func excerpt(s string, max int) string {
	// The words joined by single spaces, only as far as the cut.
	var b strings.Builder
	for w := range strings.FieldsSeq(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if b.Len() > max {
			break
		}
	}
	s = b.String()
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
