package office

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// odfNS reports an element of one OpenDocument namespace ("text", "table", "style", "draw"…).
func odfNS(n xml.Name, ns string) bool {
	return strings.HasPrefix(n.Space, "urn:oasis:names:tc:opendocument:xmlns:") &&
		strings.HasSuffix(n.Space, ":"+ns+":1.0")
}

func odfAttr(se xml.StartElement, ns, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && (ns == "" || strings.HasSuffix(a.Name.Space, ":"+ns+":1.0") ||
			strings.HasSuffix(a.Name.Space, ns)) {
			return a.Value
		}
	}
	return ""
}

// odtStyles resolve a style name to the font family its text is set in.
type odtStyles struct {
	faces   map[string]string // font-face name → family
	styles  map[string]odtStyle
	defPara string // font of the default paragraph style
}

type odtStyle struct{ parent, font string }

func newODTStyles() *odtStyles {
	return &odtStyles{faces: map[string]string{}, styles: map[string]odtStyle{}}
}

// read collects font faces and styles from a content.xml or styles.xml (or a flat document).
func (s *odtStyles) read(b []byte) {
	d := xmlDecoder(b)
	cur, inStyle, inDefault := "", false, false
	var st odtStyle
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case odfNS(t.Name, "style") && t.Name.Local == "font-face":
				fam := strings.Trim(odfAttr(t, "svg-compatible", "font-family"), `'" `)
				if fam == "" {
					fam = odfAttr(t, "style", "name")
				}
				s.faces[odfAttr(t, "style", "name")] = fam
			case odfNS(t.Name, "style") && t.Name.Local == "style":
				cur, inStyle = odfAttr(t, "style", "name"), true
				st = odtStyle{parent: odfAttr(t, "style", "parent-style-name")}
			case odfNS(t.Name, "style") && t.Name.Local == "default-style":
				inDefault = odfAttr(t, "style", "family") == "paragraph"
			case odfNS(t.Name, "style") && t.Name.Local == "text-properties":
				f := odfAttr(t, "style", "font-name")
				if f == "" {
					f = strings.Trim(odfAttr(t, "fo", "font-family"), `'" `)
				}
				switch {
				case inStyle && f != "":
					st.font = f
				case inDefault && f != "":
					s.defPara = f
				}
			}
		case xml.EndElement:
			switch {
			case odfNS(t.Name, "style") && t.Name.Local == "style":
				if cur != "" {
					s.styles[cur] = st
				}
				cur, inStyle = "", false
			case odfNS(t.Name, "style") && t.Name.Local == "default-style":
				inDefault = false
			}
		}
	}
}

// font returns the family of a style's text, following parents; "" when none says.
func (s *odtStyles) font(name string) string {
	for range 20 {
		st, ok := s.styles[name]
		if !ok {
			return ""
		}
		if st.font != "" {
			if fam, ok := s.faces[st.font]; ok {
				return fam
			}
			return st.font
		}
		name = st.parent
	}
	return ""
}

func (s *odtStyles) defaultFont() string {
	if fam, ok := s.faces[s.defPara]; ok {
		return fam
	}
	return s.defPara
}

var rePageCount = regexp.MustCompile(`page-count="(\d{1,6})"`)

func readODT(a *archive) (*document, error) {
	if man, err := a.read("META-INF/manifest.xml", false); err != nil {
		return nil, err
	} else if strings.Contains(string(man), "encryption-data") {
		return nil, refuse(CodeEncrypted, "encrypted OpenDocument")
	}
	content, err := a.read("content.xml", true)
	if err != nil {
		return nil, err
	}
	stylesXML, err := a.read("styles.xml", false)
	if err != nil {
		return nil, err
	}
	meta, err := a.read("meta.xml", false)
	if err != nil {
		return nil, err
	}
	return readODF(content, stylesXML, meta)
}

// readFlatODT reads a flat OpenDocument (.fodt): styles, master pages and body in one file.
func readFlatODT(b []byte, lim Limits) (*document, error) {
	return readODF(b, b, b)
}

func readODF(content, stylesXML, meta []byte) (*document, error) {
	st := newODTStyles()
	if stylesXML != nil {
		st.read(stylesXML)
	}
	st.read(content)
	doc := &document{format: FormatODT}
	p := &odtParser{doc: doc, st: st}
	if stylesXML != nil {
		h, f, err := p.masterPages(stylesXML)
		if err != nil {
			return nil, err
		}
		doc.headers, doc.footers = h, f
	}
	body, err := p.body(content)
	if err != nil {
		return nil, err
	}
	doc.body = body
	if m := rePageCount.FindSubmatch(meta); m != nil {
		doc.pages, _ = strconv.Atoi(string(m[1]))
	}
	return doc, nil
}

type odtParser struct {
	d     *xml.Decoder
	doc   *document
	st    *odtStyles
	depth int
}

func (p *odtParser) wrap(err error) error {
	var e *Error
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	if errors.As(err, &e) {
		return e
	}
	return refuse(CodeCorrupt, "xml: %v", err)
}

