package minutes

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// Mark is what one ballot row says about one person.
type Mark uint8

// The marks of a ballot cell.
const (
	MarkBlank    Mark = iota // no box ticked: ""
	MarkCao                  // tín nhiệm cao: "1"
	MarkTinNhiem             // tín nhiệm: "2"
	MarkThap                 // tín nhiệm thấp: "3"
	MarkSpoiled              // more than one box ticked or otherwise unreadable: "x"
)

// String is the mark as written in the ballot CSV.
func (m Mark) String() string {
	switch m {
	case MarkBlank:
		return ""
	case MarkCao:
		return "1"
	case MarkTinNhiem:
		return "2"
	case MarkThap:
		return "3"
	case MarkSpoiled:
		return "x"
	}
	return fmt.Sprintf("Mark(%d)", uint8(m))
}

// MarshalText writes the CSV form, so stored sheets stay readable ("marks":["1","","x"]).
func (m Mark) MarshalText() ([]byte, error) {
	if m > MarkSpoiled {
		return nil, fmt.Errorf("minutes: marshal mark: invalid mark %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText reads the CSV form.
func (m *Mark) UnmarshalText(b []byte) error {
	v, ok := parseMark(string(b))
	if !ok {
		return fmt.Errorf("minutes: unmarshal mark: invalid mark %q", b)
	}
	*m = v
	return nil
}

func parseMark(s string) (Mark, bool) {
	switch s {
	case "":
		return MarkBlank, true
	case "1":
		return MarkCao, true
	case "2":
		return MarkTinNhiem, true
	case "3":
		return MarkThap, true
	case "x", "X":
		return MarkSpoiled, true
	}
	return 0, false
}

// BallotRow is one paper ballot.
type BallotRow struct {
	Number  int    `json:"ballot"`
	Line    int    `json:"line,omitempty"` // line in the CSV, for messages
	Marks   []Mark `json:"marks"`          // one per BallotSheet.Columns
	Invalid bool   `json:"invalid,omitempty"`
}

// BallotSheet is a parsed ballot CSV: the nominee ids of its columns, in sheet order, and
// one row per paper ballot.
type BallotSheet struct {
	Columns []string    `json:"columns"`
	Rows    []BallotRow `json:"rows"`
}

// Sheet is a parsed tally CSV: exactly one of Ballots and Counts is set.
type Sheet struct {
	Ballots *BallotSheet
	Counts  map[string]Counts
	// Nominees lists the count CSV's nominee ids in sheet order (a map has none).
	Nominees []string
}

// Input joins a sheet with what the session recorded.
func (s Sheet) Input(a Attendance, committee []Member) Input {
	return Input{Attendance: a, Committee: committee, Ballots: s.Ballots, Counts: s.Counts}
}

const (
	colBallot   = "ballot"
	colInvalid  = "invalid"
	colNominee  = "nominee"
	colCao      = "cao"
	colTinNhiem = "tin_nhiem"
	colThap     = "thap"
	colValid    = "valid"

	// maxSheetBytes bounds what one upload can make us hold: 500 ballots of 200 persons
	// is about 200 KB.
	maxSheetBytes = 16 << 20
	// maxCount keeps hand-typed counts far from overflow.
	maxCount = 9_999_999
)

// ParseSheet reads a ballot CSV (header "ballot,<nominee id>…", optional "invalid") or a
// count CSV (header "nominee,cao,tin_nhiem,thap,invalid", optional "valid"), told apart by
// the header. It is liberal about how spreadsheets write files — UTF-8 BOM, UTF-16 with
// BOM, CRLF or CR line ends, ";" or tab separators, spaces around cells, empty lines and
// empty trailing cells — and strict about content: a problem.List names the line and
// column of every bad cell.
func ParseSheet(r io.Reader) (Sheet, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxSheetBytes+1))
	if err != nil {
		return Sheet{}, fmt.Errorf("minutes: parse sheet: read: %w", err)
	}
	var ps problems
	if len(raw) > maxSheetBytes {
		ps.add(onSheet(0, "", "", ""), CodeFormat, "Tệp quá lớn (trên %d MB); bảng kiểm phiếu không thể lớn như vậy.", maxSheetBytes>>20)
		return Sheet{}, ps.err("parse sheet")
	}
	text, ok := ps.decode(raw)
	if !ok {
		return Sheet{}, ps.err("parse sheet")
	}
	recs, ok := ps.records(text)
	if !ok {
		return Sheet{}, ps.err("parse sheet")
	}
	if len(recs) == 0 {
		ps.add(onSheet(0, "", "", ""), CodeFormat, "Tệp không có dữ liệu.")
		return Sheet{}, ps.err("parse sheet")
	}
	var sheet Sheet
	head := recs[0]
	switch {
	case strings.EqualFold(head.cells[0], colBallot):
		sheet.Ballots = ps.ballotSheet(head, recs[1:])
	case hasCell(head.cells, colNominee):
		sheet.Counts, sheet.Nominees = ps.countSheet(head, recs[1:])
	default:
		ps.add(onSheet(head.line, "", "", fmt.Sprintf("dòng %d", head.line)), CodeBadHeader, "Không nhận ra loại bảng: dòng tiêu đề của bảng phiếu phải bắt đầu bằng “ballot” (ballot,<mã người 1>,<mã người 2>…), của bảng tổng hợp phải là “nominee,cao,tin_nhiem,thap,invalid”.")
	}
	if err := ps.err("parse sheet"); err != nil {
		return Sheet{}, err
	}
	return sheet, nil
}

type record struct {
	line  int
	cells []string
}

func hasCell(cells []string, name string) bool {
	for _, c := range cells {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// decode turns the bytes into UTF-8 text with "\n" or "\r\n" line ends.
func (ps *problems) decode(raw []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		raw = raw[3:]
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text" export.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(raw)
		if err != nil {
			ps.add(onSheet(0, "", "", ""), CodeFormat, "Tệp UTF-16 bị hỏng; hãy lưu lại dưới dạng CSV UTF-8.")
			return "", false
		}
		raw = out
	}
	if !utf8.Valid(raw) {
		ps.add(onSheet(0, "", "", ""), CodeFormat, "Tệp không phải văn bản UTF-8; trong Excel hãy chọn “Lưu dưới dạng” → “CSV UTF-8 (phân cách bằng dấu phẩy)”.")
		return "", false
	}
	text := string(raw)
	if strings.IndexByte(text, '\n') < 0 {
		// Old Mac spreadsheets end lines with a lone CR, which encoding/csv keeps in cells.
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text, true
}

// separator picks the delimiter the header line uses most, outside quotes: "," by
// default, ";" from Excel in a vi-VN locale, tab from copy-paste.
func separator(text string) rune {
	line := text
	for {
		var rest string
		line, rest, _ = strings.Cut(line, "\n")
		if strings.TrimSpace(line) != "" || rest == "" {
			break
		}
		line = rest
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch r {
		case '"':
			quoted = !quoted
		case ',', ';', '\t':
			if !quoted {
				counts[r]++
			}
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// records reads the CSV, trims cells, drops rows with no content and trailing empty cells.
func (ps *problems) records(text string) ([]record, bool) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = separator(text)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = cr.Comma != '\t'
	var recs []record
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, true
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ps.add(onSheet(pe.Line, "", "", fmt.Sprintf("dòng %d", pe.Line)), CodeFormat, "Dòng %d, vị trí %d: dấu ngoặc kép (\") không đúng chỗ; hãy bỏ dấu ngoặc kép hoặc lưu lại tệp từ bảng tính.", pe.Line, pe.Column)
			} else {
				ps.add(onSheet(0, "", "", ""), CodeFormat, "Không đọc được tệp CSV.")
			}
			return nil, false
		}
		line, _ := cr.FieldPos(0)
		last := -1
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
			if cells[i] != "" {
				last = i
			}
		}
		if last < 0 {
			continue
		}
		recs = append(recs, record{line: line, cells: cells})
	}
}

// width is the number of cells up to the last non-empty one.
func width(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if cells[i] != "" {
			return i + 1
		}
	}
	return 0
}

