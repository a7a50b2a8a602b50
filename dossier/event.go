package dossier

import "time"

// Document statuses (DESIGN §4).
const (
	StatusPending     = "pending"
	StatusAccepted    = "accepted"
	StatusLate        = "late"
	StatusRejected    = "rejected"
	StatusNeedsReview = "needs_review"
)

// Document is the record of one uploaded file and its verdict. The ingest workers own it; each
// verdict (and each later review) is published as a DocumentEvent on tn.dossier.<round>.document,
// from which the dossier projection is built.
type Document struct {
	ID              string    `json:"document_id"`
	Round           string    `json:"round"`
	File            string    `json:"file"` // sanitised original file name
	Size            int64     `json:"size"`
	SHA256          string    `json:"sha256"`
	ContentType     string    `json:"content_type,omitempty"`
	ReceivedAt      time.Time `json:"received_at"` // the server's receipt time: the only time that counts
	Uploader        string    `json:"uploader"`
	DeclaredKind    Kind      `json:"declared_kind,omitempty"`
	DeclaredNominee string    `json:"declared_nominee,omitempty"`

	Status         string   `json:"status"`
	Kind           Kind     `json:"kind,omitempty"`
	KindConfidence float64  `json:"kind_confidence,omitempty"`
	Nominee        string   `json:"nominee,omitempty"`
	Reason         string   `json:"reason,omitempty"`  // short code when rejected or needs_review
	Message        string   `json:"message,omitempty"` // Vietnamese explanation for people
	Warnings       []string `json:"warnings"`
	Pages          int      `json:"pages,omitempty"`
	Excerpt        string   `json:"excerpt,omitempty"`
	// OCR: the text was read from a scan or a photo by character recognition; OCRConfidence is
	// the mean word confidence of that reading, 0–1.
	OCR           bool    `json:"ocr,omitempty"`
	OCRConfidence float64 `json:"ocr_confidence,omitempty"`
	// Format is what the file is, told from its bytes: pdf, docx, odt, doc, rtf, jpeg, png, tiff.
	Format string `json:"format,omitempty"`
	// Rendering names the PDF rendering of an original that is not a PDF (a Word file), kept in
	// the uploads object store beside it, for viewing and for the voters' packet; "" when the
	// original is a PDF or no rendering could be made.
	Rendering   string `json:"rendering,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// RequestRef is, for a request for explanation or an explanation, the reference the text
	// gives (number, date or subject) so that an explanation can be linked to its request.
	RequestRef string `json:"request_ref,omitempty"`
	// Requester is who asked for an explanation (explanation_request only); shown to organizers
	// and admins only.
	Requester string `json:"requester,omitempty"`
	// AnswersRequest is the document id of the request an explanation answers, when declared.
	AnswersRequest string    `json:"answers_request,omitempty"`
	Deadline       string    `json:"deadline,omitempty"` // name of the deadline judged against
	VerdictAt      time.Time `json:"verdict_at,omitzero"`
	ReviewedBy     string    `json:"reviewed_by,omitempty"`
	ReviewedAt     time.Time `json:"reviewed_at,omitzero"`
	// Revision counts verdicts of this document: 1 for the worker's verdict, +1 per review.
	Revision int `json:"revision"`
}

// Final reports whether the document has a verdict.
func (d Document) Final() bool { return d.Status != StatusPending && d.Status != "" }

// DocumentEvent is what tn.dossier.<round>.document carries.
type DocumentEvent struct {
	Type     string   `json:"type"` // "verdict" or "review"
	Document Document `json:"document"`
}

// DocumentSubject is the subject of a round's document events.
func DocumentSubject(round string) string { return "tn.dossier." + round + ".document" }

// ProjectionSubjects are the DOSSIER subjects of a round that its projection is built from.
func ProjectionSubjects(round string) []string {
	return []string{DocumentSubject(round), DecisionSubject(round)}
}
