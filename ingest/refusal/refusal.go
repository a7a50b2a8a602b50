// Package refusal is the one shape of "this file is refused, and why" for every reader of
// ingest — PDF text, office files, OCR, conversion: a reason code, spelt as the upload contract
// spells it (the "reason" staff and scripts see), and what was found, for logs.
package refusal

import (
	"errors"
	"fmt"
)

// Reason codes.
const (
	Empty        = "empty"
	NotPDF       = "not_pdf"
	Encrypted    = "encrypted"
	Corrupt      = "corrupt"
	TooComplex   = "too_complex"
	TooManyPages = "too_many_pages"
	NoTextLayer  = "no_text_layer"
	// UndecodableText: the file has text, but on some page most glyphs decode to no character.
	UndecodableText = "undecodable_text"
	// UnsupportedFormat: a format this server cannot read (or lacks the program to read).
	UnsupportedFormat = "unsupported_format"
)

// Error is a refusal of one file with a reason code.
type Error struct {
	Code string
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "refused: " + e.Code
	}
	return e.Err.Error() + " [" + e.Code + "]"
}

func (e *Error) Unwrap() error { return e.Err }

// New refuses a file with a code and what was found.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Code returns the reason code of err, or "" when err carries none (a failure of the reader
// itself rather than a verdict on the file).
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
