package pdftext_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"tinnhiem/ingest/pdftext"
)

// xrefStreamPDF writes objects (some inside an object stream) with a
// cross-reference stream, as PDF 1.5 producers do. entries gives, per object
// number from 1, either an offset ("n": type 1) or a place in an object
// stream ("s": type 2, stream number and index). size is written as /Size
// verbatim, so that it can be forged.
type xentry struct {
	inStream bool
	stream   int
	index    int
}

func xrefStreamPDF(objs map[int]string, inStream map[int]xentry, nobj int, size string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	for i := 1; i <= nobj; i++ {
		if o, ok := objs[i]; ok {
			offs[i] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i, o)
		}
	}
	xrefNum := nobj + 1
	var data bytes.Buffer
	for i := 0; i <= xrefNum; i++ {
		var e [7]byte
		switch {
		case i == 0:
			e = [7]byte{0, 0, 0, 0, 0, 0xFF, 0xFF}
		case i == xrefNum:
			e[0] = 1
			binary.BigEndian.PutUint32(e[1:5], uint32(b.Len()))
		default:
			if x, ok := inStream[i]; ok {
				e[0] = 2
				binary.BigEndian.PutUint32(e[1:5], uint32(x.stream))
				binary.BigEndian.PutUint16(e[5:7], uint16(x.index))
			} else if off, ok := offs[i]; ok {
				e[0] = 1
				binary.BigEndian.PutUint32(e[1:5], uint32(off))
			}
		}
		data.Write(e[:])
	}
	xrefOff := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %s /W [1 4 2] /Index [0 %d] /Root 1 0 R /Length %d >>\nstream\n",
		xrefNum, size, xrefNum+1, data.Len())
	b.Write(data.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefOff)
	return b.Bytes()
}

// forgedXrefSize declares four billion objects: the PDF library would
// allocate 160 GB for its table before reading a single entry.
func forgedXrefSize() []byte {
	return xrefStreamPDF(map[int]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [] /Count 0 >>",
	}, nil, 2, "4000000000")
}