// masterPages reads the headers and footers of the master pages.
func (p *odtParser) masterPages(b []byte) (headers, footers []block, err error) {
	p.d = xmlDecoder(b)
	for {
		tok, err := p.d.Token()
		if err != nil {
			return headers, footers, p.wrap(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || !odfNS(se.Name, "style") {
			continue
		}
		switch se.Name.Local {
		case "header", "header-left", "header-first":
			bs, err := p.blocks()
			headers = append(headers, bs...)
			if err != nil {
				return headers, footers, p.wrap(err)
			}
		case "footer", "footer-left", "footer-first":
			bs, err := p.blocks()
			footers = append(footers, bs...)
			if err != nil {
				return headers, footers, p.wrap(err)
			}
		}
	}
}

// body reads office:text.
func (p *odtParser) body(b []byte) ([]block, error) {
	p.d = xmlDecoder(b)
	for {
		tok, err := p.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, refuse(CodeCorrupt, "no office:text in the document")
			}
			return nil, p.wrap(err)
		}
		if se, ok := tok.(xml.StartElement); ok && odfNS(se.Name, "office") && se.Name.Local == "text" {
			bs, err := p.blocks()
			return bs, p.wrap(err)
		}
	}
}

// skippedODF are elements whose text is not the document's: tracked deletions, comments,
// declarations, a note's number.
func skippedODF(n xml.Name) bool {
	switch {
	case odfNS(n, "text"):
		switch n.Local {
		case "tracked-changes", "note-citation", "sequence-decls", "variable-decls", "user-field-decls":
			return true
		}
	case odfNS(n, "office"):
		return n.Local == "annotation" || n.Local == "forms"
	case odfNS(n, "table"):
		return n.Local == "covered-table-cell"
	}
	return false
}

// blocks reads paragraphs, headings and tables up to the end of the current element.
func (p *odtParser) blocks() ([]block, error) {
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
			case skippedODF(t.Name):
				if err := skip(p.d); err != nil {
					return out, err
				}
			case odfNS(t.Name, "text") && (t.Name.Local == "p" || t.Name.Local == "h"):
				bs, err := p.paragraph(odfAttr(t, "text", "style-name"))
				out = append(out, bs...)
				if err != nil {
					return out, err
				}
			case odfNS(t.Name, "table") && t.Name.Local == "table":
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

func (p *odtParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return refuse(CodeTooComplex, "elements nested deeper than %d", maxDepth)
	}
	return nil
}

func (p *odtParser) table() (block, error) {
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
			case skippedODF(t.Name):
				if err := skip(p.d); err != nil {
					return b, err
				}
			case odfNS(t.Name, "table") && t.Name.Local == "table-row":
				b.rows = append(b.rows, nil)
				depth++
			case odfNS(t.Name, "table") && t.Name.Local == "table-cell":
				cell, err := p.blocks()
				if len(b.rows) == 0 {
					b.rows = append(b.rows, nil)
				}
				b.rows[len(b.rows)-1] = append(b.rows[len(b.rows)-1], cell)
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

// paragraph reads a text:p or text:h: its lines, then the text boxes drawn in it; its notes go to
// the document's notes.
func (p *odtParser) paragraph(style string) ([]block, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	base := p.st.font(style)
	if base == "" {
		base = p.st.defaultFont()
	}
	fonts := []string{base} // one per open span
	var lines []line
	var cur line
	var extra []block
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return append([]block{{lines: append(lines, cur)}}, extra...), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case skippedODF(t.Name):
				if err := skip(p.d); err != nil {
					return nil, err
				}
				continue
			case odfNS(t.Name, "draw") && t.Name.Local == "text-box",
				odfNS(t.Name, "text") && t.Name.Local == "note-body":
				bs, err := p.blocks()
				if t.Name.Local == "note-body" {
					p.doc.notes = append(p.doc.notes, bs...)
				} else {
					extra = append(extra, bs...)
				}
				if err != nil {
					return nil, err
				}
				continue
			case odfNS(t.Name, "text"):
				switch t.Name.Local {
				case "span":
					f := p.st.font(odfAttr(t, "text", "style-name"))
					if f == "" {
						f = fonts[len(fonts)-1]
					}
					fonts = append(fonts, f)
					depth++
					continue
				case "s":
					n, _ := strconv.Atoi(odfAttr(t, "text", "c"))
					cur = append(cur, run{text: strings.Repeat(" ", min(max(n, 1), 100))})
				case "tab":
					cur = append(cur, run{text: " "})
				case "line-break":
					lines = append(lines, cur)
					cur = nil
				case "soft-page-break":
				}
			}
			depth++
		case xml.CharData:
			cur = append(cur, p.doc.addRun(fonts[len(fonts)-1], string(t)))
		case xml.EndElement:
			if depth == 0 {
				lines = append(lines, cur)
				return append([]block{{lines: lines}}, extra...), nil
			}
			depth--
			if odfNS(t.Name, "text") && t.Name.Local == "span" && len(fonts) > 1 {
				fonts = fonts[:len(fonts)-1]
			}
		}
	}
}
