// Package ingest receives dossier documents, extracts their text, recognises kind and nominee, judges
// the deadline and decides a verdict.
package ingest