func simpleDoc(pages int, text string) *doc {
	d := newDoc()
	f := d.simple("Type1", "/WinAnsiEncoding", "")
	c := d.add(stream("", show("("+text+")")))
	for i := 0; i < pages; i++ {
		d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents %d 0 R >>", fontRes(f), c)))
	}
	return d
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRejections(t *testing.T) {
	good := fixture(t, "gofpdf-bao-cao-tu-danh-gia.pdf")
	tests := []struct {
		name string
		pdf  []byte
		lim  pdftext.Limits
		code string
	}{
		{name: "empty", pdf: nil, code: pdftext.CodeEmpty},
		{name: "PNG named .pdf", pdf: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...), code: pdftext.CodeNotPDF},
		{name: "DOCX (zip) named .pdf", pdf: []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml" + strings.Repeat("x", 300)), code: pdftext.CodeNotPDF},
		{name: "plain text", pdf: []byte("Báo cáo tự đánh giá\n"), code: pdftext.CodeNotPDF},
		{name: "encrypted RC4 (qpdf)", pdf: fixture(t, "bad-encrypted-rc4.pdf"), code: pdftext.CodeEncrypted},
		{name: "encrypted AES-128 (qpdf)", pdf: fixture(t, "bad-encrypted-aes128.pdf"), code: pdftext.CodeEncrypted},
		{name: "encrypted AES-256 /V 5 /R 6 (qpdf)", pdf: fixture(t, "bad-encrypted-aes256.pdf"), code: pdftext.CodeEncrypted},
		{name: "encrypted RC4 dictionary (hand-made)", pdf: func() []byte {
			d := simpleDoc(1, "secret")
			enc := d.add("<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <" + strings.Repeat("4F", 32) + "> /U <" + strings.Repeat("55", 32) + "> >>")
			d.trailer = fmt.Sprintf("/Encrypt %d 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]", enc)
			return d.finish()
		}(), code: pdftext.CodeEncrypted},
		{name: "encrypted AES-256 dictionary (hand-made, inline)", pdf: func() []byte {
			d := simpleDoc(1, "secret")
			d.trailer = "/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /P -3904 /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF " +
				"/O <" + strings.Repeat("4F", 48) + "> /U <" + strings.Repeat("55", 48) + "> /OE <" + strings.Repeat("01", 32) + "> /UE <" + strings.Repeat("02", 32) + "> /Perms <" + strings.Repeat("03", 16) + "> >> " +
				"/ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]"
			return d.finish()
		}(), code: pdftext.CodeEncrypted},
		{name: "truncated at half", pdf: good[:len(good)/2], code: pdftext.CodeCorrupt},
		{name: "header only", pdf: []byte("%PDF-1.7\n"), code: pdftext.CodeCorrupt},
		{name: "garbage after a header", pdf: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("\x00\xff garbage ("), 500)...), code: pdftext.CodeCorrupt},
		// An incremental update cut short: the earlier revision must not pass for the file.
		{name: "unfinished update after %%EOF", pdf: pad(good, []byte("\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Length 4000 >>\nstream\nBT (")), code: pdftext.CodeCorrupt},
		{name: "unfinished update and padding after %%EOF", pdf: pad(good, append([]byte("\n7 0 obj\n<< /Length 4000 >>\nstream\nBT ("), bytes.Repeat([]byte{0}, 8000)...)), code: pdftext.CodeCorrupt},
		{name: "update cut inside its xref", pdf: pad(good, []byte("\nxref\n0 1\n0000000000 65535 f \ntrail")), code: pdftext.CodeCorrupt},
		{name: "startxref points nowhere", pdf: []byte("%PDF-1.4\n1 0 obj\n<< >>\nendobj\nstartxref\n99999\n%%EOF\n"), code: pdftext.CodeCorrupt},
		{name: "decompression bomb in one stream", pdf: func() []byte {
			d := newDoc()
			c := d.add(flateStream("", bytes.Repeat([]byte(" "), 8<<20)))
			d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", c)))
			return d.finish()
		}(), lim: pdftext.Limits{MaxDecompressed: 1 << 20}, code: pdftext.CodeTooComplex},
		{name: "decompressed total over the cap across pages", pdf: func() []byte {
			d := newDoc()
			c := d.add(flateStream("", append(bytes.Repeat([]byte("q Q "), 1<<18), show("(x)")...)))
			for i := 0; i < 20; i++ {
				d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", c)))
			}
			return d.finish()
		}(), lim: pdftext.Limits{MaxDecompressed: 8 << 20}, code: pdftext.CodeTooComplex},
		{name: "more pages than the default cap", pdf: simpleDoc(501, "page").finish(), code: pdftext.CodeTooManyPages},
		{name: "more pages than MaxPages", pdf: simpleDoc(6, "page").finish(), lim: pdftext.Limits{MaxPages: 5}, code: pdftext.CodeTooManyPages},
		{name: "more pages than /Count says", pdf: func() []byte {
			d := simpleDoc(6, "page")
			d.finish()
			var refs []string
			for _, k := range d.kids {
				refs = append(refs, fmt.Sprintf("%d 0 R", k))
			}
			d.set(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count 1 >>", strings.Join(refs, " ")))
			return d.bytes()
		}(), lim: pdftext.Limits{MaxPages: 5}, code: pdftext.CodeTooManyPages},
		{name: "cyclic /Kids", pdf: func() []byte {
			d := newDoc()
			n := d.add("")
			d.set(n, "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>")
			d.kids = append(d.kids, n)
			return d.finish()
		}(), code: pdftext.CodeCorrupt},
		{name: "a page tree listing itself, and a blank page", pdf: func() []byte {
			d := newDoc()
			d.kids = append(d.kids, 2, d.add("<< /Type /Page /Parent 2 0 R >>"))
			return d.finish()
		}(), code: pdftext.CodeCorrupt},
		{name: "cyclic /Parent", pdf: func() []byte {
			d := simpleDoc(1, "page")
			a := d.add("")
			b := d.add(fmt.Sprintf("<< /Type /Pages /Parent %d 0 R /Kids [] /Count 0 >>", a))
			d.set(a, fmt.Sprintf("<< /Type /Pages /Parent %d 0 R /Kids [] /Count 0 >>", b))
			d.finish()
			d.set(d.kids[0], strings.Replace(d.objs[d.kids[0]-1], "/Parent 2 0 R", fmt.Sprintf("/Parent %d 0 R", a), 1))
			return d.bytes()
		}(), code: pdftext.CodeCorrupt},
		{name: "page is its own parent", pdf: func() []byte {
			d := simpleDoc(1, "page")
			d.finish()
			d.set(d.kids[0], strings.Replace(d.objs[d.kids[0]-1], "/Parent 2 0 R", fmt.Sprintf("/Parent %d 0 R", d.kids[0]), 1))
			return d.bytes()
		}(), code: pdftext.CodeCorrupt},
		{name: "forged xref stream /Size", pdf: forgedXrefSize(), code: pdftext.CodeCorrupt},
		{name: "forged xref subsection start", pdf: []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n4000000000 1\n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n42\n%%EOF\n"), code: pdftext.CodeCorrupt},
		{name: "time cap", pdf: func() []byte {
			d := newDoc()
			d.page("<< >>", strings.Repeat("q Q ", 200000)+show("(late)"))
			return d.finish()
		}(), lim: pdftext.Limits{Timeout: time.Nanosecond}, code: pdftext.CodeTooComplex},
		// The work budget: what the interpreter does, not what the file holds.
		{name: "forms fanning out eight-fold, eight deep (3.5 KB)", pdf: fanOut(8, 8, show("(leaf)")), code: pdftext.CodeTooComplex},
		{name: "forms fanning out, drawing nothing", pdf: fanOut(16, 6, ""), code: pdftext.CodeTooComplex},
		{name: "forms drawn more than MaxXObjects times", pdf: fanOut(10, 3, show("(x)")), lim: pdftext.Limits{MaxXObjects: 100}, code: pdftext.CodeTooComplex},
		{name: "operators beyond MaxOperators", pdf: fanOut(10, 2, strings.Repeat("q Q ", 100)), lim: pdftext.Limits{MaxOperators: 1500}, code: pdftext.CodeTooComplex},
		{name: "glyphs beyond MaxGlyphs", pdf: fanOut(10, 2, show("(abcdefghij)")), lim: pdftext.Limits{MaxGlyphs: 99}, code: pdftext.CodeTooComplex},
		{name: "scan: only an image", pdf: func() []byte {
			d := newDoc()
			img := d.add(stream("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", "\x00\xff\xff\x00"))
			d.page(fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> >>", img), "q 595 0 0 842 0 0 cm /Im1 Do Q")
			return d.finish()
		}(), code: pdftext.CodeNoTextLayer},
		{name: "pages without content", pdf: func() []byte {
			d := newDoc()
			d.kids = append(d.kids, d.add("<< /Type /Page /Parent 2 0 R >>"), d.add("<< /Type /Page /Parent 2 0 R >>"))
			return d.finish()
		}(), code: pdftext.CodeNoTextLayer},
		{name: "only an unsupported filter", pdf: func() []byte {
			d := newDoc()
			c := d.add("<< /Filter /XYZDecode /Length 4 >>\nstream\n\x80\x0b\x60\x50\nendstream")
			d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", c)))
			return d.finish()
		}(), code: pdftext.CodeCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pdftext.Extract(bytes.NewReader(tc.pdf), int64(len(tc.pdf)), tc.lim)
			if got := pdftext.Code(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if pdftext.Message(tc.code) == "" {
				t.Errorf("no message for %q", tc.code)
			}
			if tc.code == pdftext.CodeNoTextLayer && res.Pages == 0 {
				t.Errorf("no_text_layer without the page count")
			}
		})
	}
}

// Files viewers open although they bend the rules: leading junk before the
// header, a PDF 2.0 header, junk after %%EOF.
func TestTolerated(t *testing.T) {
	good := fixture(t, "lo-de-nghi-giai-trinh.pdf")
	want, _ := extractFile(t, "testdata/lo-de-nghi-giai-trinh.pdf", pdftext.Limits{})
	pdf20 := bytes.Replace(simpleDoc(1, "PDF two").finish(), []byte("%PDF-1.7"), []byte("%PDF-2.0"), 1)
	tests := []struct {
		name string
		pdf  []byte
		want string
	}{
		{"junk before the header", append([]byte("Content-Type: application/pdf\r\n\r\n"), good...), want.Text},
		{"junk after %%EOF", append(append([]byte{}, good...), bytes.Repeat([]byte("\x00"), 600)...), want.Text},
		// Padding by mail gateways and scanners, longer than the library looks back.
		{"5000 NULs after %%EOF", pad(good, bytes.Repeat([]byte{0}, 5000)), want.Text},
		{"100 KB of blanks after %%EOF", pad(good, bytes.Repeat([]byte(" \r\n"), 100<<10/3)), want.Text},
		{"comment lines after %%EOF", pad(good, bytes.Repeat([]byte("% padding added by the scanner\n"), 300)), want.Text},
		{"comment lines that say %%EOF", pad(good, bytes.Repeat([]byte("%%EOF\n"), 2000)), want.Text},
		{"a mail footer after %%EOF", pad(good, []byte(strings.Repeat("-- \r\nThư này đã được quét virus bởi cổng thư của cơ quan.\r\n", 100))), want.Text},
		{"padding across the 64 KiB search chunks", pad(good, append([]byte("\n%%EO"), bytes.Repeat([]byte{0}, 64<<10-3)...)), want.Text},
		{"PDF 2.0 header", pdf20, "PDF two"},
		// Damage viewers repair: the objects are all there, the way to
		// them is not.
		{"1100 bytes of junk before the header", append(bytes.Repeat([]byte{' '}, 1100), good...), want.Text},
		{"the header zeroed", append(make([]byte, 16), good[16:]...), want.Text},
		{"cut inside the cross-reference table", good[:len(good)-200], want.Text},
		{"cut before the trailer, then padding", pad(good[:len(good)-40], bytes.Repeat([]byte{0}, 6000)), want.Text},
		{"a page tree listing itself among its pages", func() []byte {
			d := simpleDoc(1, "Pages loop")
			d.kids = append(d.kids, 2)
			return d.finish()
		}(), "Pages loop"},
		// A form that cannot be read is skipped like an image; the page's
		// own text stays.
		{"a form with an unknown filter", func() []byte {
			d := newDoc()
			f := d.simple("Type1", "/WinAnsiEncoding", "")
			form := d.add("<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Filter /XXXDecode /Length 8 >>\nstream\nXj#(fGI~\nendstream")
			d.page(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << /Fm1 %d 0 R >> >>", f, form), show("(Before the form)")+" /Fm1 Do BT /F1 12 Tf 72 680 Td (after it) Tj ET")
			return d.finish()
		}(), "Before the form\nafter it"},
		{"xref /Prev loop", func() []byte {
			b := simpleDoc(1, "page").finish()
			i := bytes.LastIndex(b, []byte("startxref\n"))
			var off int
			fmt.Sscan(string(b[i+len("startxref\n"):]), &off)
			return bytes.Replace(b, []byte("/Root 1 0 R"), []byte(fmt.Sprintf("/Root 1 0 R /Prev %d", off)), 1)
		}(), "page"},
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

// pad returns a copy of pdf with junk appended.
func pad(pdf, junk []byte) []byte {
	return append(append([]byte{}, pdf...), junk...)
}

func TestMessages(t *testing.T) {
	for _, c := range []string{pdftext.CodeEmpty, pdftext.CodeNotPDF, pdftext.CodeEncrypted, pdftext.CodeCorrupt,
		pdftext.CodeTooComplex, pdftext.CodeTooManyPages, pdftext.CodeNoTextLayer, pdftext.CodeUndecodableText} {
		m := pdftext.Message(c)
		if m == "" || !strings.HasSuffix(m, ".") {
			t.Errorf("%s: %q", c, m)
		}
	}
	if pdftext.Message("not_pdf") != "Tệp không phải PDF." {
		t.Errorf("not_pdf: %q", pdftext.Message("not_pdf"))
	}
	err := fmt.Errorf("ingest: extract x.pdf: %w", &pdftext.Error{Code: pdftext.CodeCorrupt})
	if pdftext.Code(err) != pdftext.CodeCorrupt || pdftext.Code(fmt.Errorf("plain")) != "" {
		t.Error("Code does not see through wrapping")
	}
}