// rowCells returns a data row cut to the header's width, or false when the row is short
// or has content beyond the header.
func (ps *problems) rowCells(rec record, n int) ([]string, bool) {
	if w := width(rec.cells); w > n {
		ps.add(onSheet(rec.line, "", "", fmt.Sprintf("dòng %d", rec.line)), CodeFormat, "Dòng %d có nội dung ở ô thứ %d, ngoài %d cột của dòng tiêu đề.", rec.line, w, n)
		return nil, false
	}
	if len(rec.cells) < n {
		ps.add(onSheet(rec.line, "", "", fmt.Sprintf("dòng %d", rec.line)), CodeFormat, "Dòng %d chỉ có %d ô, dòng tiêu đề có %d cột; ô trống cũng phải có dấu phân cách.", rec.line, len(rec.cells), n)
		return nil, false
	}
	return rec.cells[:n], true
}

// headerID checks a nominee id from a header cell.
func (ps *problems) headerID(line, col int, s string) string {
	field := onSheet(line, strconv.Itoa(col), "", fmt.Sprintf("dòng %d, cột %d", line, col))
	id := ps.text(field, "Mã người được lấy phiếu", s)
	if id == "" {
		ps.add(field, CodeBadHeader, "Dòng tiêu đề, cột thứ %d không có mã người được lấy phiếu.", col)
	}
	return id
}

