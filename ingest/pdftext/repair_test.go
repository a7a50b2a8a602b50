package pdftext_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/ingest/pdftext"
)

// appendXrefStreamUpdate adds an incremental update to pdf: the objects
// given (number → body), indexed by a cross-reference stream whose /Prev
// is the file's last cross-reference section, whatever its kind.
func appendXrefStreamUpdate(pdf []byte, objs map[int]string, trailer string) []byte {
	prev := lastStartxref(pdf)
	var b bytes.Buffer
	b.Write(pdf)
	offs := map[int]int{}
	maxNum := 0
	for n := range objs {
		maxNum = max(maxNum, n)
	}
	for n := 1; n <= maxNum; n++ {
		if body, ok := objs[n]; ok {
			offs[n] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
		}
	}
	xnum := max(maxNum+1, 100) // beyond the objects of the file
	var data bytes.Buffer
	var index []string
	for n := 1; n <= maxNum; n++ {
		if off, ok := offs[n]; ok {
			var e [7]byte
			e[0] = 1
			binary.BigEndian.PutUint32(e[1:5], uint32(off))
			data.Write(e[:])
			index = append(index, fmt.Sprintf("%d 1", n))
		}
	}
	xoff := b.Len()
	var e [7]byte
	e[0] = 1
	binary.BigEndian.PutUint32(e[1:5], uint32(xoff))
	data.Write(e[:])
	index = append(index, fmt.Sprintf("%d 1", xnum))
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%s] /Size %d /Prev %d %s /Length %d >>\nstream\n",
		xnum, strings.Join(index, " "), xnum+1, prev, trailer, data.Len())
	b.Write(data.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xoff)
	return b.Bytes()
}

var startxrefNum = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

func lastStartxref(pdf []byte) int {
	m := startxrefNum.FindSubmatch(pdf)
	if m == nil {
		panic("no startxref")
	}
	var n int
	fmt.Sscan(string(m[1]), &n)
	return n
}

func extractText(t *testing.T, pdf []byte) string {
	t.Helper()
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return res.Text
}

// TestRepair: files whose way to their objects is damaged are read the way
// viewers read them, by scanning for the objects.
func TestRepair(t *testing.T) {
	tests := []struct {
		name string
		pdf  func() []byte
		want string
	}{
		{"an update indexed by a cross-reference stream over a classic table", func() []byte {
			d := simpleDoc(1, "Before")
			b := d.finish()
			// The update replaces the page's content.
			return appendXrefStreamUpdate(b, map[int]string{d.kids[0] - 1: stream("", show("(After the update)"))}, "/Root 1 0 R")
		}, "After the update"},
		{"the catalog numbered beyond the trailer's /Size", func() []byte {
			d := &doc{}
			d.add("") // 1: page tree, the catalog comes last
			f := d.simple("Type1", "/WinAnsiEncoding", "")
			c := d.add(stream("", show("(Root beyond Size)")))
			p := d.add(fmt.Sprintf("<< /Type /Page /Parent 1 0 R /Resources %s /Contents %d 0 R >>", fontRes(f), c))
			d.set(1, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", p))
			root := d.add("<< /Type /Catalog /Pages 1 0 R >>")
			b := d.bytes()
			b = bytes.Replace(b, []byte("/Root 1 0 R"), []byte(fmt.Sprintf("/Root %d 0 R", root)), 1)
			return bytes.Replace(b, []byte(fmt.Sprintf("/Size %d", root+1)), []byte("/Size 3"), 1)
		}, "Root beyond Size"},
		{"every offset wrong (junk inserted after the header)", func() []byte {
			b := simpleDoc(1, "Shifted").finish()
			i := bytes.IndexByte(b, '\n') + 1
			return append(append(append([]byte{}, b[:i]...), bytes.Repeat([]byte("% junk line\n"), 40)...), b[i:]...)
		}, "Shifted"},
		{"no cross-reference table and no trailer", func() []byte {
			b := simpleDoc(1, "No table").finish()
			return b[:bytes.Index(b, []byte("xref"))]
		}, "No table"},
		{"startxref pointing into the middle of an object", func() []byte {
			b := simpleDoc(1, "Lost start").finish()
			return startxrefNum.ReplaceAll(b, []byte("startxref\n20\n%%EOF\n"))
		}, "Lost start"},
		{"the first 16 KiB zeroed: catalog and page tree lost", func() []byte {
			d := newDoc()
			d.add(flateStream("/Type /Metadata", bytes.Repeat([]byte("filler "), 1)) + strings.Repeat(" ", 17<<10))
			f := d.simple("Type1", "/WinAnsiEncoding", "")
			d.page(fontRes(f), show("(Past the damage)"))
			b := d.finish()
			copy(b, make([]byte, 16<<10))
			return b
		}, "Past the damage"},
		{"an object stream found by the scan", func() []byte {
			// Objects 1–4 inside object stream 5; no usable xref.
			var hdr, body bytes.Buffer
			objs := []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>",
				"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
			}
			for i, o := range objs {
				fmt.Fprintf(&hdr, "%d %d ", i+1, body.Len())
				body.WriteString(o + "\n")
			}
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(hdr.Bytes())
			w.Write(body.Bytes())
			w.Close()
			content := show("(Packed objects)")
			return []byte(fmt.Sprintf("%%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 4 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\n"+
				"6 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\nstartxref\n0\n%%%%EOF\n",
				hdr.Len(), z.Len(), z.String(), len(content), content))
		}, "Packed objects"},
		{"an object redefined later in the file wins", func() []byte {
			d := simpleDoc(1, "Old")
			b := d.finish()
			b = b[:bytes.Index(b, []byte("xref"))]
			return append(b, []byte(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", d.kids[0]-1, stream("", show("(New)"))))...)
		}, "New"},
		{"a wrong /Length", func() []byte {
			b := simpleDoc(1, "Length wrong").finish()
			return bytes.Replace(b, []byte("/Length 46"), []byte("/Length 460"), 1)
		}, "Length wrong"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := extractText(t, tc.pdf()); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
