// Package docfixture writes small word-processing documents for tests, by hand, as Word and
// LibreOffice lay them out: DOCX (WordprocessingML) and ODT (OpenDocument) with paragraphs, tables,
// headers, footers, text boxes and footnotes, in any font — legacy Vietnamese fonts included, whose
// runs are stored as those programs store them (the Windows-1252 reading of the legacy bytes).
package docfixture

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
	"unicode"

	"tinnhiem/ingest/vnenc"
)

// Doc is a document.
type Doc struct {
	Font   string // the document's default font (styles), "Times New Roman" when empty
	Header []Para
	Footer []Para
	Body   []Block
	// Footnotes are attached to the first paragraph of the body.
	Footnotes []Para
}

// Block is a paragraph, a table or a text box.
type Block struct {
	Para    *Para
	Table   [][][]Para // rows of cells of paragraphs
	TextBox []Para     // drawn in a frame anchored to an empty paragraph
}

// Para is a paragraph of runs; a Run with Break ends a line inside it.
type Para struct {
	Runs []Run
}

// Run is text in one font ("" the paragraph's default).
type Run struct {
	Text  string
	Font  string
	Bold  bool
	Break bool // a line break after the text
}

// P is a paragraph in the default font; lines separated by "\n" become line breaks.
func P(text string) Para { return PF("", text) }

// PF is a paragraph set in one font.
func PF(font, text string) Para {
	var p Para
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		p.Runs = append(p.Runs, Run{Text: l, Font: font, Break: i < len(lines)-1})
	}
	return p
}

// Paras makes one paragraph block per line of text, in one font.
func Paras(font, text string) []Block {
	var out []Block
	for _, l := range strings.Split(text, "\n") {
		p := PF(font, l)
		out = append(out, Block{Para: &p})
	}
	return out
}

// stored is a run's text as the application stores it: Unicode, or for a legacy font the
// Windows-1252 reading of its bytes — in the capitals font (".VnTimeH") when the run is all
// capitals, as typists did.
func stored(r Run, def string) (font, text string, err error) {
	if r.Font == "" {
		r.Font = def
	}
	f := vnenc.FontEncoding(r.Font)
	if f.Encoding == vnenc.None {
		return r.Font, r.Text, nil
	}
	font = r.Font
	if f.Encoding == vnenc.TCVN3 && !f.Upper && allCaps(r.Text) {
		font, f.Upper = r.Font+"H", true
	}
	b, err := vnenc.Encode(f, r.Text)
	if err != nil {
		return "", "", fmt.Errorf("docfixture: run %q in %s: %w", r.Text, r.Font, err)
	}
	var s strings.Builder
	for _, c := range b {
		s.WriteRune(cp1252(c))
	}
	return font, s.String(), nil
}

func allCaps(s string) bool {
	has := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		has = has || unicode.IsUpper(r)
	}
	return has
}

var cp1252High = []rune("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ")

func cp1252(b byte) rune {
	if b >= 0x80 && b < 0xA0 {
		return cp1252High[b-0x80]
	}
	return rune(b)
}

func esc(s string) string { return html.EscapeString(s) }

