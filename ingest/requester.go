package ingest

import (
	"slices"
	"strings"
)

// A request for explanation names two people: the one asked to explain, whose dossier it joins
// (pickNominee), and the one who asks — a voter, a delegate — whom the board knows and the
// person asked is not shown (DOMAIN.md). This file reads the second. It reads only where the
// paper says so: a field ("Người đề nghị: …", "Họ và tên đại biểu: …"), the author's "Tôi là
// …", a signature under a role that asks ("NGƯỜI ĐỀ NGHỊ", "ĐẠI BIỂU"), a voter named as the
// one who asks ("đại biểu X đề nghị …", "ý kiến của đại biểu X"). A body's letter signed on its
// behalf ("T/M BAN TỔ CHỨC") names nobody who asks, and nothing is guessed from it.

// askerExtras is wording that says who asks but that pickNominee does not weigh: it is read
// only by the requester reader, after the nameCues (whose roles it needs to tell the person
// asked from the one who asks).
func askerExtras() []nameCue {
	var out []nameCue
	add := func(column bool, texts ...string) {
		for _, t := range texts {
			out = append(out, nameCue{text: t, asker: true, column: column, gap: 12})
		}
	}
	add(true, "người yêu cầu", "người yêu cầu giải trình", "người viết phiếu", "người viết đơn", "người làm đơn",
		"người đứng đơn", "người đề xuất", "người chất vấn", "đại biểu đề nghị", "cử tri đề nghị")
	add(false, "họ và tên đại biểu", "họ tên đại biểu", "họ và tên cử tri", "họ tên cử tri",
		"đề nghị của đại biểu", "đề nghị của cử tri", "đề nghị của đồng chí", "kiến nghị của đại biểu",
		"kiến nghị của cử tri", "ý kiến của cử tri", "ý kiến của các đại biểu", "của các đại biểu", "của các cử tri")
	// A voter noun alone says who asks only as a field ("Đại biểu: X"), a column heading over a
	// signature ("ĐẠI BIỂU / X") or the subject of asking ("đại biểu X đề nghị …"); "Kính gửi:
	// đại biểu X" is the person asked.
	for _, t := range []string{"đại biểu", "cử tri", "đbqh", "đb"} {
		out = append(out, nameCue{text: t, voter: true, column: true, label: true})
	}
	return out
}

// askerPlace is what a name's place in a request says about it.
type askerPlace int

const (
	placeNone    askerPlace = iota
	placeAsker              // who asks
	placeSubject            // the person asked to explain
)

// maxFillers is the most words — honorifics, "đại biểu", "là" — between a field's label and the
// name it introduces ("Người đề nghị: đồng chí đại biểu Phan Văn Tiến").
const maxFillers = 5

// fillerWords may stand between a label and its name. Folded: a field's label is often typed
// without marks.
var fillerWords = map[string]bool{
	"dong": true, "chi": true, "d": true, "c": true, "ong": true, "ba": true, "anh": true, "co": true,
	"chu": true, "bac": true, "dai": true, "bieu": true, "db": true, "dbqh": true, "cu": true, "tri": true,
	"la": true, "ten": true, "ho": true, "va": true, "dang": true, "vien": true,
}

