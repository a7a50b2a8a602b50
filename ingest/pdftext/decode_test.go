package pdftext_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"tinnhiem/ingest/pdftext"
)

// utf16hex writes s as a content-stream hex string of two-byte codes equal to
// the UTF-16 units (what gofpdf writes with its identity CMap).
func utf16hex(s string) string {
	return hexUTF16(s)
}

// type0 adds a Type0 font with the given /Encoding and ToUnicode program
// (empty: none) and returns its object number. Glyphs are 500 units wide.
func (d *doc) type0(encoding, cmap string) int {
	tu := ""
	if cmap != "" {
		tu = fmt.Sprintf("/ToUnicode %d 0 R", d.add(stream("", cmap)))
	}
	return d.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /TestCID /Encoding %s "+
		"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCID "+
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>] %s >>", encoding, tu))
}

func (d *doc) simple(subtype, encoding, cmap string) int {
	tu := ""
	if cmap != "" {
		tu = fmt.Sprintf("/ToUnicode %d 0 R", d.add(stream("", cmap)))
	}
	enc := ""
	if encoding != "" {
		enc = "/Encoding " + encoding
	}
	return d.add(fmt.Sprintf("<< /Type /Font /Subtype /%s /BaseFont /Helvetica %s %s >>", subtype, enc, tu))
}

func fontRes(n int) string { return fmt.Sprintf("<< /Font << /F1 %d 0 R >> >>", n) }

const identityUCS = "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange"

func onePage(font func(d *doc) int, content string) []byte {
	d := newDoc()
	f := font(d)
	d.page(fontRes(f), content)
	return d.finish()
}

