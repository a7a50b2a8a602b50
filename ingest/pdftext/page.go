package pdftext

import (
	"fmt"
	"regexp"

	"github.com/ledongthuc/pdf"
)

// A page to extract: its dictionary and the resources it inherits.
type page struct {
	v   pdf.Value
	res pdf.Value
}

const maxTreeDepth = 64

// pageList walks the page tree from the root, top-down, so that inherited
// resources come from the real ancestors. Pages are counted as found, not
// taken from /Count, which damaged files get wrong either way; the walk stops
// one page past the limit. Nodes are identified by their
// printed content (the library does not expose object numbers); a node
// that appears again on its own path is a cycle.
func (ex *extractor) pageList(r *pdf.Reader) ([]page, error) {
	root := r.Trailer().Key("Root").Key("Pages")
	if root.Kind() != pdf.Dict {
		return nil, reject(CodeCorrupt, "pdftext: extract: no page tree")
	}
	var pages []page
	visits := 0
	parents := map[string]bool{} // /Parent chains already checked
	var walk func(node, res pdf.Value, path []string) error
	walk = func(node, res pdf.Value, path []string) error {
		if err := ex.tick(); err != nil {
			return err
		}
		visits++
		if visits > 10*ex.lim.MaxPages+1000 {
			return reject(CodeTooComplex, "pdftext: extract: page tree has too many nodes")
		}
		if len(path) > maxTreeDepth {
			return reject(CodeCorrupt, "pdftext: extract: page tree deeper than %d", maxTreeDepth)
		}
		id := node.String()
		for _, p := range path {
			if p == id {
				return reject(CodeCorrupt, "pdftext: extract: cycle in the page tree")
			}
		}
		if r := node.Key("Resources"); r.Kind() == pdf.Dict {
			res = r
		}
		kids := node.Key("Kids")
		typ := node.Key("Type").Name()
		if typ == "Pages" || (typ != "Page" && kids.Kind() == pdf.Array) {
			path = append(path, id)
			for i := 0; i < kids.Len(); i++ {
				kid := kids.Index(i)
				if kid.Kind() != pdf.Dict {
					continue
				}
				if err := walk(kid, res, path); err != nil {
					return err
				}
			}
			return nil
		}
		if err := checkParents(node, parents); err != nil {
			return err
		}
		pages = append(pages, page{v: node, res: res})
		if len(pages) > ex.lim.MaxPages {
			return reject(CodeTooManyPages, "pdftext: extract: more than %d pages", ex.lim.MaxPages)
		}
		return nil
	}
	if err := walk(root, pdf.Value{}, nil); err != nil {
		return nil, err
	}
	return pages, nil
}

// parentRef finds the /Parent reference in a page's printed dictionary
// (the library prints references unresolved, as "12 0 R").
var parentRef = regexp.MustCompile(`/Parent (\d+ \d+ R)`)

// checkParents follows a page's /Parent chain. The walk above does not need
// it, but a cycle there means a damaged file that other readers loop on.
// Each distinct /Parent reference is followed once: siblings share theirs, and
// resolving it means parsing the parent's whole /Kids array again.
func checkParents(node pdf.Value, done map[string]bool) error {
	if m := parentRef.FindStringSubmatch(node.String()); m != nil {
		if done["ref "+m[1]] {
			return nil
		}
		done["ref "+m[1]] = true
	}
	seen := map[string]bool{}
	for v, depth := node.Key("Parent"), 0; v.Kind() == pdf.Dict; v, depth = v.Key("Parent"), depth+1 {
		id := v.String()
		if done[id] {
			break
		}
		if seen[id] || depth > maxTreeDepth {
			return reject(CodeCorrupt, "pdftext: extract: cycle in /Parent links")
		}
		seen[id] = true
	}
	for id := range seen {
		done[id] = true
	}
	return nil
}

// pageText runs one page's content and lays out its text. A panic from the
// library on this page's objects is returned as a plain error, so the caller
// can go on with other pages.
func (ex *extractor) pageText(p page) (text string, err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(*Error); ok {
				err = e
				return
			}
			err = fmt.Errorf("pdftext: extract: page: %v", x)
		}
	}()
	in := newInterp(ex)
	if err := in.run(p.v.Key("Contents"), p.res, 0, nil); err != nil {
		return "", err
	}
	if err := in.annotations(p.v.Key("Annots")); err != nil {
		return "", err
	}
	return in.out.text(), nil
}
