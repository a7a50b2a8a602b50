package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/requestid"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Receiver stores uploaded files as they stream in and hands them to the pipeline.
type Receiver struct {
	Objects    jetstream.ObjectStore
	Renderings jetstream.ObjectStore // PDF renderings of originals that are not PDFs
	Docs       *Documents
	JS         jetstream.JetStream
	MaxUpload  int64
	Now        func() time.Time
	// Flow bounds the chunks all uploads have in flight (Open gives NewFlow(0)).
	Flow *Flow
	// RideOut is how long the write path goes on while a stream has no leader (DefaultRideOut).
	RideOut time.Duration
	// Handoff hands small uploads to this process's ingest worker in memory (nil: none).
	Handoff *Handoff
}

// Upload describes one incoming file.
type Upload struct {
	Round    string
	File     string // the name the uploader's system gave it
	Declared ingest.Declared
	Uploader string
	Body     io.Reader
}

// Store streams the body into the object store (never whole in memory: one chunk at a time,
// within the process's Flow) and returns the document with the server's receipt time, size and
// sha256, not yet committed. A file over the size limit is not kept: its record is stored at once
// as rejected: too_large. A store that cannot take it now is ErrUnavailable; a body that cannot
// be read, IsBodyError. Nothing is kept on either failure.
func (rc *Receiver) Store(ctx context.Context, up Upload) (dossier.Document, error) {
	now := rc.Now().UTC()
	d := dossier.Document{
		ID:              ingest.NewID(now),
		Round:           up.Round,
		File:            ingest.SanitizeFilename(up.File),
		ReceivedAt:      now,
		Uploader:        up.Uploader,
		DeclaredKind:    up.Declared.Kind,
		DeclaredNominee: up.Declared.Nominee,
		Status:          dossier.StatusPending,
		Warnings:        []string{},
	}
	lr := &limitReader{r: up.Body, left: rc.MaxUpload}
	meta := jetstream.ObjectMeta{
		Name:        d.ID,
		Description: d.File,
		Headers:     nats.Header{"Round": []string{up.Round}, "Uploader": []string{up.Uploader}},
	}
	flow := rc.Flow
	if flow == nil {
		flow = NewFlow(1) // a Receiver built without one: this upload alone is bounded
	}
	var keep func([]byte)
	var kept []byte
	if rc.Handoff.Enabled() {
		keep = func(b []byte) { kept = bytes.Clone(b) }
	}
	info, sum, err := putObject(ctx, rc.JS, bus.ObjectUploads, meta, lr, flow, rc.RideOut, keep)
	if lr.over {
		// Nothing of the file is kept (putObject purged what it had sent); the record says why.
		d = ingest.TooLarge(d, lr.n, rc.MaxUpload, now)
		if err := rc.Docs.Create(ctx, d); err != nil {
			return dossier.Document{}, err
		}
		// Recorded means it must reach the dossier: should the request fail before Commit
		// publishes the refusal, the workers' sweep publishes it.
		if err := rc.Docs.MarkPending(ctx, d.ID, now); err != nil {
			return dossier.Document{}, err
		}
		return d, nil
	}
	if err != nil {
		return dossier.Document{}, fmt.Errorf("ingest: store upload %s: %w", d.File, err)
	}
	d.Size = int64(info.Size)
	d.SHA256 = hex.EncodeToString(sum)
	if d.Size > 0 && int64(len(kept)) == d.Size {
		rc.Handoff.Put(d.ID, d.SHA256, kept)
	}
	return d, nil
}