func show(s string) string { return "BT /F1 12 Tf 72 700 Td " + s + " Tj ET" }

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		pdf  []byte
		want string
	}{
		{
			name: "identity bfrange <0000> <FFFF> <0000> as gofpdf writes it",
			pdf: onePage(func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) },
				show(utf16hex("Ảnh hưởng đến Ủy ban Thường vụ"))),
			want: "Ảnh hưởng đến Ủy ban Thường vụ",
		},
		{
			name: "one-byte codespace with bfchar",
			pdf: onePage(func(d *doc) int {
				return d.simple("TrueType", "", toUnicode("1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"+
					"5 beginbfchar\n<01> <0054>\n<02> <0072>\n<03> <1EA7>\n<04> <006E>\n<05> <0020>\nendbfchar"))
			}, show("<0102030405010203>")),
			want: "Trần Trầ",
		},
		{
			name: "two-byte codespace with bfchar",
			pdf: onePage(func(d *doc) int {
				return d.type0("/Identity-H", toUnicode("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
					"4 beginbfchar\n<0102> <01AF>\n<0103> <1EDD>\n<0104> <006E>\n<0105> <0067>\nendbfchar"))
			}, show("<0102010301040105>")),
			want: "Ường",
		},
		{
			name: "mixed one- and two-byte codespace",
			pdf: onePage(func(d *doc) int {
				enc := d.add(stream("/Type /CMap /CMapName /Mixed /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>",
					"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"+
						"2 begincodespacerange\n<00> <7F>\n<8000> <FFFF>\nendcodespacerange\n"+
						"2 begincidrange\n<00> <7F> 0\n<8000> <FFFF> 128\nendcidrange\nendcmap end end"))
				return d.type0(fmt.Sprintf("%d 0 R", enc), toUnicode("2 begincodespacerange\n<00> <7F>\n<8000> <FFFF>\nendcodespacerange\n"+
					"1 beginbfrange\n<20> <7E> <0020>\nendbfrange\n2 beginbfchar\n<8001> <1EA0>\n<8002> <01B0>\nendbfchar"))
			}, show("<41800142800243>")),
			want: "AẠBưC",
		},
		{
			name: "bfrange start value carries across bytes",
			pdf: onePage(func(d *doc) int {
				return d.type0("/Identity-H", toUnicode("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
					"1 beginbfrange\n<00FF> <0102> <1EA0>\nendbfrange"))
			}, show("<00FF010001010102>")),
			want: "ẠạẢả",
		},
		{
			name: "bfrange with an array of destinations",
			pdf: onePage(func(d *doc) int {
				return d.type0("/Identity-H", toUnicode("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
					"1 beginbfrange\n<0010> <0013> [<0110> <0111> <01B0> <00660069>]\nendbfrange"))
			}, show("<0010001100120013>")),
			want: "Đđưfi",
		},
		{
			name: "multi-rune targets and ligature code points",
			pdf: onePage(func(d *doc) int {
				return d.type0("/Identity-H", toUnicode("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
					"5 beginbfchar\n<0003> <00660069>\n<0004> <FB01>\n<0005> <006E>\n<0006> <0068>\n<0007> <0020>\nendbfchar"))
			}, show("<00030005000600070004>")),
			want: "finh fi",
		},
		{
			name: "WinAnsiEncoding",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				show(`(Caf\351 \223ok\224 \226 \200 \377)`)),
			want: "Café “ok” – € ÿ",
		},
		{
			name: "MacRomanEncoding",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/MacRomanEncoding", "") },
				show(`(Caf\216 \322x\323 \207)`)),
			want: "Café “x” á",
		},
		{
			name: "Differences with Vietnamese glyph names, uniXXXX and uXXXX",
			pdf: onePage(func(d *doc) int {
				return d.simple("Type1", "<< /BaseEncoding /WinAnsiEncoding /Differences [1 /Acircumflexdotbelow /ohornhookabove /dcroat /uni1EE9 /u1EF1 /f_i /a.sc /Uhorntilde /Ecircumflexhookabove /Ohorn /abreveacute /uni00410301] >>", "")
			}, show(`(\001\002\003\004\005\006\007\010\011\012\013\014 AB)`)),
			want: "ẬởđứựfiaỮỂƠắÁ AB",
		},
		{
			name: "TJ kerning: large negative adjustment is a space, small is not",
			pdf: onePage(func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) },
				"BT /F1 12 Tf 72 700 Td ["+utf16hex("Tr")+" -30 "+utf16hex("ần")+" -300 "+utf16hex("Qu")+" -20 "+utf16hex("ốc")+" -1200 "+utf16hex("Hùng")+"] TJ ET"),
			want: "Trần Quốc Hùng",
		},
		{
			name: "line breaks from Td, TD, T*, ', \" and Tm; Td along the line is a space",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 14 TL 72 700 Td (One) Tj T* (Two) Tj (Three) ' 1 0 (Four) \" 0 -20 TD (Five) Tj 0 -20 Td (Six) Tj 40 0 Td (seven) Tj 1 0 0 1 72 500 Tm (Eight) Tj ET"),
			want: "One\nTwo\nThree\nFour\nFive\nSix seven\nEight",
		},
		{
			name: "glyphs drawn out of order on one baseline are ordered by position",
			pdf: onePage(func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) },
				"BT /F1 12 Tf 72 700 Td "+utf16hex("Tr")+" Tj 18 0 Td "+utf16hex("n")+" Tj ET BT /F1 12 Tf 84 700 Td "+utf16hex("ầ")+" Tj ET"),
			want: "Trần",
		},
		{
			name: "combining marks drawn as separate glyphs are composed (NFC)",
			pdf: onePage(func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) },
				show("<0061030100650302030000200055031B0309>")),
			want: "áề Ử",
		},
		{
			name: "rotated text",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 0 1 -1 0 300 100 Tm (Rotated text) Tj ET"),
			want: "Rotated text",
		},
		{
			name: "ActualText replaces the glyphs it covers",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 72 700 Td (Ch) Tj /Span << /ActualText (\\376\\377\\036\\351) >> BDC (xx) Tj EMC (c) Tj ET"),
			want: "Chức",
		},
		{
			name: "inline image data is skipped",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"q BI /W 4 /H 1 /CS /G /BPC 8 ID \x00EI\xff\x01 EI Q "+show("(After the image)")),
			want: "After the image",
		},
		{
			name: "Type3 font with FontMatrix and Differences",
			pdf: onePage(func(d *doc) int {
				return d.add("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 100 100] /FontMatrix [0.01 0 0 0.01 0 0] " +
					"/CharProcs << >> /Encoding << /Type /Encoding /Differences [65 /Odotbelow /ocircumflexgrave] >> /FirstChar 65 /LastChar 66 /Widths [50 50] >>")
			}, show("(AB)")),
			want: "Ọồ",
		},
		{
			name: "Type 3 glyphs named by their code (a72 at 72)",
			pdf: onePage(func(d *doc) int {
				return d.add("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 100 100] /FontMatrix [0.01 0 0 0.01 0 0] " +
					"/CharProcs << >> /Encoding << /Type /Encoding /Differences [72 /a72 105 /a105 192 /a192] >> /FirstChar 72 /LastChar 192 >>")
			}, show("(Hi\300)")),
			want: "HiÀ",
		},
		{
			name: "the Symbol font's own encoding, and names of the full glyph list",
			pdf: func() []byte {
				d := newDoc()
				sym := d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>")
				cyr := d.simple("Type1", "<< /Differences [65 /afii10017 /Omegatonos /uni1EA0 /zerooldstyle /Asmall] >>", "")
				c := d.add(stream("", "BT /F1 12 Tf 72 700 Td (abp) Tj ET BT /F2 12 Tf 72 600 Td (ABCDE) Tj ET"))
				d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>", sym, cyr, c)))
				return d.finish()
			}(),
			want: "αβπ\nАΏẠ0a",
		},
		{
			name: "ToUnicode /Identity-H: the codes are UTF-16",
			pdf: onePage(func(d *doc) int {
				return d.add("<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /ToUnicode /Identity-H " +
					"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>] >>")
			}, show(utf16hex("Výbava"))),
			want: "Výbava",
		},
		{
			name: "spacing accents drawn over their letters (TeX) are composed",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 72 700 Td (caf) Tj ET BT /F1 12 Tf 90.2 700 Td (\264) Tj ET BT /F1 12 Tf 89.3 700 Td (e) Tj ET"),
			want: "café",
		},
		{
			name: "negative font size: the words read the right way",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 -12 Tf 300 700 Td (Mirror) Tj ET"),
			want: "Mirror",
		},
		{
			name: "text outside the crop box is not on the page",
			pdf: func() []byte {
				d := newDoc()
				f := d.simple("Type1", "/WinAnsiEncoding", "")
				c := d.add(stream("", show("(Visible)")+" BT /F1 12 Tf 2072 700 Td (Overlay) Tj ET BT /F1 12 Tf 72 100 Td (Cropped) Tj ET"))
				d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [0 400 595 842] /Resources %s /Contents %d 0 R >>", fontRes(f), c)))
				return d.finish()
			}(),
			want: "Visible",
		},
		{
			name: "a font set by an extended graphics state (gs with /Font)",
			pdf: func() []byte {
				d := newDoc()
				f := d.simple("Type1", "/WinAnsiEncoding", "")
				c := d.add(stream("", "BT /GS1 gs 72 700 Td (Set by gs) Tj ET"))
				d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources << /ExtGState << /GS1 << /Font [%d 0 R 12] >> >> >> /Contents %d 0 R >>", f, c)))
				return d.finish()
			}(),
			want: "Set by gs",
		},
		{
			name: "text of size zero draws nothing",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 72 700 Td (Seen) Tj /F1 0 Tf (unseen) Tj ET"),
			want: "Seen",
		},
		{
			name: "invisible text (render mode 3, a scan's OCR layer) is read",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT 3 Tr /F1 12 Tf 72 700 Td (Hidden layer) Tj ET"),
			want: "Hidden layer",
		},
		{
			name: "a font the resources lack draws nothing",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT /F1 12 Tf 72 700 Td (Shown) Tj /F9 12 Tf 0 -20 Td (\x01\x02 lost) Tj ET"),
			want: "Shown",
		},
		{
			name: "no font selected: WinAnsi fallback",
			pdf: onePage(func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") },
				"BT 72 700 Td (Plain) Tj ET"),
			want: "Plain",
		},
		{
			name: "content as an array of streams split mid-object",
			pdf: func() []byte {
				d := newDoc()
				f := d.simple("Type1", "/WinAnsiEncoding", "")
				c1 := d.add(stream("", "BT /F1 12 Tf 72 700 Td (Split"))
				c2 := d.add(stream("", " content) Tj ET"))
				n := d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents [%d 0 R %d 0 R] >>", fontRes(f), c1, c2))
				d.kids = append(d.kids, n)
				return d.finish()
			}(),
			want: "Split content",
		},
		{
			name: "resources inherited from the page tree",
			pdf: func() []byte {
				d := newDoc()
				f := d.simple("Type1", "/WinAnsiEncoding", "")
				c := d.add(stream("", show("(Inherited)")))
				n := d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", c))
				d.finish()
				d.set(2, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 /Resources %s >>", n, fontRes(f)))
				return d.bytes()
			}(),
			want: "Inherited",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pdftext.Extract(bytes.NewReader(tc.pdf), int64(len(tc.pdf)), pdftext.Limits{})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if res.Text != tc.want {
				t.Errorf("text\n got %q\nwant %q", res.Text, tc.want)
			}
		})
	}
}

