package app

import (
	"context"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
)

// received counts and logs a document handed to the pipeline. One refused at receipt (too
// large) already has its verdict, made here rather than by an ingest worker, so it is counted
// here too: the verdicts counted add up to the documents received.
func (a *App) received(ctx context.Context, p auth.Principal, d dossier.Document) {
	a.cfg.Metrics.DocumentReceived()
	if d.Final() {
		a.cfg.Metrics.Verdict(d.Status, d.Reason, 0)
	}
	// No file name: it often names a person, and logs are not encrypted at rest.
	a.log.InfoContext(ctx, "document received", "document_id", d.ID, "round", d.Round, "size", d.Size,
		"status", d.Status, "user", p.Username)
}