// requester reads who asks for the explanation (Recognition.Requester).
func (rz *recognizer) requester(v *textView, ro *roster) string {
	cues := dropContained(v.unbroken(v.find(rz.askers, false)))
	names := v.personSpans(ro)
	names = append(names, rz.fieldNames(v, cues, names)...)
	// Lines where a name begins end the search for a column's heading; a signature line read
	// only for its shape does not, lest a stray one hide the heading from the name under it.
	named := map[int]bool{}
	for _, s := range names {
		named[v.toks[s.t0].line] = true
	}
	names = append(names, v.signatureNames(cues, names)...)
	slices.SortFunc(names, func(a, b span) int { return a.t0 - b.t0 })
	if len(names) == 0 {
		return ""
	}
	// Lines that head columns or a table's cells ("Đại biểu đề nghị | Người được đề nghị giải
	// trình | Nội dung"): their roles are read by position (columnHead), not as the wording
	// before whatever name follows.
	heads := map[int]bool{}
	roles, covered := map[int]int{}, map[int]int{}
	for _, c := range cues {
		if rz.askerCues[c.id].column {
			l := v.toks[c.t0].line
			roles[l]++
			covered[l] += c.t1 - c.t0
		}
	}
	for l, n := range roles {
		heads[l] = n > 1 && 2*covered[l] >= v.lines[l].end-v.lines[l].first
	}
	tail := v.tailStart()
	var askers, subjects []string
	for i := range names {
		name := v.words(names[i].t0, names[i].t1)
		switch rz.askerPlace(v, cues, names, i, tail, named, heads) {
		case placeAsker:
			askers = append(askers, name)
		case placeSubject:
			subjects = append(subjects, name)
		}
	}
	// Never the person asked: a name that is the subject anywhere in the paper is not read as
	// the one who asks, whatever else says so.
	var out []string
	for _, a := range askers {
		if slices.ContainsFunc(subjects, func(s string) bool { return sameName(a, s) }) {
			continue
		}
		if k := slices.IndexFunc(out, func(o string) bool { return sameName(a, o) }); k >= 0 {
			// The same person written twice: keep the first spelling, unless only this one has marks.
			if !hasMarks(out[k]) && hasMarks(a) {
				out[k] = a
			}
			continue
		}
		out = append(out, a)
	}
	return strings.Join(out, ", ")
}

// personSpans are the names written in the text that the nominee's reader finds too: roster
// names and names off the roster, in text order.
func (v *textView) personSpans(ro *roster) []span {
	hits := ro.hits(v)
	var out []span
	for _, h := range hits {
		out = append(out, h.span)
	}
	out = append(out, v.unlistedNames(hits)...)
	slices.SortFunc(out, func(a, b span) int { return a.t0 - b.t0 })
	return out
}

// signatureNames are the lines of the signature block that are a name and nothing else but that
// personSpans did not find: in capitals right under a short heading ("ĐẠI BIỂU / LÂM VĂN TÀI",
// which unlistedNames takes for words going on from the heading), or with a surname it does not
// know ("Đồng Văn Tám"). A line with a role ("XÁC NHẬN") or opening with a post or an office
// ("TRƯỞNG BAN", "PHÓ CHỦ TỊCH", "BAN THƯỜNG VỤ") is none.
func (v *textView) signatureNames(cues []span, known []span) []span {
	nw := sharedNameWords()
	tail := v.tailStart()
	cued := map[int]bool{}
	for _, c := range cues {
		for t := c.t0; t < c.t1; t++ {
			cued[v.toks[t].line] = true
		}
	}
	var out []span
	for l, ln := range v.lines {
		n := ln.end - ln.first
		if n < 2 || n > maxNameWords || ln.first < tail || cued[l] || !v.nameLine(l) ||
			slices.ContainsFunc(known, func(s span) bool { return s.t0 < ln.end && s.t1 > ln.first }) {
			continue
		}
		ok := v.in(ln.first, nw.surname) ||
			!v.in(ln.first, nw.notName) && !v.in(ln.first, nw.place) && !v.in(ln.first, nw.title)
		for t := ln.first; t < ln.end; t++ {
			ok = ok && v.isSyllable(t) && (t == ln.first || !v.in(t, nw.notName))
		}
		if ok {
			out = append(out, span{id: -1, t0: ln.first, t1: ln.end, f0: v.toks[ln.first].start,
				f1: v.toks[ln.end-1].end})
		}
	}
	return out
}