// Two pages both name their font /F1, but it is a different font on each:
// the second page must not reuse the first page's decoding.
func TestFontNamesArePerPage(t *testing.T) {
	d := newDoc()
	f1 := d.simple("Type1", "/WinAnsiEncoding", "")
	f2 := d.simple("Type1", "<< /Differences [65 /Dcroat 66 /uhornhookabove] >>", "")
	d.page(fontRes(f1), show("(AB)"))
	d.page(fontRes(f2), show("(AB)"))
	pdf := d.finish()
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"AB", "Đử"}; strings.Join(res.PageTexts, "|") != strings.Join(want, "|") {
		t.Errorf("pages %q, want %q", res.PageTexts, want)
	}
	if res.Text != "AB"+pdftext.PageSeparator+"Đử" || res.Pages != 2 {
		t.Errorf("text %q pages %d", res.Text, res.Pages)
	}
}

func formDoc(forms func(d *doc, font int) string) []byte {
	d := newDoc()
	f := d.simple("Type1", "/WinAnsiEncoding", "")
	xobj := forms(d, f)
	d.page(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << %s >> >>", f, xobj),
		"q 1 0 0 1 50 700 cm /Fm1 Do Q BT /F1 12 Tf 50 100 Td (Page text) Tj ET")
	return d.finish()
}

