package pdftext

import (
	"fmt"
)

// A page to extract: its dictionary and what it inherits from the tree.
type page struct {
	v   value
	res value
	box [4]float64 // CropBox (else MediaBox), in default user space
	// hasBox is false when neither box is readable: nothing is clipped.
	hasBox bool
}

const maxTreeDepth = 64

// inherited are the attributes a page takes from its ancestors.
type inherited struct {
	res               value
	mediaBox, cropBox [4]float64
	hasMedia, hasCrop bool
}

// pageList walks the page tree from the root, top-down, so that inherited
// attributes come from the real ancestors. Pages are counted as found, not
// taken from /Count, which damaged files get wrong either way; the walk stops
// one page past the limit. A node met again is skipped. When
// the tree yields no page (missing, or lost to damage), the pages are the
// objects of type /Page, in file order, as viewers repair it.
func (ex *extractor) pageList(f *file, root value) ([]page, error) {
	var pages []page
	visits := 0
	visited := map[int]bool{}
	var walk func(node value, inh inherited, depth int) error
	walk = func(node value, inh inherited, depth int) error {
		if err := ex.tick(); err != nil {
			return err
		}
		visits++
		if visits > 10*ex.lim.MaxPages+1000 {
			return reject(CodeTooComplex, "pdftext: extract: page tree has too many nodes")
		}
		if depth > maxTreeDepth {
			return reject(CodeCorrupt, "pdftext: extract: page tree deeper than %d", maxTreeDepth)
		}
		if node.id != 0 {
			// A node met again (a loop in /Kids, or a page listed twice)
			// is read once, as viewers do.
			if visited[node.id] {
				ex.treeLoop = true
				return nil
			}
			visited[node.id] = true
		}
		inh = inherit(node, inh)
		kids := node.Key("Kids")
		typ := node.Key("Type").Name()
		if typ == "Pages" || (typ != "Page" && kids.Kind() == objArray) {
			for i := 0; i < kids.Len(); i++ {
				kid := kids.Index(i)
				if kid.Kind() != objDict {
					continue
				}
				if err := walk(kid, inh, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if err := checkParents(node); err != nil {
			return err
		}
		pages = append(pages, newPage(node, inh))
		if len(pages) > ex.lim.MaxPages {
			return reject(CodeTooManyPages, "pdftext: extract: more than %d pages", ex.lim.MaxPages)
		}
		return nil
	}
	if tree := root.Key("Pages"); tree.Kind() == objDict {
		if err := walk(tree, inherited{}, 0); err != nil {
			return nil, err
		}
	}
	if len(pages) > 0 {
		return pages, nil
	}
	var err error
	f.scannedObjects(func(num int, o object) bool {
		if o.kind != objDict {
			return true
		}
		if t := o.dict["Type"]; t.kind != objName || t.str != "Page" {
			return true
		}
		node := f.val(object{kind: objRef, num: float64(num)})
		// Inherited attributes still come from the parents that survive.
		var chain []value
		for p, d := node.Key("Parent"), 0; p.Kind() == objDict && d < maxTreeDepth; p, d = p.Key("Parent"), d+1 {
			chain = append(chain, p)
		}
		inh := inherited{}
		for i := len(chain) - 1; i >= 0; i-- {
			inh = inherit(chain[i], inh)
		}
		pages = append(pages, newPage(node, inherit(node, inh)))
		if len(pages) > ex.lim.MaxPages {
			err = reject(CodeTooManyPages, "pdftext: extract: more than %d pages", ex.lim.MaxPages)
			return false
		}
		return true
	})
	return pages, err
}

func inherit(node value, inh inherited) inherited {
	if r := node.Key("Resources"); r.Kind() == objDict {
		inh.res = r
	}
	if b, ok := node.Key("MediaBox").rect(); ok {
		inh.mediaBox, inh.hasMedia = b, true
	}
	if b, ok := node.Key("CropBox").rect(); ok {
		inh.cropBox, inh.hasCrop = b, true
	}
	return inh
}

func newPage(node value, inh inherited) page {
	p := page{v: node, res: inh.res}
	switch {
	case inh.hasCrop && inh.hasMedia:
		// The crop box is clipped to the media box.
		c, m := inh.cropBox, inh.mediaBox
		p.box = [4]float64{max(c[0], m[0]), max(c[1], m[1]), min(c[2], m[2]), min(c[3], m[3])}
		p.hasBox = p.box[0] < p.box[2] && p.box[1] < p.box[3]
		if !p.hasBox {
			p.box, p.hasBox = m, true
		}
	case inh.hasCrop:
		p.box, p.hasBox = inh.cropBox, true
	case inh.hasMedia:
		p.box, p.hasBox = inh.mediaBox, true
	}
	// A box of no area (damaged files) would clip everything away.
	if p.hasBox && (p.box[2]-p.box[0] < 1 || p.box[3]-p.box[1] < 1) {
		p.hasBox = false
	}
	return p
}

// checkParents follows a page's /Parent chain. The walk above does not need
// it, but a cycle there means a damaged file that other readers loop on.
func checkParents(node value) error {
	seen := map[int]bool{}
	for v, depth := node.Key("Parent"), 0; v.Kind() == objDict; v, depth = v.Key("Parent"), depth+1 {
		if depth > maxTreeDepth || (v.id != 0 && (seen[v.id] || v.id == node.id)) {
			return reject(CodeCorrupt, "pdftext: extract: cycle in /Parent links")
		}
		seen[v.id] = true
	}
	return nil
}

// pageText runs one page's content and lays out its text. A panic on this
// page's objects is returned as a plain error, so the caller can go on
// with other pages.
func (ex *extractor) pageText(p page) (text string, st pageStats, err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(*Error); ok {
				err = e
				return
			}
			err = fmt.Errorf("pdftext: extract: page: %v", x)
		}
	}()
	in := newInterp(ex, p)
	if err := in.run(p.v.Key("Contents"), p.res, 0, nil); err != nil {
		return "", st, err
	}
	if err := in.annotations(p.v.Key("Annots")); err != nil {
		return "", st, err
	}
	return in.out.text(), in.stats, nil
}
