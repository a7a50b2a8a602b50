package pdftext

import (
	"encoding/binary"
)

// When a composite font has no ToUnicode map (some printer drivers drop it),
// the text can still be recovered from the embedded TrueType program: its
// 'cmap' table maps Unicode to glyph ids, and read backwards it says which
// character each glyph draws. CIDs reach glyph ids through /CIDToGIDMap.

const (
	maxFontProgram = 32 << 20
	maxCmapEntries = 1 << 17
)

// glyphUnicode returns, for each glyph id of a TrueType program, the lowest
// Unicode code point mapped to it (so a space glyph is " " rather than a
// no-break space, a hyphen "-" rather than a soft hyphen). It returns nil
// for anything it cannot read.
func glyphUnicode(ttf []byte) map[uint16]rune {
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(ttf) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(ttf[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(ttf) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(ttf[off:])), true
	}
	numTables, ok := u16(4)
	if !ok {
		return nil
	}
	cmapOff := -1
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			cmapOff, _ = u32(rec + 8)
			break
		}
	}
	if cmapOff < 0 {
		return nil
	}
	n, ok := u16(cmapOff + 2)
	if !ok {
		return nil
	}
	// Prefer a full-repertoire subtable (format 12), then BMP (format 4),
	// from the Windows or Unicode platforms.
	best, bestRank := -1, 0
	for i := 0; i < n; i++ {
		rec := cmapOff + 4 + 8*i
		pid, ok1 := u16(rec)
		eid, ok2 := u16(rec + 2)
		sub, ok3 := u32(rec + 4)
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		format, ok := u16(cmapOff + sub)
		if !ok {
			continue
		}
		unicode := pid == 0 || (pid == 3 && (eid == 1 || eid == 10))
		rank := 0
		switch {
		case unicode && format == 12:
			rank = 2
		case unicode && format == 4:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = cmapOff+sub, rank
		}
	}
	if best < 0 {
		return nil
	}
	m := map[uint16]rune{}
	put := func(c rune, gid int) {
		if gid <= 0 || gid > 0xFFFF || c == 0 || len(m) >= maxCmapEntries {
			return
		}
		if old, ok := m[uint16(gid)]; !ok || c < old {
			m[uint16(gid)] = c
		}
	}
	if bestRank == 2 {
		groups, ok := u32(best + 12)
		if !ok {
			return nil
		}
		for g := 0; g < min(groups, maxCmapEntries); g++ {
			base := best + 16 + 12*g
			start, ok1 := u32(base)
			end, ok2 := u32(base + 4)
			gid, ok3 := u32(base + 8)
			if !ok1 || !ok2 || !ok3 || end < start || end > 0x10FFFF || end-start > maxCmapEntries {
				break
			}
			for c := start; c <= end && len(m) < maxCmapEntries; c++ {
				put(rune(c), gid+(c-start))
			}
		}
		return m
	}
	segX2, ok := u16(best + 6)
	if !ok {
		return nil
	}
	segs := segX2 / 2
	ends := best + 14
	starts := ends + segX2 + 2
	deltas := starts + segX2
	ranges := deltas + segX2
	for i := 0; i < segs; i++ {
		end, ok1 := u16(ends + 2*i)
		start, ok2 := u16(starts + 2*i)
		delta, ok3 := u16(deltas + 2*i)
		ro, ok4 := u16(ranges + 2*i)
		if !ok1 || !ok2 || !ok3 || !ok4 || end < start {
			break
		}
		for c := start; c <= end && c != 0xFFFF; c++ {
			var gid int
			if ro == 0 {
				gid = (c + delta) & 0xFFFF
			} else {
				g, ok := u16(ranges + 2*i + ro + 2*(c-start))
				if !ok {
					break
				}
				if g != 0 {
					gid = (g + delta) & 0xFFFF
				}
			}
			put(rune(c), gid)
		}
	}
	return m
}