func form(res, content string) string {
	return stream("/Type /XObject /Subtype /Form /BBox [0 0 500 800] /Resources "+res, content)
}

func TestFormXObjects(t *testing.T) {
	tests := []struct {
		name  string
		pdf   []byte
		limit int
		want  string
	}{
		{
			name: "text inside a form, with its own resources",
			pdf: formDoc(func(d *doc, f int) string {
				n := d.add(form(fontRes(f), "BT /F1 12 Tf 0 0 Td (Inside the form) Tj ET"))
				return fmt.Sprintf("/Fm1 %d 0 R", n)
			}),
			want: "Inside the form\nPage text",
		},
		{
			name: "nested forms and a form matrix",
			pdf: formDoc(func(d *doc, f int) string {
				inner := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 500 800] /Matrix [1 0 0 1 0 -20]",
					"BT /F1 12 Tf 0 0 Td (Nested form) Tj ET"))
				outer := d.add(form(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << /Fm2 %d 0 R >> >>", f, inner),
					"BT /F1 12 Tf 0 0 Td (Outer form) Tj ET /Fm2 Do"))
				return fmt.Sprintf("/Fm1 %d 0 R", outer)
			}),
			want: "Outer form\nNested form\nPage text",
		},
		{
			name: "a form that draws itself is run once",
			pdf: formDoc(func(d *doc, f int) string {
				n := d.add("")
				d.set(n, form(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << /Fm1 %d 0 R >> >>", f, n),
					"BT /F1 12 Tf 0 0 Td (Loop) Tj ET 1 0 0 1 0 -20 cm /Fm1 Do"))
				return fmt.Sprintf("/Fm1 %d 0 R", n)
			}),
			want: "Loop\nPage text",
		},
		{
			name:  "nesting deeper than MaxFormDepth is cut",
			limit: 3,
			pdf: formDoc(func(d *doc, f int) string {
				next := 0
				for i := 6; i >= 1; i-- {
					xo := ""
					if next != 0 {
						xo = fmt.Sprintf("/XObject << /Fm1 %d 0 R >>", next)
					}
					next = d.add(form(fmt.Sprintf("<< /Font << /F1 %d 0 R >> %s >>", f, xo),
						fmt.Sprintf("BT /F1 12 Tf 0 0 Td (Level %d) Tj ET 1 0 0 1 0 -20 cm /Fm1 Do", i)))
				}
				return fmt.Sprintf("/Fm1 %d 0 R", next)
			}),
			want: "Level 1\nLevel 2\nLevel 3\nPage text",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pdftext.Extract(bytes.NewReader(tc.pdf), int64(len(tc.pdf)), pdftext.Limits{MaxFormDepth: tc.limit})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if res.Text != tc.want {
				t.Errorf("text\n got %q\nwant %q", res.Text, tc.want)
			}
		})
	}
}

