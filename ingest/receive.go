package ingest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
)

// Reason codes decided at receipt, before any worker sees the file.
const (
	ReasonTooLarge      = "too_large"
	ReasonEmpty         = "empty"
	ReasonUnknownRound  = "unknown_round"
	ReasonInternalError = "internal_error"
)

// UploadedSubject is where a received file is announced to the ingest workers.
func UploadedSubject(round string) string { return "tn.ingest." + round + ".uploaded" }

// Uploaded is the message body of tn.ingest.<round>.uploaded.
type Uploaded struct {
	DocumentID string `json:"document_id"`
	Round      string `json:"round"`
	// Recheck, set to the round's version, asks for a document refused because it named nobody
	// of the round to be read again against the round as it now is (a person was added).
	Recheck int `json:"recheck,omitempty"`
}

// ErrTooLarge is returned (wrapped) when a body passes MaxUpload; the document is recorded as
// rejected so the uploader can see why.
var ErrTooLarge = errors.New("file too large")

// NamesNobody reports whether a verdict is a refusal only because the paper named nobody of
// the round (and no person has confirmed it since): one a change of roster may settle.
func NamesNobody(d dossier.DocEntry) bool {
	return namesNobody(d.Status, d.Reason)
}

// DocumentNamesNobody is NamesNobody of a document record.
func DocumentNamesNobody(d dossier.Document) bool { return namesNobody(d.Status, d.Reason) }

func namesNobody(status, reason string) bool {
	return status == dossier.StatusRejected && reason == ReasonUnknownNominee
}

// SanitizeFilename keeps the base name of what the uploader sent, in NFC, without path parts,
// control characters, characters that break headers and file systems, or invisible format
// characters: a right-to-left override makes "hoso\u202Efdp.exe" read as "hosoexe.pdf" on a
// page, and zero-width characters make two names that look the same differ.
func SanitizeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base(name)
	name = norm.NFC.String(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Cf, r), isInvisibleFiller(r):
			// Format characters (bidi embeddings, overrides and isolates, zero-width spaces and
			// joiners, the byte order mark, soft hyphens): dropped, they show nothing.
		case unicode.IsControl(r), unicode.In(r, unicode.Zl, unicode.Zp), r == '"', r == '/', r == ':', r == '*', r == '?', r == '<', r == '>', r == '|', r > 0xFFFF:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	// Again: a mark that followed a dropped character now follows a letter it composes with.
	s := strings.TrimSpace(norm.NFC.String(b.String()))
	if s == "" || s == "." || s == ".." {
		s = "tai-lieu.pdf"
	}
	if r := []rune(s); len(r) > 150 {
		ext := filepath.Ext(s)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		s = string(r[:150-len([]rune(ext))]) + ext
	}
	return s
}

// isInvisibleFiller: letters that draw nothing (Hangul fillers, the Braille blank), which
// spoofers use like zero-width spaces.
func isInvisibleFiller(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return false
}

// humanBytes writes a size limit for people: a whole number of MB or KB when it is one, else
// two decimals (with the Vietnamese decimal comma) rounded down — a limit shown above its true
// value would let a refused file look smaller than the limit — and the exact bytes.
func humanBytes(n int64) string {
	unit, name := int64(0), ""
	switch {
	case n >= 1<<20:
		unit, name = 1<<20, "MB"
	case n >= 1<<10:
		unit, name = 1<<10, "KB"
	default:
		return groupDigits(n) + " byte"
	}
	if n%unit == 0 {
		return fmt.Sprintf("%d %s", n/unit, name)
	}
	hundredths := n * 100 / unit
	s := fmt.Sprintf("%d,%02d", hundredths/100, hundredths%100)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ",0")
	return fmt.Sprintf("%s %s (%s byte)", s, name, groupDigits(n))
}

// groupDigits writes n with dots between thousands, as Vietnamese does.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TooLarge refuses d, whose file passed the size limit max after size bytes: nothing of the
// file is kept, the record says why.
func TooLarge(d dossier.Document, size, max int64, now time.Time) dossier.Document {
	d.Size = size
	d.Status, d.Reason = dossier.StatusRejected, ReasonTooLarge
	d.Message = fmt.Sprintf("Tệp quá lớn: giới hạn là %s mỗi tệp.", humanBytes(max))
	d.VerdictAt, d.Revision = now.UTC(), 1
	return d
}
