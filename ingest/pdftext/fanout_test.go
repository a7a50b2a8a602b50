package pdftext_test

import (
	"fmt"
	"strings"
)

// fanOut is a small PDF whose Form XObjects each draw the next one `width`
// times, `depth` levels deep, the innermost running leaf: width^depth forms
// drawn, from a few kilobytes.
func fanOut(width, depth int, leaf string) []byte {
	d := newDoc()
	f := d.simple("Type1", "/WinAnsiEncoding", "")
	next := d.add(form(fontRes(f), leaf))
	for level := 1; level < depth; level++ {
		draws := strings.Repeat("q 1 0 0 1 1 0 cm /X Do Q ", width)
		next = d.add(form(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << /X %d 0 R >> >>", f, next), draws))
	}
	d.page(fmt.Sprintf("<< /Font << /F1 %d 0 R >> /XObject << /X %d 0 R >> >>", f, next),
		strings.Repeat("/X Do ", width)+show("(Page)"))
	return d.finish()
}