// Filled-in form fields and typed comments carry their text in appearance
// streams; hidden annotations and links do not count.
func TestAnnotations(t *testing.T) {
	d := newDoc()
	f := d.type0("/Identity-H", toUnicode(identityUCS))
	ap := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20]",
		"/Tx BMC BT /F1 10 Tf 2 5 Td "+utf16hex("Trần Quốc Hùng")+" Tj ET EMC"))
	free := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Matrix [1 0 0 1 0 0]",
		"BT /F1 10 Tf 2 5 Td "+utf16hex("Ghi chú của Ban Tổ chức")+" Tj ET"))
	hidden := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20]", "BT /F1 10 Tf 2 5 Td "+utf16hex("ẩn")+" Tj ET"))
	annots := fmt.Sprintf("[<< /Type /Annot /Subtype /Widget /FT /Tx /Rect [100 600 300 620] /AP << /N %d 0 R >> >> "+
		"<< /Type /Annot /Subtype /FreeText /Rect [100 500 300 520] /AP << /N %d 0 R >> >> "+
		"<< /Type /Annot /Subtype /Widget /F 2 /Rect [100 400 300 420] /AP << /N %d 0 R >> >> "+
		"<< /Type /Annot /Subtype /Widget /FT /Tx /Rect [100 300 300 320] /V (Binh Son) >> "+
		"<< /Type /Annot /Subtype /FreeText /Rect [100 200 300 220] /Contents <FEFF0110006100200067006800690020006300680075> >> "+
		"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] >>]", ap, free, hidden)
	c := d.add(stream("", show(utf16hex("Họ và tên:"))))
	d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents %d 0 R /Annots %s >>", fontRes(f), c, annots)))
	d.finish()
	d.set(1, fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /DR << /Font << /F1 %d 0 R >> >> >> >>", f))
	pdf := d.bytes()
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Họ và tên:\nTrần Quốc Hùng\nGhi chú của Ban Tổ chức\nBinh Son\nĐa ghi chu"; res.Text != want {
		t.Errorf("got %q, want %q", res.Text, want)
	}
}

