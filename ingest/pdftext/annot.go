package pdftext

import (
	"math"
)

// Filled-in form fields and typed comments are not in the page's content
// stream: their text is in the annotation's appearance stream (or, for a
// field whose viewer was to draw it, only in the field's value). Dossier forms
// are often filled this way, so their text is part of the page's text.

const maxAnnotsPerPage = 1000

const (
	annotHidden = 1 << 1
	annotNoView = 1 << 5
)

func (in *interp) annotations(annots value) error {
	for i := 0; i < min(annots.Len(), maxAnnotsPerPage); i++ {
		a := annots.Index(i)
		switch a.Key("Subtype").Name() {
		case "Widget", "FreeText":
		default:
			continue
		}
		if f := a.Key("F").Int64(); f&(annotHidden|annotNoView) != 0 {
			continue
		}
		rect, ok := a.Key("Rect").rect()
		if !ok {
			continue
		}
		ap := a.Key("AP").Key("N")
		if ap.Kind() == objDict {
			ap = ap.Key(a.Key("AS").Name()) // one appearance per state (check boxes)
		}
		text := textField(a)
		if ap.Kind() != objStream || (text && in.ex.needAppearances) {
			in.fieldValue(a, rect)
			continue
		}
		shown := in.stats.glyphs
		if err := in.appearance(ap, rect); err != nil {
			return err
		}
		if text && in.stats.glyphs == shown {
			// An appearance that draws no text for a filled-in text field
			// (LibreOffice writes empty ones and lets viewers draw the value).
			in.fieldValue(a, rect)
		}
	}
	return nil
}

// appearance runs an appearance stream mapped onto the annotation's
// rectangle (PDF 32000 12.5.5): its BBox, transformed by its Matrix, is
// scaled and moved onto Rect.
func (in *interp) appearance(ap value, rect [4]float64) error {
	m := identity
	if mv, ok := ap.Key("Matrix").matrix(); ok {
		m = mv
	}
	bbox, ok := ap.Key("BBox").rect()
	if !ok {
		return nil
	}
	corners := []point{m.apply(bbox[0], bbox[1]), m.apply(bbox[2], bbox[1]), m.apply(bbox[0], bbox[3]), m.apply(bbox[2], bbox[3])}
	lo, hi := corners[0], corners[0]
	for _, c := range corners[1:] {
		lo = point{math.Min(lo.x, c.x), math.Min(lo.y, c.y)}
		hi = point{math.Max(hi.x, c.x), math.Max(hi.y, c.y)}
	}
	sx, sy := 1.0, 1.0
	if w := hi.x - lo.x; w > 1e-6 {
		sx = (rect[2] - rect[0]) / w
	}
	if h := hi.y - lo.y; h > 1e-6 {
		sy = (rect[3] - rect[1]) / h
	}
	a := matrix{sx, 0, 0, sy, rect[0] - lo.x*sx, rect[1] - lo.y*sy}
	saved := in.gs
	in.gs = gstate{ctm: a, th: 1}
	in.tm, in.tlm = identity, identity
	err := in.doXObject(ap, in.ex.formResources, 0, nil)
	in.gs = saved
	return err
}

// textField tells a text field's widget (its type may be inherited from the
// field above it).
func textField(a value) bool {
	if a.Key("Subtype").Name() != "Widget" {
		return false
	}
	for f, i := a, 0; f.Kind() == objDict && i < 8; f, i = f.Key("Parent"), i+1 {
		if ft := f.Key("FT"); ft.Kind() == objName {
			return ft.Name() == "Tx"
		}
	}
	return false
}

// fieldValue adds a text field's value, or a typed comment's text, when the
// annotation has no appearance of its own.
func (in *interp) fieldValue(a value, rect [4]float64) {
	v := a.Key("V")
	if v.Kind() != objString {
		v = a.Key("Parent").Key("V")
	}
	if a.Key("Subtype").Name() == "FreeText" {
		v = a.Key("Contents") // a typed comment that viewers draw from its text
	}
	if v.Kind() != objString {
		return
	}
	const size = 10
	start := point{rect[0] + 2, rect[1] + 2}
	in.out.add(placed{text: v.Text(), start: start, end: point{start.x + size/2*float64(len([]rune(v.Text()))), start.y}, dir: point{1, 0}, size: size})
}