// Commit records a stored upload (with the declared values known by now) and hands it to the
// workers. Only a committed upload is accepted; a failure undoes everything. Each step rides out
// a stream-leader election (RideOut), the stored file kept meanwhile.
func (rc *Receiver) Commit(ctx context.Context, d dossier.Document) (dossier.Document, error) {
	if d.Final() {
		// Decided at receipt (too large) and already recorded: the dossier still hears of it.
		if err := rideOut(ctx, rc.RideOut, func(actx context.Context) error { return PublishVerdict(actx, rc.JS, d, "verdict") }); err != nil {
			return d, err
		}
		_ = rc.Docs.ClearPending(ctx, d.ID) // else the sweep clears it after publishing again
		return d, nil
	}
	undo := func(steps int) {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if steps >= 2 {
			_ = rc.Docs.Delete(uctx, d.ID)
		}
		if steps >= 1 {
			_ = rc.Docs.ClearPending(uctx, d.ID)
		}
		_ = rc.Objects.Delete(uctx, d.ID)
		rc.Handoff.Drop(d.ID)
	}
	// The marker comes first and stays until the verdict is published: should this process
	// die anywhere after it, the ingest workers' sweep announces the file again (or, finding
	// no record, forgets the marker).
	if err := rideOut(ctx, rc.RideOut, func(actx context.Context) error { return rc.Docs.MarkPending(actx, d.ID, d.ReceivedAt) }); err != nil {
		undo(0)
		return dossier.Document{}, err
	}
	if err := rc.Docs.createRiding(ctx, d, rc.RideOut); err != nil {
		undo(1)
		return dossier.Document{}, err
	}
	if err := rideOut(ctx, rc.RideOut, func(actx context.Context) error { return announce(actx, rc.JS, d) }); err != nil {
		// Not announced means not accepted: undo, so no record waits forever for a verdict.
		undo(2)
		return dossier.Document{}, fmt.Errorf("ingest: announce %s: %w", d.ID, err)
	}
	return d, nil
}

// Discard removes a stored upload that will not be committed.
func (rc *Receiver) Discard(ctx context.Context, d dossier.Document) {
	if !d.Final() {
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		rc.Handoff.Drop(d.ID)
	}
}

// Recheck asks the ingest workers to read document id again against version version of its
// round (see ingest.Uploaded.Recheck).
func (rc *Receiver) Recheck(ctx context.Context, round, id string, version int) error {
	return AnnounceRecheck(ctx, rc.JS, round, id, version)
}

// PublishReview announces a person's review of a document to the dossier projection.
func (rc *Receiver) PublishReview(ctx context.Context, d dossier.Document) error {
	return PublishVerdict(ctx, rc.JS, d, "review")
}

// Open returns the bytes of a stored upload.
func (rc *Receiver) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	obj, err := rc.Objects.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ingest: open upload %s: %w", id, err)
	}
	return obj, nil
}

// Announce publishes tn.ingest.<round>.uploaded for a recorded document, riding out a
// stream-leader election. The message id makes a second announcement of the same document (by
// the sweep, or a retry whose first answer was lost) harmless.
func Announce(ctx context.Context, js jetstream.JetStream, d dossier.Document) error {
	if err := rideOut(ctx, DefaultRideOut, func(actx context.Context) error { return announce(actx, js, d) }); err != nil {
		return fmt.Errorf("ingest: announce %s: %w", d.ID, err)
	}
	return nil
}

func announce(ctx context.Context, js jetstream.JetStream, d dossier.Document) error {
	data, _ := json.Marshal(ingest.Uploaded{DocumentID: d.ID, Round: d.Round})
	msg := &nats.Msg{Subject: ingest.UploadedSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "uploaded-"+d.ID)
	requestid.Stamp(ctx, msg.Header)
	_, err := js.PublishMsg(ctx, msg)
	return err
}

// AnnounceRecheck asks the ingest workers to read document id again against version version of
// its round (see Uploaded.Recheck); the message id makes the request once per round version.
func AnnounceRecheck(ctx context.Context, js jetstream.JetStream, round, id string, version int) error {
	data, _ := json.Marshal(ingest.Uploaded{DocumentID: id, Round: round, Recheck: version})
	msg := &nats.Msg{Subject: ingest.UploadedSubject(round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("recheck-%s-v%d", id, version))
	requestid.Stamp(ctx, msg.Header)
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("ingest: announce recheck of %s: %w", id, err)
	}
	return nil
}

// limitReader counts what passes and stops with ErrTooLarge past the limit.
type limitReader struct {
	r    io.Reader
	left int64
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more than allowed tells an exact-size file from a larger one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			l.n++
			return 0, ingest.ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.n += int64(n)
	return n, err
}

// PublishVerdict announces a document's verdict (or review) to the dossier projection; the
// message id makes a repeated publication of the same revision harmless.
func PublishVerdict(ctx context.Context, js jetstream.JetStream, d dossier.Document, typ string) error {
	data, err := json.Marshal(dossier.DocumentEvent{Type: typ, Document: d})
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: dossier.DocumentSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("doc-%s-%d", d.ID, d.Revision))
	requestid.Stamp(ctx, msg.Header)
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("ingest: publish verdict %s: %w", d.ID, err)
	}
	return nil
}