// A filled-in text field whose appearance draws nothing (LibreOffice writes
// empty ones), or whose form asks viewers to draw fields from their values
// (NeedAppearances), reads as its value, once; the parent field's type and
// value count for its widget.
func TestFieldValuesOverAppearances(t *testing.T) {
	for _, need := range []bool{false, true} {
		d := newDoc()
		f := d.type0("/Identity-H", toUnicode(identityUCS))
		empty := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20]", "/Tx BMC EMC"))
		stale := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20]",
			"/Tx BMC BT /F1 10 Tf 2 5 Td "+utf16hex("Nguyễn Văn A")+" Tj ET EMC"))
		parent := d.add(fmt.Sprintf("<< /FT /Tx /T (Chuc vu) /V <FEFF%s> >>", strings.Trim(hexUTF16("PCT UBND huyện"), "<>")))
		annots := fmt.Sprintf("[<< /Type /Annot /Subtype /Widget /FT /Tx /Rect [100 600 300 620] /V <FEFF"+strings.Trim(hexUTF16("Trần Thị Bính"), "<>")+"> /AP << /N %d 0 R >> >> "+
			"<< /Type /Annot /Subtype /Widget /FT /Tx /Rect [100 500 300 520] /V (Le Van B) /AP << /N %d 0 R >> >> "+
			"<< /Type /Annot /Subtype /Widget /Parent %d 0 R /Rect [100 400 300 420] /AP << /N %d 0 R >> >> "+
			"<< /Type /Annot /Subtype /Widget /FT /Btn /Rect [100 300 120 320] /V /Off /AP << /N %d 0 R >> >>]", empty, stale, parent, empty, empty)
		c := d.add(stream("", show(utf16hex("Họ và tên:"))))
		d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents %d 0 R /Annots %s >>", fontRes(f), c, annots)))
		d.finish()
		d.set(1, fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /NeedAppearances %t /DR << /Font << /F1 %d 0 R >> >> >> >>", need, f))
		pdf := d.bytes()
		res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		second := "Nguyễn Văn A" // the appearance, drawn
		if need {
			second = "Le Van B" // the value, as viewers redraw it
		}
		if want := "Họ và tên:\nTrần Thị Bính\n" + second + "\nPCT UBND huyện"; res.Text != want {
			t.Errorf("NeedAppearances %t: got %q, want %q", need, res.Text, want)
		}
	}
}

