package main

import "tinnhiem/ingest/sandbox"

// extract prints the text of a file of any format, locking this process down first; with
// --serve it is the ingest workers' sandboxed child.
func (e *cmdEnv) extract(args []string) error {
	return sandbox.Main(e.ctx, args, e.stdin, e.stdout, e.stderr)
}
