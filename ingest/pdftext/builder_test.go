package pdftext_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// pdfFile builds small PDFs by hand: objects are numbered from 1 in the
// order added, and the cross-reference table gets the real offsets.
type pdfFile struct {
	objs    []string
	trailer string // extra trailer entries
	header  string
}

// add appends an object and returns its number.
func (p *pdfFile) add(body string) int {
	p.objs = append(p.objs, body)
	return len(p.objs)
}

// set replaces object n (to make forward references).
func (p *pdfFile) set(n int, body string) { p.objs[n-1] = body }

func stream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func flateStream(dict string, data []byte) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data)
	w.Close()
	return fmt.Sprintf("<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", dict, b.Len(), b.String())
}

func (p *pdfFile) bytes() []byte {
	var b bytes.Buffer
	h := p.header
	if h == "" {
		h = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
	}
	b.WriteString(h)
	offs := make([]int, len(p.objs))
	for i, o := range p.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, p.trailer, xref)
	return b.Bytes()
}

// doc is a one-or-more-page document: object 1 the catalog, 2 the page tree.
type doc struct {
	pdfFile
	kids []int
}

func newDoc() *doc {
	d := &doc{}
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("") // page tree, written by finish
	return d
}

// page adds a page with the given resources dictionary and content.
func (d *doc) page(resources, content string) int {
	c := d.add(stream("", content))
	n := d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>", resources, c))
	d.kids = append(d.kids, n)
	return n
}

func (d *doc) finish() []byte {
	var refs []string
	for _, k := range d.kids {
		refs = append(refs, fmt.Sprintf("%d 0 R", k))
	}
	d.set(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(refs, " "), len(d.kids)))
	return d.bytes()
}

// hexUTF16 writes s as a ToUnicode destination.
func hexUTF16(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteByte('>')
	return b.String()
}

// toUnicode wraps CMap sections in a complete ToUnicode program.
func toUnicode(body string) string {
	return "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Test-UCS def\n/CMapType 2 def\n" + body +
		"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
}