// fieldNames reads the names that fill a field where the field says a name stands — after
// "Người đề nghị:", "Họ và tên:", "Tôi là" — but that personSpans did not find, because the
// surname is not among those it knows ("Mã Thị Kim Oanh"): two to five capitalised syllables up
// to the end of the field (a line end or a punctuation mark), the first no word such as "Ban" or
// "Phó" that begins an office's name.
func (rz *recognizer) fieldNames(v *textView, cues []span, known []span) []span {
	nw := sharedNameWords()
	inCue := map[int]bool{} // "Họ và tên NGƯỜI ĐỀ NGHỊ:" is followed by a label, not a name
	for _, c := range cues {
		for t := c.t0; t < c.t1; t++ {
			inCue[t] = true
		}
	}
	var out []span
	for _, c := range cues {
		nc := rz.askerCues[c.id]
		if nc.sig || nc.honor || !nc.asker && !nc.self && !nc.label {
			continue
		}
		// Past honorifics and the like: "Người đề nghị: Ông Mã Văn Tư", "…: Đồng chí Mã Văn Tư" —
		// but "Đồng" that begins "Đồng Văn Tám" is a surname.
		t := c.t1
		for t < len(v.toks) && t-c.t1 < maxFillers && (v.isTitle(t, nw) || v.filler(t) &&
			(!v.isSyllable(t) || t+1 < len(v.toks) && v.filler(t+1))) {
			t++
		}
		if t >= len(v.toks) || !v.sameField(c, span{t0: t, t1: t + 1}) || !v.isSyllable(t) ||
			v.in(t, nw.notName) || v.in(t, nw.place) || v.in(t, nw.title) {
			continue
		}
		e := t + 1
		for e < len(v.toks) && e-t <= maxNameWords && v.joined(e) && v.isSyllable(e) && !v.in(e, nw.notName) {
			e++
		}
		cut := false
		for u := t; u < e; u++ {
			cut = cut || inCue[u]
		}
		if cut || e-t < 2 || e-t > maxNameWords || e < len(v.toks) && v.joined(e) && v.toks[e].line == v.toks[e-1].line {
			continue
		}
		if slices.ContainsFunc(known, func(s span) bool { return s.t0 < e && s.t1 > t }) ||
			slices.ContainsFunc(out, func(s span) bool { return s.t0 < e && s.t1 > t }) {
			continue
		}
		out = append(out, span{id: -1, t0: t, t1: e, f0: v.toks[t].start, f1: v.toks[e-1].end})
	}
	return out
}

// askerPlace reads the place of names[i]: the nearest wording before it on its line (or ending
// the line above with a colon), else the column or section heading above it.
func (rz *recognizer) askerPlace(v *textView, cues []span, names []span, i, tail int, named map[int]bool,
	heads map[int]bool) askerPlace {
	s := names[i]
	prevEnd := 0
	if i > 0 {
		prevEnd = names[i-1].t1
	}
	line := v.toks[s.t0].line
	generic, voter := false, false
	stoppedOnLine := false
	var passed []span // signature instructions on the name's line: "Người đề nghị (ký, ghi rõ họ tên): X"
	k, _ := slices.BinarySearchFunc(cues, s.t0, func(c span, t int) int { return c.t0 - t })
walk:
	for j := k - 1; j >= 0; j-- {
		c := cues[j]
		if c.t1 > s.t0 {
			continue
		}
		if c.t0 < prevEnd || s.t0-c.t1 > 20 {
			break
		}
		nc := rz.askerCues[c.id]
		onLine := v.toks[c.t1-1].line == line
		if l := v.toks[c.t0].line; l != line && heads[l] {
			break
		}
		near := v.fillersOnly(c.t1, s.t0, passed) && v.sameField(c, s)
		switch {
		case nc.sig:
			if !onLine {
				break walk // a signature block: its column heading says whose the signature is
			}
			passed = append(passed, c)
		case nc.voter:
			if near && v.startsLine(c.t0) && v.toks[c.t1].sep == ':' {
				return placeAsker // "Đại biểu: X"
			}
			voter = voter || near
		case nc.label && nc.honor:
		case nc.asker:
			if near {
				return placeAsker
			}
			stoppedOnLine = onLine
			break walk
		case nc.self:
			// In a request the one who says "tôi" is the one asking: "Tôi là X", "Tôi, đại biểu X".
			if near {
				return placeAsker
			}
			stoppedOnLine = onLine
			break walk
		case nc.label:
			generic = generic || near && onLine
		case nc.wReq >= ownerCue && s.t0-c.t1 <= nc.gap:
			return placeSubject // "Người được đề nghị giải trình: X", "Đề nghị đồng chí X", "Kính gửi: X"
		default:
			stoppedOnLine = onLine
			break walk
		}
	}
	if voter && v.asks(s.t1) {
		return placeAsker // "Đại biểu X (Tổ đại biểu số 3) đề nghị …"
	}
	if stoppedOnLine || !generic && (s.t0 < tail || !v.signsAlone(s)) {
		return placeNone
	}
	// A field ("Họ và tên: X") under a section heading ("I. NGƯỜI ĐỀ NGHỊ"), or a signature under
	// its column's role.
	c, ok := v.columnHead(cues, func(c span) bool { return rz.askerCues[c.id].column }, s, named)
	if !ok {
		return placeNone
	}
	switch nc := rz.askerCues[c.id]; {
	case nc.asker || nc.voter:
		return placeAsker
	case nc.wReq >= ownerCue:
		return placeSubject
	}
	return placeNone
}

