package web

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSVWriter writes CSV that a spreadsheet opens as text: a cell that begins with a character
// Excel, LibreOffice or Google Sheets would read as the start of a formula — "=", "+", "-",
// "@", a tab or a carriage return (or their full-width forms) — is written with an apostrophe
// before it, so that a name such as =HYPERLINK("http://…") in a round file is shown, never run.
// Every CSV export goes through it.
type CSVWriter struct {
	*csv.Writer
}

// NewCSVWriter writes to w with CRLF line ends (what spreadsheets expect).
func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{cw}
}

// Write writes one record, each cell neutralised.
func (c *CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, s := range record {
		safe[i] = CSVCell(s)
	}
	return c.Writer.Write(safe)
}

// CSVCell is s as a cell no spreadsheet takes for a formula.
func CSVCell(s string) string {
	for _, r := range s {
		if strings.ContainsRune("=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20", r) {
			return "'" + s
		}
		break
	}
	return s
}