// Without its ToUnicode map, a gofpdf font's text comes back from the
// embedded TrueType program's cmap table through /CIDToGIDMap.
func TestEmbeddedTrueTypeWithoutToUnicode(t *testing.T) {
	src := fixture(t, "gofpdf-de-nghi-giai-trinh.pdf")
	// Same length, so that the cross-reference offsets stay right.
	stripped := bytes.ReplaceAll(src, []byte("/ToUnicode"), []byte("/ToUnicodX"))
	if bytes.Equal(stripped, src) {
		t.Fatal("fixture has no ToUnicode")
	}
	want, err := pdftext.Extract(bytes.NewReader(src), int64(len(src)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pdftext.Extract(bytes.NewReader(stripped), int64(len(stripped)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != want.Text {
		t.Errorf("got %q\nwant %q", got.Text, want.Text)
	}
}

func TestLayoutDetails(t *testing.T) {
	identity := func(d *doc) int { return d.type0("/Identity-H", toUnicode(identityUCS)) }
	tests := []struct {
		name string
		pdf  []byte
		want string
	}{
		{
			name: "fake bold: the same text drawn twice, shifted a little",
			pdf:  onePage(identity, "BT /F1 12 Tf 72 700 Td "+utf16hex("Đậm")+" Tj ET BT /F1 12 Tf 72.3 700 Td "+utf16hex("Đậm")+" Tj ET"),
			want: "Đậm",
		},
		{
			name: "doubled letters are kept, even condensed",
			pdf:  onePage(identity, "BT /F1 12 Tf 40 Tz 72 700 Td "+utf16hex("Hoo ll")+" Tj ET"),
			want: "Hoo ll",
		},
		{
			name: "vertical writing (Identity-V) reads top to bottom",
			pdf: onePage(func(d *doc) int { return d.type0("/Identity-V", toUnicode(identityUCS)) },
				"BT /F1 12 Tf 300 700 Td "+utf16hex("Dọc")+" Tj ET"),
			want: "Dọc",
		},
		{
			name: "superscript (text rise) stays on its line",
			pdf:  onePage(identity, "BT /F1 12 Tf 72 700 Td "+utf16hex("120 m")+" Tj 4 Ts "+utf16hex("2")+" Tj 0 Ts "+utf16hex(" đất")+" Tj ET"),
			want: "120 m2 đất",
		},
		{
			name: "two lines drawn 5 pt apart in a 12 pt font do not interleave",
			pdf:  onePage(identity, "BT /F1 12 Tf 72 700 Td "+utf16hex("Số tiền")+" Tj ET BT /F1 12 Tf 74 695 Td "+utf16hex("đã nộp")+" Tj ET"),
			want: "Số tiền\nđã nộp",
		},
		{
			name: "a tight word space (TJ -150 in a font whose space is 250) is a space",
			pdf: onePage(func(d *doc) int {
				return d.simple("Type1", "/WinAnsiEncoding /FirstChar 32 /LastChar 122 /Widths [250 "+strings.Repeat("500 ", 90)+"]", "")
			}, "BT /F1 12 Tf 72 700 Td [(Ban) -150 (Chap) -20 (hanh)] TJ ET"),
			want: "Ban Chaphanh",
		},
		{
			name: "text drawn bottom-up keeps stream order of lines",
			pdf:  onePage(identity, "BT /F1 12 Tf 72 500 Td "+utf16hex("Một")+" Tj 0 100 Td "+utf16hex("Hai")+" Tj ET"),
			want: "Một\nHai",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pdftext.Extract(bytes.NewReader(tc.pdf), int64(len(tc.pdf)), pdftext.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tc.want {
				t.Errorf("got %q, want %q", res.Text, tc.want)
			}
		})
	}
}

// An embedded Type 1 font without /Encoding uses the encoding vector in its
// own program, as TeX and Ghostscript subsets do.
func TestType1BuiltinEncoding(t *testing.T) {
	prog := "%!PS-AdobeFont-1.0: TestViet 001.000\n/FontName /TestViet def\n/Encoding 256 array\n" +
		"0 1 255 {1 index exch /.notdef put} for\ndup 65 /Ohornacute put\ndup 66 /dcroat put\ndup 32 /space put\n" +
		"dup 67 /uhorntilde put\nreadonly def\ncurrentfile eexec\n"
	pdf := onePage(func(d *doc) int {
		ff := d.add(stream(fmt.Sprintf("/Length1 %d /Length2 0 /Length3 0", len(prog)), prog))
		fd := d.add(fmt.Sprintf("<< /Type /FontDescriptor /FontName /TestViet /Flags 4 /FontFile %d 0 R >>", ff))
		return d.add(fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /TestViet /FontDescriptor %d 0 R /Encoding << /Differences [68 /Ecircumflexacute] >> >>", fd))
	}, show("(AB CD)"))
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Ớđ ữẾ" {
		t.Errorf("got %q", res.Text)
	}
}

// One broken part of a page's content array costs only that part's text.
func TestBrokenContentPart(t *testing.T) {
	d := newDoc()
	f := d.simple("Type1", "/WinAnsiEncoding", "")
	c1 := d.add(stream("", show("(First part)")))
	c2 := d.add("<< /Filter /LZWDecode /Length 4 >>\nstream\n\x80\x0b\x60\x50\nendstream")
	c3 := d.add("<< /Filter /FlateDecode /Length 6 >>\nstream\nxx\x00\x01\x02\x03\nendstream")
	c4 := d.add(stream("", "BT /F1 12 Tf 72 600 Td (Last part) Tj ET"))
	d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents [%d 0 R %d 0 R %d 0 R %d 0 R] >>", fontRes(f), c1, c2, c3, c4)))
	pdf := d.finish()
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "First part\nLast part" {
		t.Errorf("got %q", res.Text)
	}
}

// TestUndecodable: glyphs whose codes decode to nothing are counted; a page
// where they are most of the glyphs makes the file undecodable_text (with
// the text that could be read), never a silent success.
func TestUndecodable(t *testing.T) {
	// A font whose glyph names say nothing: codes 65–90 named /g1…/g26.
	var names []string
	for i := 1; i <= 26; i++ {
		names = append(names, fmt.Sprintf("/glyf%d", i))
	}
	opaque := func(d *doc) int {
		return d.simple("Type1", "<< /Differences [65 "+strings.Join(names, " ")+"] >>", "")
	}
	d := newDoc()
	good := d.simple("Type1", "/WinAnsiEncoding", "")
	bad := opaque(d)
	res := fmt.Sprintf("<< /Font << /F1 %d 0 R /F2 %d 0 R >> >>", good, bad)
	d.page(res, show("(Readable page one)"))
	d.page(res, "BT /F1 12 Tf 72 700 Td (Title) Tj /F2 12 Tf 0 -20 Td (ABCDEFGHIJKLMNOPQRSTUVWXYZ) Tj ET")
	d.page(res, "BT /F1 12 Tf 72 700 Td (Mostly readable text on this page) Tj /F2 12 Tf 0 -20 Td (ABCD) Tj ET")
	pdf := d.finish()
	got, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if pdftext.Code(err) != pdftext.CodeUndecodableText {
		t.Fatalf("err %v, want undecodable_text", err)
	}
	if got.Pages != 3 || got.Undecoded != 30 || len(got.UndecodablePages) != 1 || got.UndecodablePages[0] != 2 {
		t.Errorf("pages %d, undecoded %d of %d, undecodable pages %v", got.Pages, got.Undecoded, got.Glyphs, got.UndecodablePages)
	}
	if got.PageTexts[0] != "Readable page one" || got.PageTexts[1] != "Title" {
		t.Errorf("the readable text is kept: %q", got.PageTexts)
	}
	// Only a few such glyphs: read, and counted.
	d = newDoc()
	good = d.simple("Type1", "/WinAnsiEncoding", "")
	bad = opaque(d)
	d.page(fmt.Sprintf("<< /Font << /F1 %d 0 R /F2 %d 0 R >> >>", good, bad),
		"BT /F1 12 Tf 72 700 Td (Mostly readable text) Tj /F2 12 Tf 0 -20 Td (AB) Tj ET")
	pdf = d.finish()
	got, err = pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil || got.Undecoded != 2 || got.Glyphs != 22 || got.Text != "Mostly readable text" {
		t.Errorf("err %v, undecoded %d of %d, text %q", err, got.Undecoded, got.Glyphs, got.Text)
	}
}

// TestColumns: two columns drawn line by line across the page are read
// column by column; a table of labels and values keeps its rows.
func TestColumns(t *testing.T) {
	font := func(d *doc) int { return d.simple("Type1", "/WinAnsiEncoding", "") }
	var content strings.Builder
	var left, right []string
	for i := 0; i < 8; i++ {
		l := fmt.Sprintf("left column line %d of the text", i+1)
		r := fmt.Sprintf("right column line %d goes on here", i+1)
		left, right = append(left, l), append(right, r)
		// Helvetica without /Widths: 6 pt a glyph at 12 pt, so each side
		// is about 200 pt wide; the gutter runs from 290 to 320.
		fmt.Fprintf(&content, "BT /F1 12 Tf 72 %d Td (%s) Tj 248 0 Td (%s) Tj ET\n", 700-14*i, l, r)
	}
	got := extractText(t, onePage(font, content.String()))
	if want := strings.Join(append(left, right...), "\n"); got != want {
		t.Errorf("columns:\n got %q\nwant %q", got, want)
	}

	content.Reset()
	var rows []string
	for i, kv := range [][2]string{{"Ho va ten:", "Tran Quoc Hung"}, {"Nam sinh:", "1970"}, {"Chuc vu:", "Bi thu Tinh uy"},
		{"Noi o:", "so 12 duong Ly Thuong Kiet"}, {"Que quan:", "Binh Son"}, {"Dan toc:", "Kinh"}} {
		fmt.Fprintf(&content, "BT /F1 12 Tf 72 %d Td (%s) Tj 150 0 Td (%s) Tj ET\n", 700-14*i, kv[0], kv[1])
		rows = append(rows, kv[0]+" "+kv[1])
	}
	if got, want := extractText(t, onePage(font, content.String())), strings.Join(rows, "\n"); got != want {
		t.Errorf("table:\n got %q\nwant %q", got, want)
	}
}