func (ps *problems) ballotSheet(head record, rows []record) *BallotSheet {
	n := width(head.cells)
	sheet := &BallotSheet{Columns: []string{}, Rows: make([]BallotRow, 0, len(rows))}
	colOf := make([]int, n) // sheet column → index in Columns; -1 = invalid column
	invalidCol := -1
	seen := map[string]int{}
	for i := 1; i < n; i++ {
		cell := head.cells[i]
		if strings.EqualFold(cell, colInvalid) {
			if invalidCol >= 0 {
				ps.add(onSheet(head.line, strconv.Itoa(i+1), "", fmt.Sprintf("dòng %d, cột %d", head.line, i+1)), CodeBadHeader, "Cột “invalid” có hai lần trong dòng tiêu đề.")
			}
			invalidCol = i
			colOf[i] = -1
			continue
		}
		id := ps.headerID(head.line, i+1, cell)
		if first, dup := seen[id]; dup && id != "" {
			ps.add(onSheet(head.line, id, id, "cột "+id), CodeDuplicateNominee, "Mã “%s” có hai lần trong dòng tiêu đề (cột thứ %d và %d).", id, first, i+1)
		}
		seen[id] = i + 1
		colOf[i] = len(sheet.Columns)
		sheet.Columns = append(sheet.Columns, id)
	}
	if len(sheet.Columns) == 0 {
		ps.add(onSheet(head.line, "", "", fmt.Sprintf("dòng %d", head.line)), CodeBadHeader, "Dòng tiêu đề không có cột nào cho người được lấy phiếu (ballot,<mã người 1>,<mã người 2>…).")
	}
	if len(ps.list) > 0 {
		return nil
	}
	numbers := map[int]int{}
	for _, rec := range rows {
		cells, ok := ps.rowCells(rec, n)
		if !ok {
			continue
		}
		row := BallotRow{Line: rec.line, Marks: make([]Mark, len(sheet.Columns))}
		where := fmt.Sprintf("dòng %d", rec.line)
		num, ok := parseCount(cells[0])
		switch {
		case !ok || num == 0:
			ps.add(onSheet(rec.line, "ballot", "", where+", cột ballot"), CodeBadCell, "Dòng %d, cột ballot: số phiếu “%s” phải là số nguyên dương.", rec.line, cells[0])
		case numbers[num] != 0:
			ps.add(onSheet(rec.line, "ballot", "", fmt.Sprintf("phiếu số %d", num)), CodeDuplicateBallot, "Phiếu số %d bị nhập hai lần (dòng %d và dòng %d).", num, numbers[num], rec.line)
		default:
			numbers[num] = rec.line
			row.Number = num
			where = fmt.Sprintf("phiếu số %d", num)
		}
		var label string
		if row.Number > 0 {
			label = fmt.Sprintf("Phiếu số %d (dòng %d)", num, rec.line)
		} else {
			label = fmt.Sprintf("Dòng %d", rec.line)
		}
		for i := 1; i < n; i++ {
			cell := cells[i]
			if i == invalidCol {
				switch cell {
				case "", "0":
				case "1":
					row.Invalid = true
				default:
					ps.add(onSheet(rec.line, "invalid", "", where+", cột invalid"), CodeBadCell, "%s, cột invalid: giá trị “%s” không hợp lệ; ghi 1 nếu cả phiếu không hợp lệ, để trống (hoặc 0) nếu phiếu hợp lệ.", label, cell)
				}
				continue
			}
			id := sheet.Columns[colOf[i]]
			m, ok := parseMark(cell)
			if !ok {
				ps.add(onSheet(rec.line, id, id, where+", cột "+id), CodeBadCell, "%s, cột %s: giá trị “%s” không hợp lệ; chỉ được ghi 1 (tín nhiệm cao), 2 (tín nhiệm), 3 (tín nhiệm thấp), x (đánh dấu nhiều ô hoặc không rõ) hoặc để trống.", label, id, cell)
				continue
			}
			row.Marks[colOf[i]] = m
		}
		sheet.Rows = append(sheet.Rows, row)
	}
	return sheet
}

