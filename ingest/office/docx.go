package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"tinnhiem/ingest/vnenc"
)

var reOverride = regexp.MustCompile(`<Override[^>]*PartName="([^"]+)"[^>]*>`)

const mcNS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

// isW reports an element of WordprocessingML (transitional or strict).
func isW(n xml.Name) bool {
	return n.Space == "http://schemas.openxmlformats.org/wordprocessingml/2006/main" ||
		n.Space == "http://purl.oclc.org/ooxml/wordprocessingml/main"
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// maxDepth bounds element nesting (tables in text boxes in tables…), against stack exhaustion.
const maxDepth = 256

// xmlDecoder reads one part without fetching anything external.
func xmlDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		// Parts are UTF-8 or UTF-16 by the standards; anything else is read as is.
		return r, nil
	}
	return d
}

// skip consumes the rest of the current element.
func skip(d *xml.Decoder) error {
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// docxStyles are the fonts that styles and document defaults give.
type docxStyles struct {
	def     string
	defPara string
	styles  map[string]docxStyle
}

type docxStyle struct{ basedOn, font string }

func (s *docxStyles) font(id string) string {
	for range 20 {
		st, ok := s.styles[id]
		if !ok {
			return ""
		}
		if st.font != "" {
			return st.font
		}
		id = st.basedOn
	}
	return ""
}

// runFont picks the font of high-ANSI characters (where legacy letters are), else ASCII.
func runFont(se xml.StartElement) string {
	if f := attr(se, "hAnsi"); f != "" {
		return f
	}
	return attr(se, "ascii")
}

func readDOCXStyles(b []byte) *docxStyles {
	s := &docxStyles{styles: map[string]docxStyle{}}
	if b == nil {
		return s
	}
	d := xmlDecoder(b)
	var cur string
	inDefaults, inPPr := false, false
	var curSt docxStyle
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !isW(t.Name) {
				continue
			}
			switch t.Name.Local {
			case "docDefaults":
				inDefaults = true
			case "pPr":
				inPPr = true
			case "style":
				cur = attr(t, "styleId")
				curSt = docxStyle{}
				if attr(t, "type") == "paragraph" && (attr(t, "default") == "1" || attr(t, "default") == "true") {
					s.defPara = cur
				}
			case "basedOn":
				curSt.basedOn = attr(t, "val")
			case "rFonts":
				if inPPr {
					continue
				}
				if inDefaults {
					s.def = runFont(t)
				} else if cur != "" {
					curSt.font = runFont(t)
				}
			}
		case xml.EndElement:
			if !isW(t.Name) {
				continue
			}
			switch t.Name.Local {
			case "docDefaults":
				inDefaults = false
			case "pPr":
				inPPr = false
			case "style":
				if cur != "" {
					s.styles[cur] = curSt
				}
				cur = ""
			}
		}
	}
	return s
}

func readDOCX(a *archive) (*document, error) {
	main := "word/document.xml"
	if !a.has(main) {
		main = a.mainPart()
	}
	body, err := a.read(main, true)
	if err != nil {
		return nil, err
	}
	dir := main[:strings.LastIndex(main, "/")+1]
	stylesXML, err := a.read(dir+"styles.xml", false)
	if err != nil {
		return nil, err
	}
	doc := &document{format: FormatDOCX}
	p := &docxParser{doc: doc, st: readDOCXStyles(stylesXML)}
	part := func(name string) ([]block, error) {
		b, err := a.read(name, name == main)
		if err != nil || b == nil {
			return nil, err
		}
		return p.parse(b)
	}
	isPart := func(prefix string) func(string) bool {
		return func(n string) bool {
			return strings.HasPrefix(n, dir+prefix) && strings.HasSuffix(n, ".xml") && !strings.Contains(n[len(dir):], "/")
		}
	}
	for _, n := range a.names(isPart("header")) {
		bs, err := part(n)
		if err != nil {
			return nil, err
		}
		doc.headers = append(doc.headers, bs...)
	}
	if doc.body, err = p.parse(body); err != nil {
		return nil, err
	}
	for _, n := range []string{dir + "footnotes.xml", dir + "endnotes.xml"} {
		bs, err := part(n)
		if err != nil {
			return nil, err
		}
		doc.notes = append(doc.notes, bs...)
	}
	for _, n := range a.names(isPart("footer")) {
		bs, err := part(n)
		if err != nil {
			return nil, err
		}
		doc.footers = append(doc.footers, bs...)
	}
	if app, err := a.read("docProps/app.xml", false); err == nil && app != nil {
		if m := rePages.FindSubmatch(app); m != nil {
			doc.pages, _ = strconv.Atoi(string(m[1]))
		}
	}
	return doc, nil
}

var rePages = regexp.MustCompile(`<(?:\w+:)?Pages>\s*(\d{1,6})\s*</`)

type docxParser struct {
	d     *xml.Decoder
	doc   *document
	st    *docxStyles
	depth int
}

func (p *docxParser) parse(b []byte) ([]block, error) {
	p.d, p.depth = xmlDecoder(b), 0
	bs, err := p.blocks()
	var e *Error
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return bs, nil
	case errors.As(err, &e):
		return nil, e
	}
	return nil, refuse(CodeCorrupt, "xml: %v", err)
}

func (p *docxParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return refuse(CodeTooComplex, "elements nested deeper than %d", maxDepth)
	}
	return nil
}

