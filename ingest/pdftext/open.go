package pdftext

import (
	"bytes"
	"errors"
)

// headerWindow is how far into the file "%PDF-" may start; viewers accept
// leading junk (mail headers, BOMs) up to about this much.
const headerWindow = 1024

// open reads the structure of a PDF: header, cross-reference sections (or a
// repair scan), encryption, and the catalog.
func (ex *extractor) open(data []byte) (*file, value, error) {
	f := &file{ex: ex, data: data, cache: map[int]object{}, loading: map[int]bool{}, objstms: map[int]*packedObjects{}}
	at := bytes.Index(data[:min(len(data), headerWindow)], []byte("%PDF-"))
	if at < 0 {
		// A damaged header (zeroed, overwritten) is looked past when the
		// file holds PDF objects; anything else is not a PDF.
		f.scan()
		if len(f.trailers) == 0 && !hasObjects(f.scanned) {
			return nil, value{}, reject(CodeNotPDF, "pdftext: extract: no %%PDF- header in the first %d bytes, and no PDF objects", min(len(data), headerWindow))
		}
		at = 0
	}
	f.base = at
	startxref, unfinished := revisionTail(data)
	if unfinished {
		return nil, value{}, reject(CodeCorrupt, "pdftext: extract: the file ends with an unfinished update (objects after the last %%%%EOF)")
	}
	if startxref < 0 && lastObjectCut(data) {
		return nil, value{}, reject(CodeCorrupt, "pdftext: extract: the file is cut off inside an object")
	}
	if startxref < 0 || !f.readXref(startxref) {
		f.scan()
	}
	if err := f.openSecurity(); err != nil {
		return nil, value{}, err
	}
	root := f.catalog()
	if root.Kind() != objDict {
		return nil, value{}, reject(CodeCorrupt, "pdftext: extract: no document catalog")
	}
	return f, root, nil
}

func hasObjects(t []xrefEntry) bool {
	for _, e := range t {
		if e.typ != 0 {
			return true
		}
	}
	return false
}

// trailerCandidates are the trailer dictionaries to try, best first: the one
// the cross-reference chain gave, then those the scan found, newest first.
func (f *file) trailerCandidates() []map[string]object {
	var out []map[string]object
	if f.trailer != nil {
		out = append(out, f.trailer)
	}
	if f.didScan {
		for i := len(f.trailers) - 1; i >= 0; i-- {
			out = append(out, f.trailers[i])
		}
	}
	return out
}

// openSecurity sets up decryption from the first trailer that has /Encrypt.
func (f *file) openSecurity() error {
	cands := f.trailerCandidates()
	if len(cands) == 0 {
		f.scan()
		cands = f.trailerCandidates()
	}
	for _, t := range cands {
		e, ok := t["Encrypt"]
		if !ok || e.kind == objNull {
			continue
		}
		enc := f.resolve(e)
		if enc.kind != objDict {
			continue
		}
		var id0 []byte
		if id := f.resolve(t["ID"]); id.kind == objArray && len(id.arr) > 0 {
			id0 = []byte(f.resolve(id.arr[0]).str)
		}
		s, err := f.newSecurity(enc.dict, id0)
		if err != nil {
			if errors.Is(err, errPassword) {
				return reject(CodeEncrypted, "pdftext: extract: encrypted with a user password")
			}
			return reject(CodeEncrypted, "pdftext: extract: encrypted: %v", err)
		}
		f.crypt = s
		// Objects loaded so far were read without decryption.
		f.cache = map[int]object{}
		f.objstms = map[int]*packedObjects{}
		return nil
	}
	return nil
}

// catalog finds the document catalog: the trailer's /Root, else (after a
// repair scan) the root of another trailer, else the last object of type
// /Catalog in the file.
func (f *file) catalog() value {
	good := func(v value) bool {
		return v.Kind() == objDict && (v.Key("Pages").Kind() == objDict || v.Key("Type").Name() == "Catalog")
	}
	if f.trailer != nil {
		if r := f.val(f.trailer["Root"]); good(r) && r.Key("Pages").Kind() == objDict {
			return r
		}
	}
	f.scan()
	for _, t := range f.trailerCandidates() {
		if r := f.val(t["Root"]); good(r) && r.Key("Pages").Kind() == objDict {
			return r
		}
	}
	var found value
	f.scannedObjects(func(num int, o object) bool {
		if o.kind == objDict {
			if t := o.dict["Type"]; t.kind == objName && t.str == "Catalog" {
				if v := f.val(object{kind: objRef, num: float64(num)}); v.Key("Pages").Kind() == objDict || found.IsNull() {
					found = v
				}
			}
		}
		return true
	})
	if !found.IsNull() {
		return found
	}
	// A catalog without a usable page tree is still a catalog: the pages
	// are then found by scanning (pageList).
	if f.trailer != nil {
		if r := f.val(f.trailer["Root"]); r.Kind() == objDict {
			return r
		}
	}
	return value{f: f, o: object{kind: objDict, dict: map[string]object{}}}
}