func (ps *problems) countSheet(head record, rows []record) (map[string]Counts, []string) {
	n := width(head.cells)
	cols := map[string]int{}
	for i := 0; i < n; i++ {
		name := strings.ToLower(head.cells[i])
		field := onSheet(head.line, strconv.Itoa(i+1), "", fmt.Sprintf("dòng %d, cột %d", head.line, i+1))
		switch name {
		case colNominee, colCao, colTinNhiem, colThap, colInvalid, colValid:
			if _, dup := cols[name]; dup {
				ps.add(field, CodeBadHeader, "Cột “%s” có hai lần trong dòng tiêu đề.", name)
			}
			cols[name] = i
		default:
			ps.add(field, CodeBadHeader, "Cột “%s” không thuộc bảng tổng hợp; các cột là nominee, cao, tin_nhiem, thap, invalid (và valid nếu có).", head.cells[i])
		}
	}
	for _, name := range []string{colNominee, colCao, colTinNhiem, colThap, colInvalid} {
		if _, ok := cols[name]; !ok {
			ps.add(onSheet(head.line, "", "", fmt.Sprintf("dòng %d", head.line)), CodeBadHeader, "Dòng tiêu đề thiếu cột “%s” (bảng tổng hợp: nominee,cao,tin_nhiem,thap,invalid).", name)
		}
	}
	if len(ps.list) > 0 {
		return nil, nil
	}
	counts := make(map[string]Counts, len(rows))
	order := make([]string, 0, len(rows))
	lineOf := map[string]int{}
	for _, rec := range rows {
		cells, ok := ps.rowCells(rec, n)
		if !ok {
			continue
		}
		where := fmt.Sprintf("dòng %d", rec.line)
		id := ps.text(onSheet(rec.line, "nominee", "", where+", cột nominee"), "Mã người được lấy phiếu", cells[cols[colNominee]])
		if id == "" {
			ps.add(onSheet(rec.line, "nominee", "", where+", cột nominee"), CodeBadCell, "Dòng %d chưa có mã người được lấy phiếu (cột nominee).", rec.line)
			continue
		}
		if first, dup := lineOf[id]; dup {
			ps.add(onSheet(rec.line, "nominee", id, fmt.Sprintf("dòng %d", rec.line)), CodeDuplicateNominee, "“%s” có hai dòng trong bảng tổng hợp (dòng %d và dòng %d).", id, first, rec.line)
			continue
		}
		lineOf[id] = rec.line
		var c Counts
		ok = true
		for _, f := range []struct {
			name string
			dst  *int
		}{{colCao, &c.Cao}, {colTinNhiem, &c.TinNhiem}, {colThap, &c.Thap}, {colInvalid, &c.Invalid}, {colValid, &c.Valid}} {
			i, has := cols[f.name]
			if !has {
				continue
			}
			v, good := parseCount(cells[i])
			if !good {
				if cells[i] == "" {
					ps.add(onSheet(rec.line, f.name, id, where+", cột "+f.name), CodeBadCell, "Dòng %d (%s), cột %s: ô để trống; ghi 0 nếu không có phiếu nào.", rec.line, id, f.name)
				} else {
					ps.add(onSheet(rec.line, f.name, id, where+", cột "+f.name), CodeBadCell, "Dòng %d (%s), cột %s: “%s” không phải số phiếu hợp lệ; chỉ được ghi số nguyên từ 0 đến %d.", rec.line, id, f.name, cells[i], maxCount)
				}
				ok = false
				continue
			}
			*f.dst = v
		}
		if !ok {
			continue
		}
		sum := c.Cao + c.TinNhiem + c.Thap
		if _, has := cols[colValid]; has && c.Valid != sum {
			ps.add(onSheet(rec.line, "valid", id, where+", cột valid"), CodeBadCell, "Dòng %d (%s): số phiếu hợp lệ ghi %d nhưng cao %d + tín nhiệm %d + thấp %d = %d.", rec.line, id, c.Valid, c.Cao, c.TinNhiem, c.Thap, sum)
			continue
		}
		c.Valid = sum
		counts[id] = c
		order = append(order, id)
	}
	if len(order) == 0 && len(ps.list) == 0 {
		ps.add(onSheet(0, "", "", ""), CodeFormat, "Bảng tổng hợp không có dòng số liệu nào.")
	}
	return counts, order
}

// parseCount accepts a plain non-negative decimal integer, as a spreadsheet writes one.
func parseCount(s string) (int, bool) {
	if s == "" || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= maxCount
}