// DOCX writes the document as Word does (the parts a reader needs).
func (d Doc) DOCX() ([]byte, error) {
	font := d.Font
	if font == "" {
		font = "Times New Roman"
	}
	var body strings.Builder
	for i, b := range d.Body {
		if err := docxBlock(&body, b, i == 0 && len(d.Footnotes) > 0, font); err != nil {
			return nil, err
		}
	}
	body.WriteString(`<w:sectPr><w:headerReference w:type="default" r:id="rIdH"/><w:footerReference w:type="default" r:id="rIdF"/></w:sectPr>`)
	hdr, err := docxParas(d.Header, font)
	if err != nil {
		return nil, err
	}
	ftr, err := docxParas(d.Footer, font)
	if err != nil {
		return nil, err
	}
	notes, err := docxParas(d.Footnotes, font)
	if err != nil {
		return nil, err
	}
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"`
	parts := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdN" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>`},
		{"word/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles ` + ns + `><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="` + esc(font) + `" w:hAnsi="` + esc(font) + `" w:cs="` + esc(font) + `"/><w:sz w:val="28"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + ns + `><w:body>` + body.String() + `</w:body></w:document>`},
		{"word/header1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr ` + ns + `>` + hdr + `</w:hdr>`},
		{"word/footer1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr ` + ns + `>` + ftr + `</w:ftr>`},
		{"word/footnotes.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes ` + ns + `><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1">` + notes + `</w:footnote></w:footnotes>`},
		{"docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Pages>1</Pages></Properties>`},
	}
	return zipParts(parts)
}

func zipParts(parts []struct{ name, data string }) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		method := zip.Deflate
		if p.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.data)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func docxParas(ps []Para, def string) (string, error) {
	var b strings.Builder
	for _, p := range ps {
		if err := docxPara(&b, p, false, def); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func docxBlock(b *strings.Builder, bl Block, note bool, def string) error {
	switch {
	case bl.Para != nil:
		return docxPara(b, *bl.Para, note, def)
	case bl.Table != nil:
		b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
		for _, row := range bl.Table {
			b.WriteString(`<w:tr>`)
			for _, cell := range row {
				b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="4500" w:type="dxa"/></w:tcPr>`)
				if len(cell) == 0 {
					b.WriteString(`<w:p/>`)
				}
				for _, p := range cell {
					if err := docxPara(b, p, false, def); err != nil {
						return err
					}
				}
				b.WriteString(`</w:tc>`)
			}
			b.WriteString(`</w:tr>`)
		}
		b.WriteString(`</w:tbl>`)
	case bl.TextBox != nil:
		inner, err := docxParas(bl.TextBox, def)
		if err != nil {
			return err
		}
		// Word writes a text box twice: the DrawingML shape, and a VML fallback for old readers.
		b.WriteString(`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:extent cx="2000000" cy="800000"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx><w:txbxContent>` +
			inner + `</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>` +
			inner + `</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`)
	}
	return nil
}

func docxPara(b *strings.Builder, p Para, note bool, def string) error {
	b.WriteString(`<w:p><w:pPr><w:jc w:val="both"/><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr></w:pPr>`)
	for _, r := range p.Runs {
		font, text, err := stored(r, def)
		if err != nil {
			return err
		}
		b.WriteString(`<w:r><w:rPr>`)
		if font != "" && font != def {
			fmt.Fprintf(b, `<w:rFonts w:ascii="%s" w:hAnsi="%s"/>`, esc(font), esc(font))
		}
		if r.Bold {
			b.WriteString(`<w:b/>`)
		}
		fmt.Fprintf(b, `</w:rPr><w:t xml:space="preserve">%s</w:t>`, esc(text))
		if r.Break {
			b.WriteString(`<w:br/>`)
		}
		b.WriteString(`</w:r>`)
	}
	if note {
		b.WriteString(`<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>`)
	}
	b.WriteString(`</w:p>`)
	return nil
}

// ODT writes the document as LibreOffice does (the parts a reader needs): fonts declared as
// font faces and given to automatic text styles, headers and footers in the master page.
func (d Doc) ODT() ([]byte, error) {
	font := d.Font
	if font == "" {
		font = "Times New Roman"
	}
	o := &odtWriter{faces: map[string]string{}, styles: map[string]string{}, def: font}
	o.face(font)
	var body strings.Builder
	for i, b := range d.Body {
		if err := o.block(&body, b, i == 0 && len(d.Footnotes) > 0, d.Footnotes); err != nil {
			return nil, err
		}
	}
	var hdr, ftr strings.Builder
	for _, p := range d.Header {
		if err := o.para(&hdr, p, nil); err != nil {
			return nil, err
		}
	}
	for _, p := range d.Footer {
		if err := o.para(&ftr, p, nil); err != nil {
			return nil, err
		}
	}
	const ns = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"`
	var faces, autos strings.Builder
	for _, name := range slices.Sorted(maps.Keys(o.faces)) {
		fam := o.faces[name]
		fmt.Fprintf(&faces, `<style:font-face style:name="%s" svg:font-family="&apos;%s&apos;"/>`, esc(name), esc(fam))
	}
	for _, name := range slices.Sorted(maps.Keys(o.styles)) {
		face := o.styles[name]
		fmt.Fprintf(&autos, `<style:style style:name="%s" style:family="text"><style:text-properties style:font-name="%s"/></style:style>`, name, esc(face))
	}
	parts := []struct{ name, data string }{
		{"mimetype", "application/vnd.oasis.opendocument.text"},
		{"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		{"content.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ` + ns + `><office:font-face-decls>` + faces.String() + `</office:font-face-decls><office:automatic-styles>` + autos.String() + `</office:automatic-styles><office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>` + body.String() + `</office:text></office:body></office:document-content>`},
		{"styles.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ` + ns + `><office:font-face-decls>` + faces.String() + `</office:font-face-decls><office:styles><style:default-style style:family="paragraph"><style:text-properties style:font-name="` + esc(o.faceName(font)) + `" fo:font-size="14pt"/></style:default-style><style:style style:name="Standard" style:family="paragraph"/></office:styles><office:master-styles><style:master-page style:name="Standard"><style:header>` + hdr.String() + `</style:header><style:footer>` + ftr.String() + `</style:footer></style:master-page></office:master-styles></office:document-styles>`},
		{"meta.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta ` + ns + `><office:meta><meta:generator>LibreOffice</meta:generator><meta:document-statistic meta:page-count="1"/></office:meta></office:document-meta>`},
	}
	return zipParts(parts)
}

type odtWriter struct {
	def    string            // the default font
	faces  map[string]string // face name → family
	styles map[string]string // text style name → face name
}

func (o *odtWriter) faceName(family string) string {
	return strings.NewReplacer(" ", "_", ".", "_").Replace(family)
}

func (o *odtWriter) face(family string) string {
	n := o.faceName(family)
	o.faces[n] = family
	return n
}

func (o *odtWriter) textStyle(family string) string {
	face := o.face(family)
	name := "T_" + face
	o.styles[name] = face
	return name
}

func (o *odtWriter) block(b *strings.Builder, bl Block, note bool, notes []Para) error {
	switch {
	case bl.Para != nil:
		if note {
			return o.para(b, *bl.Para, notes)
		}
		return o.para(b, *bl.Para, nil)
	case bl.Table != nil:
		b.WriteString(`<table:table table:name="Bang1"><table:table-column table:number-columns-repeated="` + fmt.Sprint(maxCells(bl.Table)) + `"/>`)
		for _, row := range bl.Table {
			b.WriteString(`<table:table-row>`)
			for _, cell := range row {
				b.WriteString(`<table:table-cell office:value-type="string">`)
				for _, p := range cell {
					if err := o.para(b, p, nil); err != nil {
						return err
					}
				}
				b.WriteString(`</table:table-cell>`)
			}
			b.WriteString(`</table:table-row>`)
		}
		b.WriteString(`</table:table>`)
	case bl.TextBox != nil:
		b.WriteString(`<text:p><draw:frame draw:name="Khung1" text:anchor-type="paragraph" svg:width="6cm"><draw:text-box>`)
		for _, p := range bl.TextBox {
			if err := o.para(b, p, nil); err != nil {
				return err
			}
		}
		b.WriteString(`</draw:text-box></draw:frame></text:p>`)
	}
	return nil
}

func maxCells(rows [][][]Para) int {
	n := 1
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

func (o *odtWriter) para(b *strings.Builder, p Para, notes []Para) error {
	b.WriteString(`<text:p text:style-name="Standard">`)
	for _, r := range p.Runs {
		font, text, err := stored(r, o.def)
		if err != nil {
			return err
		}
		if font != "" && font != o.def {
			fmt.Fprintf(b, `<text:span text:style-name="%s">%s</text:span>`, o.textStyle(font), odtText(text))
		} else {
			b.WriteString(odtText(text))
		}
		if r.Break {
			b.WriteString(`<text:line-break/>`)
		}
	}
	if len(notes) > 0 {
		b.WriteString(`<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>`)
		for _, n := range notes {
			if err := o.para(b, n, nil); err != nil {
				return err
			}
		}
		b.WriteString(`</text:note-body></text:note>`)
	}
	b.WriteString(`</text:p>`)
	return nil
}

// odtText escapes text and writes runs of spaces as text:s, as OpenDocument requires.
func odtText(s string) string {
	var b strings.Builder
	spaces := 0
	flush := func() {
		if spaces > 0 {
			b.WriteByte(' ')
			if spaces > 1 {
				fmt.Fprintf(&b, `<text:s text:c="%d"/>`, spaces-1)
			}
			spaces = 0
		}
	}
	for _, r := range s {
		if r == ' ' {
			spaces++
			continue
		}
		flush()
		b.WriteString(esc(string(r)))
	}
	flush()
	return b.String()
}
