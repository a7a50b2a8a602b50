package pdftext

import (
	"math"
	"slices"
)

// value is an object of a file with references resolved on access: the
// navigation API the interpreter and the font code use. A zero value is null.
type value struct {
	f  *file
	o  object
	id int // number of the indirect object it is, 0 for a direct object
}

func (f *file) val(o object) value {
	r, id := f.resolveID(o)
	return value{f: f, o: r, id: id}
}

func (v value) Kind() objKind { return v.o.kind }

func (v value) IsNull() bool { return v.o.kind == objNull }

// Key returns a dictionary's (or a stream dictionary's) entry.
func (v value) Key(k string) value {
	if v.f == nil || (v.o.kind != objDict && v.o.kind != objStream) {
		return value{}
	}
	x, ok := v.o.dict[k]
	if !ok {
		return value{}
	}
	return v.f.val(x)
}

// Keys returns a dictionary's keys, sorted.
func (v value) Keys() []string {
	if v.o.kind != objDict && v.o.kind != objStream {
		return nil
	}
	ks := make([]string, 0, len(v.o.dict))
	for k := range v.o.dict {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (v value) Index(i int) value {
	if v.f == nil || v.o.kind != objArray || i < 0 || i >= len(v.o.arr) {
		return value{}
	}
	return v.f.val(v.o.arr[i])
}

func (v value) Len() int {
	if v.o.kind != objArray {
		return 0
	}
	return len(v.o.arr)
}

func (v value) Name() string {
	if v.o.kind != objName {
		return ""
	}
	return v.o.str
}

// Str returns a string's bytes.
func (v value) Str() string {
	if v.o.kind != objString {
		return ""
	}
	return v.o.str
}

// Text decodes a text string (UTF-16BE with a byte-order mark, UTF-8 with
// one, else PDFDocEncoding).
func (v value) Text() string { return textString(v.Str()) }

func (v value) isNumber() bool { return v.o.kind == objNum }

func (v value) Float64() float64 {
	if v.o.kind != objNum || math.IsNaN(v.o.num) || math.IsInf(v.o.num, 0) {
		return 0
	}
	return v.o.num
}

func (v value) Int64() int64 {
	f := v.Float64()
	if f > math.MaxInt32 || f < math.MinInt32 {
		return 0
	}
	return int64(f)
}

func (v value) Bool() bool { return v.o.kind == objBool && v.o.num != 0 }

// rect reads a rectangle [x0 y0 x1 y1], normalised so that x0 ≤ x1, y0 ≤ y1.
func (v value) rect() ([4]float64, bool) {
	var r [4]float64
	if v.Kind() != objArray || v.Len() != 4 {
		return r, false
	}
	for i := range r {
		x := v.Index(i)
		if !x.isNumber() {
			return r, false
		}
		r[i] = x.Float64()
	}
	if r[0] > r[2] {
		r[0], r[2] = r[2], r[0]
	}
	if r[1] > r[3] {
		r[1], r[3] = r[3], r[1]
	}
	return r, true
}

// matrix reads a six-number array.
func (v value) matrix() (matrix, bool) {
	var m matrix
	if v.Kind() != objArray || v.Len() != 6 {
		return m, false
	}
	for i := range m {
		m[i] = v.Index(i).Float64()
	}
	return m, true
}
