// Package problem is the one shape of "what is wrong with this input" across tinnhiem: a round
// file, a tally entry, an upload, a review. A problem says where (a field path, and for a sheet
// the line and column, or the person it concerns) and what (a stable code and a message for
// people, in Vietnamese), so that each face — the JSON API, the web pages, the CLI — places it
// by its structure, never by reading its words.
package problem

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input, for a person to fix.
type Problem struct {
	// Code is stable and machine-readable: "below_quorum", "bad_cell", "yaml_syntax"…
	Code string `json:"code,omitempty"`
	// Path is the field the problem concerns, as the input names it: "present",
	// "nominees[2].name", "session.chair", "sheet" (a CSV, located further by Line and Column).
	Path string `json:"path"`
	// Line and Column locate a problem inside a file (1-based line; the column's header name,
	// or its number when it has none).
	Line   int    `json:"line,omitempty"`
	Column string `json:"column,omitempty"`
	// Nominee is the person on the roster the problem concerns, when there is one.
	Nominee string `json:"nominee,omitempty"`
	// Where says the place in words for people ("dòng 4, cột cao", "phiếu số 17").
	Where string `json:"field,omitempty"`
	// Message says what is wrong and how to mend it, a Vietnamese sentence.
	Message string `json:"message"`
}

// At is a problem at a field path; the rest is filled in by the caller.
func At(path string) Problem { return Problem{Path: path} }

// List is every problem of an input that was refused whole: nothing of it was stored.
type List []Problem

func (l List) Error() string {
	var b strings.Builder
	b.WriteString("dữ liệu không hợp lệ:")
	for _, p := range l {
		b.WriteString("\n  - ")
		if p.Where != "" {
			b.WriteString(p.Where + ": ")
		} else if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// String is the problem in one line.
func (p Problem) String() string {
	where := p.Where
	if where == "" {
		where = p.Path
	}
	if where == "" {
		return p.Message
	}
	return fmt.Sprintf("%s: %s", where, p.Message)
}

// Has reports whether a problem of the list has the code.
func (l List) Has(code string) bool {
	for _, p := range l {
		if p.Code == code {
			return true
		}
	}
	return false
}
