package main

import "tinnhiem/ingest/pdftext"

// extract prints the text of a PDF; the ingest workers run it as their sandboxed child.
func (e *cmdEnv) extract(args []string) error {
	return pdftext.Main(e.ctx, args, e.stdout, e.stderr)
}
