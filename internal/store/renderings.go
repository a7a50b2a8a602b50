package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RenderingName is the object name, in the renderings object store (bus.ObjectRenderings), of
// the PDF rendering of the document id's original (a Word or OpenDocument file, an RTF).
func RenderingName(id string) string { return id + ".pdf" }

// PutRendering keeps the PDF rendering of a document's original in the renderings object store
// and returns its object name (for dossier.Document.Rendering). A rendering already kept for the
// document (a redelivery read the file again) is left as it is: the ingest workers may add
// objects to that store, never replace or delete one.
func PutRendering(ctx context.Context, renderings jetstream.ObjectStore, id string, pdf []byte) (string, error) {
	if renderings == nil {
		return "", fmt.Errorf("store: rendering of %s: no renderings store", id)
	}
	name := RenderingName(id)
	info, err := renderings.GetInfo(ctx, name)
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
	if _, err := renderings.Put(ctx, meta, bytes.NewReader(pdf)); err != nil {
		return "", fmt.Errorf("store: rendering of %s: %w", id, err)
	}
	return name, nil
}

// OpenRendering reads the PDF rendering a document record names (dossier.Document.Rendering).
func (rc *Receiver) OpenRendering(ctx context.Context, name string) (io.ReadCloser, error) {
	obj, err := rc.Renderings.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("store: open rendering %s: %w", name, err)
	}
	return obj, nil
}
