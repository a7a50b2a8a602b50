package minutes

import (
	"cmp"
	"slices"
	"strconv"
)

// Difference is one field or cell where two independent entries of the same tally
// disagree. Every difference must be resolved before the tally is sealed.
type Difference struct {
	Field  string `json:"field"`  // "present", "ballot 17, cột n03", "nominee n01, cột cao"…
	First  string `json:"first"`  // the value in the first entry
	Second string `json:"second"` // the value in the second entry
}

// Values shown for what one entry lacks or left empty.
const (
	absentValue = "(không có)"
	blankValue  = "(trống)"
	hasValue    = "(có)"
)

// Compare lists every difference between two entries of the same tally, cell by cell:
// attendance figures, absentees and committee members (matched by name), then ballots
// matched by number (rows may be entered in any order) or counts per person. Column
// order does not matter; a column or ballot that only one entry has is one difference,
// and its cells are not listed again. No differences means the entries agree.
func Compare(a, b Input) []Difference {
	var ds []Difference
	add := func(field, first, second string) {
		ds = append(ds, Difference{Field: field, First: first, Second: second})
	}
	for _, f := range []struct {
		field string
		x, y  int
	}{
		{"summoned", a.Summoned, b.Summoned},
		{"present", a.Present, b.Present},
		{"issued", a.Issued, b.Issued},
		{"collected", a.Collected, b.Collected},
		{"invalid_ballots", a.InvalidBallots, b.InvalidBallots},
	} {
		if f.x != f.y {
			add(f.field, strconv.Itoa(f.x), strconv.Itoa(f.y))
		}
	}
	compareNamed(add, "absent", absentMap(a.Absent), absentMap(b.Absent))
	compareNamed(add, "committee", committeeMap(a.Committee), committeeMap(b.Committee))

	switch {
	case a.Ballots != nil && b.Ballots != nil:
		compareBallots(add, a.Ballots, b.Ballots)
	case a.Counts != nil && b.Counts != nil:
		compareCounts(add, a.Counts, b.Counts)
	default:
		if x, y := inputKind(a), inputKind(b); x != y {
			add("sheet", x, y)
		}
	}
	return ds
}

func inputKind(in Input) string {
	switch {
	case in.Ballots != nil && in.Counts != nil:
		return "bảng phiếu và bảng tổng hợp"
	case in.Ballots != nil:
		return "bảng phiếu"
	case in.Counts != nil:
		return "bảng tổng hợp"
	}
	return absentValue
}

// named is a list of people keyed by nameKey, remembering how each was written and in
// which order they came.
type named struct {
	order []string
	show  map[string]string // key → name as entered
	value map[string]string // key → reason or role
}

func absentMap(list []Absentee) named {
	n := named{show: map[string]string{}, value: map[string]string{}}
	for _, p := range list {
		n.put(p.Name, p.ReasonText())
	}
	return n
}

func committeeMap(list []Member) named {
	n := named{show: map[string]string{}, value: map[string]string{}}
	for _, m := range list {
		role := m.Role
		if r, ok := committeeRole(role); ok {
			role = r
		}
		n.put(m.Name, role)
	}
	return n
}

func (n *named) put(name, value string) {
	k := nameKey(name)
	if _, dup := n.show[k]; dup {
		// Keep the first; a duplicate is a validation problem reported by Compute.
		return
	}
	n.order = append(n.order, k)
	n.show[k] = name
	n.value[k] = nameValue(value)
}

func nameValue(v string) string {
	if v == "" {
		return blankValue
	}
	return v
}

func compareNamed(add func(field, first, second string), what string, a, b named) {
	for _, k := range a.order {
		y, ok := b.value[k]
		switch {
		case !ok:
			add(what+": "+a.show[k], a.value[k], absentValue)
		case y != a.value[k]:
			add(what+": "+a.show[k], a.value[k], y)
		}
	}
	for _, k := range b.order {
		if _, ok := a.value[k]; !ok {
			add(what+": "+b.show[k], absentValue, b.value[k])
		}
	}
}

func markValue(m Mark) string {
	if m == MarkBlank {
		return blankValue
	}
	return m.String()
}

func compareBallots(add func(field, first, second string), a, b *BallotSheet) {
	colA, colB := columnIndex(a.Columns), columnIndex(b.Columns)
	var common []string
	for i, id := range a.Columns {
		switch _, ok := colB[id]; {
		case colA[id] != i:
			// A repeated column is compared once; Compute reports the repetition.
		case ok:
			common = append(common, id)
		default:
			add("cột "+id, hasValue, absentValue)
		}
	}
	for i, id := range b.Columns {
		if _, ok := colA[id]; !ok && colB[id] == i {
			add("cột "+id, absentValue, hasValue)
		}
	}
	rowsA, rowsB := rowIndex(a.Rows), rowIndex(b.Rows)
	for _, n := range keysOfBoth(rowsA, rowsB) {
		field := "ballot " + strconv.Itoa(n)
		ra, okA := rowsA[n]
		rb, okB := rowsB[n]
		switch {
		case !okA:
			add(field, absentValue, hasValue)
			continue
		case !okB:
			add(field, hasValue, absentValue)
			continue
		}
		if ra.Invalid != rb.Invalid {
			add(field+", cột invalid", invalidValue(ra.Invalid), invalidValue(rb.Invalid))
		}
		for _, id := range common {
			x, y := markAt(ra, colA[id]), markAt(rb, colB[id])
			if x != y {
				add(field+", cột "+id, x, y)
			}
		}
	}
}

func invalidValue(v bool) string {
	if v {
		return "1"
	}
	return blankValue
}

func columnIndex(cols []string) map[string]int {
	m := make(map[string]int, len(cols))
	for i, id := range cols {
		if _, dup := m[id]; !dup {
			m[id] = i
		}
	}
	return m
}

func rowIndex(rows []BallotRow) map[int]BallotRow {
	m := make(map[int]BallotRow, len(rows))
	for _, r := range rows {
		if _, dup := m[r.Number]; !dup {
			m[r.Number] = r
		}
	}
	return m
}

// keysOfBoth lists every key of either entry once, in order, so that differences are reported
// in a stable order and what only one entry has is reported too.
func keysOfBoth[K cmp.Ordered, V any](a, b map[K]V) []K {
	keys := make([]K, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func markAt(r BallotRow, i int) string {
	if i >= len(r.Marks) {
		return absentValue
	}
	return markValue(r.Marks[i])
}

func compareCounts(add func(field, first, second string), a, b map[string]Counts) {
	for _, id := range keysOfBoth(a, b) {
		field := "nominee " + id
		x, okA := a[id]
		y, okB := b[id]
		switch {
		case !okA:
			add(field, absentValue, hasValue)
			continue
		case !okB:
			add(field, hasValue, absentValue)
			continue
		}
		for _, f := range []struct {
			col  string
			x, y int
		}{
			{colCao, x.Cao, y.Cao},
			{colTinNhiem, x.TinNhiem, y.TinNhiem},
			{colThap, x.Thap, y.Thap},
			{colInvalid, x.Invalid, y.Invalid},
		} {
			if f.x != f.y {
				add(field+", cột "+f.col, strconv.Itoa(f.x), strconv.Itoa(f.y))
			}
		}
	}
}