// blocks reads paragraphs and tables up to the end of the current element.
func (p *docxParser) blocks() ([]block, error) {
	var out []block
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == mcNS && t.Name.Local == "Fallback",
				isW(t.Name) && (t.Name.Local == "del" || t.Name.Local == "instrText" || t.Name.Local == "delText"):
				if err := skip(p.d); err != nil {
					return out, err
				}
			case isW(t.Name) && t.Name.Local == "p":
				bs, err := p.paragraph()
				out = append(out, bs...)
				if err != nil {
					return out, err
				}
			case isW(t.Name) && t.Name.Local == "tbl":
				b, err := p.table()
				out = append(out, b)
				if err != nil {
					return out, err
				}
			default:
				depth++
				if depth > maxDepth {
					return out, refuse(CodeTooComplex, "elements nested deeper than %d", maxDepth)
				}
			}
		case xml.EndElement:
			if depth == 0 {
				return out, nil
			}
			depth--
		}
	}
}

// table reads rows of cells, each cell's content as blocks.
func (p *docxParser) table() (block, error) {
	if err := p.enter(); err != nil {
		return block{}, err
	}
	defer func() { p.depth-- }()
	b := block{rows: [][][]block{}}
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return b, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case isW(t.Name) && t.Name.Local == "tr":
				b.rows = append(b.rows, nil)
				depth++
			case isW(t.Name) && t.Name.Local == "tc":
				cell, err := p.blocks()
				if len(b.rows) == 0 {
					b.rows = append(b.rows, nil)
				}
				b.rows[len(b.rows)-1] = append(b.rows[len(b.rows)-1], cell)
				if err != nil {
					return b, err
				}
			case isW(t.Name) && t.Name.Local == "p":
				// Malformed: a paragraph straight in a row. Keep its text as a cell.
				bs, err := p.paragraph()
				if len(b.rows) == 0 {
					b.rows = append(b.rows, nil)
				}
				b.rows[len(b.rows)-1] = append(b.rows[len(b.rows)-1], bs)
				if err != nil {
					return b, err
				}
			default:
				depth++
			}
		case xml.EndElement:
			if depth == 0 {
				return b, nil
			}
			depth--
		}
	}
}

// paragraph reads one w:p: its lines (a w:br starts a new one) and, after it, the text boxes
// anchored in it.
func (p *docxParser) paragraph() ([]block, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	var lines []line
	var cur line
	var extra []block
	pStyle := ""
	runFontName, runStyle := "", ""
	inRun, inRPr, inPPr, inText := false, false, false, false
	depth := 0
	font := func() string {
		switch {
		case runFontName != "":
			return runFontName
		case runStyle != "" && p.st.font(runStyle) != "":
			return p.st.font(runStyle)
		case pStyle != "" && p.st.font(pStyle) != "":
			return p.st.font(pStyle)
		case p.st.defPara != "" && p.st.font(p.st.defPara) != "":
			return p.st.font(p.st.defPara)
		}
		return p.st.def
	}
	for {
		tok, err := p.d.Token()
		if err != nil {
			return append([]block{{lines: append(lines, cur)}}, extra...), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == mcNS && t.Name.Local == "Fallback" {
				if err := skip(p.d); err != nil {
					return nil, err
				}
				continue
			}
			if !isW(t.Name) {
				depth++
				continue
			}
			switch t.Name.Local {
			case "del", "instrText", "delText", "rPrChange", "pPrChange":
				if err := skip(p.d); err != nil {
					return nil, err
				}
				continue
			case "txbxContent":
				bs, err := p.blocks()
				extra = append(extra, bs...)
				if err != nil {
					return nil, err
				}
				continue
			case "p":
				// A paragraph inside a paragraph (only in text boxes, handled above): read it too.
				bs, err := p.paragraph()
				extra = append(extra, bs...)
				if err != nil {
					return nil, err
				}
				continue
			case "tbl":
				b, err := p.table()
				extra = append(extra, b)
				if err != nil {
					return nil, err
				}
				continue
			case "pPr":
				inPPr = true
			case "pStyle":
				if inPPr {
					pStyle = attr(t, "val")
				}
			case "r":
				inRun, runFontName, runStyle = true, "", ""
			case "rPr":
				inRPr = true
			case "rFonts":
				if inRun && inRPr && !inPPr {
					runFontName = runFont(t)
				}
			case "rStyle":
				if inRun && inRPr {
					runStyle = attr(t, "val")
				}
			case "t":
				inText = true
			case "tab", "ptab":
				if inRun {
					cur = append(cur, run{text: " "})
				}
			case "noBreakHyphen":
				cur = append(cur, run{text: "-"})
			case "softHyphen":
				// In a TCVN3 font the byte 0xAD is "ư", which Windows-1252 reads as a soft hyphen:
				// a document saved from such text (by LibreOffice, say) writes every "ư" so. Kept
				// as the character, for the font's conversion; anywhere else it is invisible.
				if inRun && vnenc.FontEncoding(font()).Encoding == vnenc.TCVN3 {
					cur = append(cur, p.doc.addRun(font(), "\u00AD"))
				}
			case "br", "cr":
				if attr(t, "type") == "page" {
					p.doc.breaks++
				}
				lines = append(lines, cur)
				cur = nil
			}
			depth++
		case xml.CharData:
			if inText && inRun {
				cur = append(cur, p.doc.addRun(font(), string(t)))
			}
		case xml.EndElement:
			if depth == 0 {
				lines = append(lines, cur)
				return append([]block{{lines: lines}}, extra...), nil
			}
			depth--
			if !isW(t.Name) {
				continue
			}
			switch t.Name.Local {
			case "pPr":
				inPPr = false
			case "r":
				inRun = false
			case "rPr":
				inRPr = false
			case "t":
				inText = false
			}
		}
	}
}
