package document

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// coverage answers whether a TrueType font maps a rune to a real glyph. gofpdf prints a blank
// .notdef box for a rune the font lacks and says nothing, so a name in an unsupported script
// would come out as empty boxes on a signed document; we check before drawing instead.
type coverage struct {
	segs []cmapSegment // format 4 segments, sorted by end as the format requires
	data []byte        // the format 4 subtable, for glyphIdArray lookups
	// groups come from a format 12 subtable when the font has one.
	groups []cmapGroup
}

type cmapSegment struct {
	start, end     uint16
	delta          uint16
	rangeOffset    uint16
	rangeOffsetPos int // position of this segment's idRangeOffset entry inside data
}

type cmapGroup struct {
	start, end, glyph uint32
}

var errFontTable = errors.New("bảng cmap của phông chữ không hợp lệ")

// parseCoverage reads the Unicode cmap of a TrueType font: format 12 (3,10) when present,
// else format 4 (3,1 or 0,x). It never panics on malformed input.
func parseCoverage(font []byte) (*coverage, error) {
	if len(font) < 12 {
		return nil, fmt.Errorf("cmap: %w (tệp quá ngắn)", errFontTable)
	}
	numTables := int(binary.BigEndian.Uint16(font[4:]))
	var cmap []byte
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return nil, fmt.Errorf("cmap: %w (mục lục bảng bị cắt)", errFontTable)
		}
		if string(font[rec:rec+4]) != "cmap" {
			continue
		}
		off := int(binary.BigEndian.Uint32(font[rec+8:]))
		n := int(binary.BigEndian.Uint32(font[rec+12:]))
		if off < 0 || n < 4 || off > len(font) || n > len(font)-off {
			return nil, fmt.Errorf("cmap: %w (vị trí bảng sai)", errFontTable)
		}
		cmap = font[off : off+n]
		break
	}
	if cmap == nil {
		return nil, fmt.Errorf("cmap: %w (không có bảng cmap)", errFontTable)
	}
	var fmt4, fmt12 []byte
	subtables := int(binary.BigEndian.Uint16(cmap[2:]))
	for i := 0; i < subtables; i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return nil, fmt.Errorf("cmap: %w (mục lục bảng con bị cắt)", errFontTable)
		}
		platform := binary.BigEndian.Uint16(cmap[rec:])
		encoding := binary.BigEndian.Uint16(cmap[rec+2:])
		off := int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if off < 0 || off+4 > len(cmap) {
			continue
		}
		sub := cmap[off:]
		switch binary.BigEndian.Uint16(sub) {
		case 4:
			if platform == 3 && encoding == 1 || platform == 0 && fmt4 == nil {
				fmt4 = sub
			}
		case 12:
			if platform == 3 && encoding == 10 || platform == 0 {
				fmt12 = sub
			}
		}
	}
	if fmt12 != nil {
		if c, err := parseFormat12(fmt12); err == nil {
			return c, nil
		}
	}
	if fmt4 == nil {
		return nil, fmt.Errorf("cmap: %w (không có bảng Unicode định dạng 4 hoặc 12)", errFontTable)
	}
	return parseFormat4(fmt4)
}

func parseFormat4(sub []byte) (*coverage, error) {
	if len(sub) < 14 {
		return nil, fmt.Errorf("cmap: %w (bảng định dạng 4 bị cắt)", errFontTable)
	}
	length := int(binary.BigEndian.Uint16(sub[2:]))
	if length < 14 || length > len(sub) {
		// Some fonts overstate the length of the last subtable; trust the bytes we have.
		length = len(sub)
	}
	sub = sub[:length]
	segCount := int(binary.BigEndian.Uint16(sub[6:])) / 2
	endPos := 14
	startPos := endPos + 2*segCount + 2
	deltaPos := startPos + 2*segCount
	rangePos := deltaPos + 2*segCount
	if rangePos+2*segCount > len(sub) {
		return nil, fmt.Errorf("cmap: %w (số đoạn vượt quá bảng)", errFontTable)
	}
	c := &coverage{data: sub, segs: make([]cmapSegment, segCount)}
	for i := range segCount {
		c.segs[i] = cmapSegment{
			end:            binary.BigEndian.Uint16(sub[endPos+2*i:]),
			start:          binary.BigEndian.Uint16(sub[startPos+2*i:]),
			delta:          binary.BigEndian.Uint16(sub[deltaPos+2*i:]),
			rangeOffset:    binary.BigEndian.Uint16(sub[rangePos+2*i:]),
			rangeOffsetPos: rangePos + 2*i,
		}
	}
	return c, nil
}

func parseFormat12(sub []byte) (*coverage, error) {
	if len(sub) < 16 {
		return nil, fmt.Errorf("cmap: %w (bảng định dạng 12 bị cắt)", errFontTable)
	}
	n := int(binary.BigEndian.Uint32(sub[12:]))
	if n < 0 || n > (len(sub)-16)/12 {
		return nil, fmt.Errorf("cmap: %w (số nhóm vượt quá bảng)", errFontTable)
	}
	c := &coverage{groups: make([]cmapGroup, n)}
	for i := range n {
		p := 16 + 12*i
		c.groups[i] = cmapGroup{
			start: binary.BigEndian.Uint32(sub[p:]),
			end:   binary.BigEndian.Uint32(sub[p+4:]),
			glyph: binary.BigEndian.Uint32(sub[p+8:]),
		}
	}
	return c, nil
}

// has reports whether r maps to a glyph other than .notdef.
func (c *coverage) has(r rune) bool {
	if r < 0 {
		return false
	}
	if c.groups != nil {
		for _, g := range c.groups {
			if uint32(r) >= g.start && uint32(r) <= g.end {
				return g.glyph+uint32(r)-g.start != 0
			}
		}
		return false
	}
	if r > 0xFFFF {
		return false
	}
	u := uint16(r)
	// Segments are sorted by end code: the first whose end is not below u is the only candidate.
	i := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].end >= u })
	if i < len(c.segs) {
		s := c.segs[i]
		if u < s.start {
			return false
		}
		if s.rangeOffset == 0 {
			return u+s.delta != 0
		}
		p := s.rangeOffsetPos + int(s.rangeOffset) + 2*int(u-s.start)
		if p+2 > len(c.data) {
			return false
		}
		g := binary.BigEndian.Uint16(c.data[p:])
		return g != 0 && g+s.delta != 0
	}
	return false
}