// embeddedText prepares glyph-based decoding for a composite font without a
// ToUnicode map: the text of each glyph id from the embedded program (a
// TrueType or OpenType cmap read backwards, else the glyph names of its
// 'post' table or of a name-keyed CFF program), and how CIDs reach glyph ids
// (/CIDToGIDMap for TrueType, the charset of a CID-keyed CFF program).
func (ex *extractor) embeddedText(f *font, desc value) error {
	fd := desc.Key("FontDescriptor")
	if ff := fd.Key("FontFile2"); ff.Kind() == objStream {
		prog, err := ex.streamBytes(ff)
		if err != nil {
			return err
		}
		f.gidText = sfntText(prog)
		if f.gidText == nil {
			return nil
		}
		if m := desc.Key("CIDToGIDMap"); m.Kind() == objStream {
			b, err := ex.streamBytes(m)
			if err != nil {
				return err
			}
			b = b[:min(len(b), 2<<16)]
			f.cidToGID = make([]uint16, len(b)/2)
			for i := range f.cidToGID {
				f.cidToGID[i] = binary.BigEndian.Uint16(b[2*i:])
			}
		}
		return nil
	}
	ff := fd.Key("FontFile3")
	if ff.Kind() != objStream {
		return nil
	}
	prog, err := ex.streamBytes(ff)
	if err != nil {
		return err
	}
	cffData := prog
	if len(prog) >= 4 && string(prog[:4]) == "OTTO" {
		f.gidText = sfntText(prog)
		cffData = openTypeCFF(prog)
	}
	c, err := parseCFF(cffData)
	if err != nil {
		return nil
	}
	if c.cid {
		// CID → glyph id, through the charset.
		maxCID := 0
		for _, cid := range c.cids {
			maxCID = max(maxCID, cid)
		}
		if maxCID < 1<<16 {
			f.cidToGID = make([]uint16, maxCID+1)
			for g, cid := range c.cids {
				if g > 0 && g < 1<<16 {
					f.cidToGID[cid] = uint16(g)
				}
			}
		}
		return nil
	}
	if f.gidText == nil {
		f.gidText = map[uint16]string{}
		for g, n := range c.names {
			if t := glyphText(n); t != "" && g < 1<<16 {
				f.gidText[uint16(g)] = t
			}
		}
	}
	return nil
}

// sfntText maps the glyph ids of a TrueType or OpenType program to text:
// through its Unicode cmap, else through the glyph names of its 'post'
// table. It returns nil for anything it cannot read.
func sfntText(prog []byte) map[uint16]string {
	if gu := glyphUnicode(prog); len(gu) > 0 {
		m := make(map[uint16]string, len(gu))
		for g, r := range gu {
			m[g] = string(r)
		}
		return m
	}
	names := postNames(prog)
	if len(names) == 0 {
		return nil
	}
	m := map[uint16]string{}
	for g, n := range names {
		if t := glyphText(n); t != "" {
			m[uint16(g)] = t
		}
	}
	return m
}

// postNames reads the glyph names of a 'post' table of format 2.
func postNames(prog []byte) []string {
	p := sfntTable(prog, "post")
	if len(p) < 34 || binary.BigEndian.Uint32(p) != 0x00020000 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(p[32:]))
	if n > 1<<16 || 34+2*n > len(p) {
		return nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = int(binary.BigEndian.Uint16(p[34+2*i:]))
	}
	// Pascal strings follow, for indexes 258 and up.
	var custom []string
	for off := 34 + 2*n; off < len(p); {
		l := int(p[off])
		if off+1+l > len(p) {
			break
		}
		custom = append(custom, string(p[off+1:off+1+l]))
		off += 1 + l
	}
	names := make([]string, n)
	mac := macGlyphNames()
	for g, i := range idx {
		switch {
		case i < len(mac):
			names[g] = mac[i]
		case i-258 < len(custom):
			names[g] = custom[i-258]
		}
	}
	return names
}

// sfntTable returns the table with the given tag of an OpenType/TrueType
// program, or nil.
func sfntTable(b []byte, tag string) []byte {
	if len(b) < 12 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil
		}
		if string(b[rec:rec+4]) != tag {
			continue
		}
		off := int(binary.BigEndian.Uint32(b[rec+8:]))
		length := int(binary.BigEndian.Uint32(b[rec+12:]))
		if off < 0 || length < 0 || off > len(b) || length > len(b)-off {
			return nil
		}
		return b[off : off+length]
	}
	return nil
}

// openTypeCFF returns the CFF table of an OpenType program (or b itself
// when it is a bare CFF program, as producers sometimes label it).
func openTypeCFF(b []byte) []byte {
	if len(b) >= 4 && string(b[:4]) == "OTTO" {
		return sfntTable(b, "CFF ")
	}
	return b
}