// fillersOnly reports whether words [a,b), but for those of the skipped cues, may stand between
// a label and its name.
func (v *textView) fillersOnly(a, b int, skip []span) bool {
	n := 0
	for t := a; t < b; t++ {
		if slices.ContainsFunc(skip, func(c span) bool { return c.t0 <= t && t < c.t1 }) {
			continue
		}
		if n++; n > maxFillers || !v.filler(t) {
			return false
		}
	}
	return true
}

// filler reports whether word t is one of fillerWords.
func (v *textView) filler(t int) bool {
	return fillerWords[string(v.fold[v.toks[t].start:v.toks[t].end])]
}

// sameField reports whether the cue c and the name at s are one field: on one line, or the cue
// ends its line with a colon and the name begins the next ("Người đề nghị:\nPhan Văn Tiến").
// A role ending a line without a colon is a column heading, which columnHead reads.
func (v *textView) sameField(c, s span) bool {
	lc, ls := v.toks[c.t1-1].line, v.toks[s.t0].line
	if lc == ls {
		return true
	}
	return ls == lc+1 && v.lines[lc].end == c.t1 && v.toks[c.t1].sep == ':'
}

// signsAlone reports whether the name at s stands as a signature: alone on its line (see
// signatureLine), or wrapped over lines of its own in a narrow column ("Huỳnh\nQuốc\nViệt").
func (v *textView) signsAlone(s span) bool {
	l0, l1 := v.toks[s.t0].line, v.toks[s.t1-1].line
	if l0 == l1 {
		return v.signatureLine(s)
	}
	return v.lines[l0].first == s.t0 && v.lines[l1].end == s.t1
}

// asks reports whether the clause that goes on at word t says its subject asks: "đề nghị",
// "kiến nghị", "yêu cầu", "chất vấn", "đề xuất" before the clause ends, and not "được đề nghị".
func (v *textView) asks(t int) bool {
	w := func(i int) string { return string(v.fold[v.toks[i].start:v.toks[i].end]) }
	for i := t; i+1 < len(v.toks) && i < t+25; i++ {
		if sep := v.toks[i].sep; sep != 0 && strings.ContainsRune(".;:?!", sep) {
			return false
		}
		if v.toks[i+1].hardGap {
			continue
		}
		switch w(i) + " " + w(i+1) {
		case "de nghi", "kien nghi", "yeu cau", "chat van", "de xuat":
			return i == t || w(i-1) != "duoc" && w(i-1) != "bi"
		}
	}
	return false
}

// sameName reports whether two written names are one: the same syllables, or folded alike where
// one of them is written without marks.
func sameName(a, b string) bool {
	if syllableKeys(a) == syllableKeys(b) {
		return true
	}
	return (!hasMarks(a) || !hasMarks(b)) && Fold(a) == Fold(b)
}

// hasMarks reports whether s carries any Vietnamese diacritic or đ.
func hasMarks(s string) bool {
	return Fold(s) != strings.ToLower(strings.Join(strings.Fields(s), " "))
}
