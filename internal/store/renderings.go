package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RenderingName is the object name, in the uploads object store, of the PDF rendering of the
// document id's original (a Word or OpenDocument file, an RTF). It can never be a document id.
func RenderingName(id string) string { return id + ".pdf" }

// PutRendering keeps the PDF rendering of a document's original beside it in the uploads object
// store and returns its object name (for dossier.Document.Rendering). A rendering already kept
// for the document (a redelivery read the file again) is left as it is: the ingest workers may
// add objects to the store, never replace or delete one.
func PutRendering(ctx context.Context, objects jetstream.ObjectStore, id string, pdf []byte) (string, error) {
	name := RenderingName(id)
	info, err := objects.GetInfo(ctx, name)
	if err == nil && !info.Deleted {
		return name, nil
	}
	if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return "", fmt.Errorf("store: rendering of %s: %w", id, err)
	}
	meta := jetstream.ObjectMeta{
		Name:        name,
		Description: "PDF rendering of " + id,
		Headers:     nats.Header{"Rendering-Of": []string{id}, "Content-Type": []string{"application/pdf"}},
	}
	if _, err := objects.Put(ctx, meta, bytes.NewReader(pdf)); err != nil {
		return "", fmt.Errorf("store: rendering of %s: %w", id, err)
	}
	return name, nil
}

// PutRendering keeps the PDF rendering of a received document (see the function PutRendering).
func (rc *Receiver) PutRendering(ctx context.Context, id string, pdf []byte) (string, error) {
	return PutRendering(ctx, rc.Objects, id, pdf)
}
