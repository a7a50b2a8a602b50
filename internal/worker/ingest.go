package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/store"
)

// FileReader reads an uploaded file in the sandbox (*sandbox.Extractor): a nil error with the
// reader's result or reason code is a verdict on the file; an error is none (try again).
type FileReader interface {
	Read(ctx context.Context, path string) (sandbox.Outcome, error)
	ReadBytes(ctx context.Context, data []byte) (sandbox.Outcome, error)
}

// IngestDurable is the durable consumer all ingest worker replicas share.
const IngestDurable = bus.DurableIngest

// DefaultIngestAckWait is short so that after a crash (kill -9) the files in hand are read again
// well within the 60 s an uploader's `tinnhiem upload` waits for its verdicts.
const DefaultIngestAckWait = 20 * time.Second

// Ingest turns uploaded files into verdicts. Any number of replicas may run: they share one
// durable pull consumer, so each upload is handled by one of them at a time, and every effect
// is keyed by document id, so a redelivery is harmless.
type Ingest struct {
	JS          jetstream.JetStream
	Originals   *store.ObjectReader   // the uploaded originals (read)
	Renderings  jetstream.ObjectStore // PDF renderings of Word files (added)
	Docs        *store.Documents
	Rounds      *store.Rounds
	Audit       *audit.Log
	Sandbox     FileReader // the sandboxed readers: *sandbox.Extractor
	Log         *slog.Logger
	Now         func() time.Time
	Concurrency int // files handled at once (default 2)
	MaxDeliver  int // deliveries before a message is ended as internal_error (default 5)
	// AckWait is how long a file held by a worker that died waits before another takes it
	// (default 20 s). A live worker tells the server every AckWait/3 that the files it holds are
	// in progress, however long their extraction, so a short AckWait redelivers nothing alive.
	AckWait time.Duration
	TempDir string
	Metrics *metrics.Metrics // nil: none
	// Handoff holds the small uploads this process received, handed over in memory; what it
	// does not hold is read from Originals. nil: none.
	Handoff *store.Handoff

	buffers    sync.Pool         // *bytes.Buffer: uploads read for the sandbox from memory (see read)
	recognizer ingest.Recognizer // keeps the rosters it compiled for a round's next documents
}

// Start provisions the consumer and starts consuming. The returned function stops taking new
// messages, waits for those in hand (or ctx), and returns.
func (w *Ingest) Start(ctx context.Context) (func(context.Context), error) {
	if w.Concurrency <= 0 {
		w.Concurrency = 2
	}
	if w.MaxDeliver <= 0 {
		w.MaxDeliver = 5
	}
	if w.AckWait <= 0 {
		w.AckWait = DefaultIngestAckWait
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	stop, err := bus.Consumer{
		Stream: bus.StreamIngest, Durable: IngestDurable, Filter: ingest.UploadedSubject("*"),
		AckWait: w.AckWait, MaxDeliver: w.MaxDeliver, Concurrency: w.Concurrency, Log: w.Log,
		KeepAlive: true, Handle: w.handleMsg, GiveUp: w.giveUp, Observer: w.Metrics.Consumers(),
	}.Start(ctx, w.JS)
	if err != nil {
		return nil, err
	}
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	go w.sweepLoop(sweepCtx, 2*time.Minute)
	return func(stopCtx context.Context) {
		stopSweep()
		stop(stopCtx)
	}, nil
}

// giveUp records a file the pipeline could not handle as rejected: internal_error, so that no
// upload waits forever for its verdict; a message that names no document goes to the audit trail.
func (w *Ingest) giveUp(ctx context.Context, f bus.Failure) error {
	var up ingest.Uploaded
	if json.Unmarshal(f.Data, &up) != nil || !ingest.ValidID(up.DocumentID) {
		return giveUpToAudit(w.Audit, "ingest", "ingest.message_failed")(ctx, f)
	}
	return w.fail(ctx, up.DocumentID, f.Cause)
}

func (w *Ingest) handleMsg(ctx context.Context, msg jetstream.Msg) error {
	var up ingest.Uploaded
	if err := json.Unmarshal(msg.Data(), &up); err != nil || !ingest.ValidID(up.DocumentID) {
		return bus.Permanent(fmt.Errorf("malformed upload message on %s: %v", msg.Subject(), err))
	}
	last := false
	if md, err := msg.Metadata(); err == nil {
		last = md.NumDelivered >= uint64(w.MaxDeliver)
	}
	return w.handle(ctx, up, last)
}

// handle judges an announced upload; last tells the message's last allowed delivery.
//
// The record and the round were stored before the announcement, but in a cluster a read may be
// answered by a replica that has not applied them yet (direct gets, a node catching up after a
// restart): "not found" is only believed on the last delivery. Before, it ended the message at
// once and the upload was rejected internal_error, or left pending for good.
func (w *Ingest) handle(ctx context.Context, up ingest.Uploaded, last bool) error {
	d, rev, err := w.Docs.Get(ctx, up.DocumentID)
	if errors.Is(err, ingest.ErrNotFound) {
		if last {
			return bus.Permanent(fmt.Errorf("no record for document %s", up.DocumentID))
		}
		return fmt.Errorf("no record for document %s yet", up.DocumentID)
	}
	if err != nil {
		return err
	}
	if d.Final() {
		if up.Recheck > 0 && ingest.DocumentNamesNobody(d) && d.ReviewedBy == "" {
			return w.recheck(ctx, d, rev)
		}
		// A redelivery after the verdict was stored: make sure it was published, nothing more.
		return w.finish(ctx, d)
	}
	r, err := w.Rounds.Get(ctx, d.Round)
	if errors.Is(err, dossier.ErrNotFound) {
		if !last {
			return fmt.Errorf("round %s of document %s not found yet", d.Round, d.ID)
		}
		return w.save(ctx, ingest.Reject(d, ingest.ReasonUnknownRound, "Đợt lấy phiếu "+d.Round+" không còn tồn tại."), rev)
	}
	if err != nil {
		return err
	}
	v, err := w.judge(ctx, d, r)
	if err != nil {
		return err
	}
	v.VerdictAt, v.Revision = w.Now().UTC(), 1
	return w.save(ctx, v, rev)
}

// recheck reads again a document refused because it named nobody of the round, now that the
// round changed: if it names someone now, that is its new verdict (a new revision, published for
// the dossier); else it stays as it was.
func (w *Ingest) recheck(ctx context.Context, d dossier.Document, rev uint64) error {
	r, err := w.Rounds.Get(ctx, d.Round)
	if errors.Is(err, dossier.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fresh := d
	fresh.Status, fresh.Reason, fresh.Message, fresh.DuplicateOf = "", "", "", ""
	v, err := w.judge(ctx, fresh, r)
	if err != nil {
		return err
	}
	if ingest.DocumentNamesNobody(v) {
		return nil // still nobody's
	}
	v.VerdictAt, v.Revision = w.Now().UTC(), d.Revision+1
	return w.save(ctx, v, rev)
}

// judge is the one reading of a file, for its first verdict and for a recheck alike: extract its
// text in the sandbox, decide from the text and the round, then against the copies of the same
// bytes kept in the round.
func (w *Ingest) judge(ctx context.Context, d dossier.Document, r dossier.Round) (dossier.Document, error) {
	ex, err := w.extract(ctx, d)
	if err != nil {
		return d, err
	}
	return w.checkDuplicate(ctx, w.recognizer.Decide(d, r, ex), r)
}

// extract has the sandbox read the file (see read), whatever its format (the consumer keeps the
// message alive meanwhile). The PDF rendering of a Word or OpenDocument
// original is kept beside it in the uploads store, named in the extraction for the verdict.
func (w *Ingest) extract(ctx context.Context, d dossier.Document) (ingest.Extraction, error) {
	if d.Size == 0 {
		return ingest.Extraction{Code: pdftext.CodeEmpty}, nil
	}
	out, start, err := w.read(ctx, d)
	if err != nil {
		return ingest.Extraction{}, err
	}
	w.Metrics.Extracted(out.Code, time.Since(start))
	if out.Code != "" {
		w.Log.InfoContext(ctx, "ingest: file refused", "document_id", d.ID, "format", out.Format, "reason", out.Code, "detail", out.Detail)
	}
	ex := ingest.ExtractionOf(out.Result)
	if len(out.Rendering) > 0 && out.Format != reader.FormatPDF {
		if ex.Rendering, err = store.PutRendering(ctx, w.Renderings, d.ID, out.Rendering); err != nil {
			return ingest.Extraction{}, err
		}
	}
	return ex, nil
}

// read hands the upload to the sandbox: the bytes this process received when the handoff still
// holds them, else read from the store: into memory when it is smaller than reader.LargeFile
// (a dossier PDF: no temporary file to write, open twice and remove), else through a temporary
// file, so that a 40 MB scan is never held whole in the server. start is when the sandbox got it.
func (w *Ingest) read(ctx context.Context, d dossier.Document) (out sandbox.Outcome, start time.Time, err error) {
	if data, ok := w.Handoff.Take(d.ID, d.SHA256); ok && int64(len(data)) == d.Size {
		start = time.Now()
		if out, err = w.Sandbox.ReadBytes(ctx, data); err != nil {
			return out, start, fmt.Errorf("ingest: extract %s: %w", d.ID, err)
		}
		return out, start, nil
	}
	if d.Size < reader.LargeFile {
		// The buffer is kept for the next file once the child has been sent this one.
		buf, _ := w.buffers.Get().(*bytes.Buffer)
		if buf == nil {
			buf = new(bytes.Buffer)
		}
		defer w.buffers.Put(buf)
		buf.Reset()
		buf.Grow(int(d.Size))
		if _, err := w.Originals.Copy(ctx, d.ID, buf); err != nil {
			return out, start, fmt.Errorf("ingest: read upload %s: %w", d.ID, err)
		}
		start = time.Now()
		if out, err = w.Sandbox.ReadBytes(ctx, buf.Bytes()); err != nil {
			return out, start, fmt.Errorf("ingest: extract %s: %w", d.ID, err)
		}
		return out, start, nil
	}
	f, err := os.CreateTemp(w.TempDir, "tinnhiem-upload-*")
	if err != nil {
		return out, start, fmt.Errorf("ingest: temp file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = w.Originals.Copy(ctx, d.ID, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out, start, fmt.Errorf("ingest: copy upload %s: %w", d.ID, err)
	}
	start = time.Now()
	if out, err = w.Sandbox.Read(ctx, f.Name()); err != nil {
		return out, start, fmt.Errorf("ingest: extract %s: %w", d.ID, err)
	}
	return out, start, nil
}

// checkDuplicate compares the file with the copies of the same bytes already kept in the round:
// the same bytes again are a duplicate of the first copy that counts or waits for review —
// unless the content or the uploader placed them with another person or kind than that copy,
// which is then a different paper of theirs. A verdict that stands is recorded as a copy of its
// bytes and, once its person and kind are known, as a version of them. The copies list is
// written compare-and-set, so of two identical files handled at once exactly one stands; and a
// redelivery of the same document finds its own entry, which never makes it a duplicate.
func (w *Ingest) checkDuplicate(ctx context.Context, d dossier.Document, r dossier.Round) (dossier.Document, error) {
	if !ingest.JudgedByCopies(d) {
		return d, nil
	}
	for attempt := 0; attempt < 10; attempt++ {
		cs, rev, err := w.Docs.Copies(ctx, d.Round, d.SHA256)
		if err != nil {
			return d, err
		}
		first, found := ingest.FirstCopy(d, cs)
		if !found {
			// Documents judged before copies were recorded are found among the versions an
			// earlier release kept in one list (a list that no longer grows).
			if first, found, err = w.legacyCopy(ctx, d); err != nil {
				return d, err
			}
		}
		v, out, changed := ingest.JudgeCopies(d, r, cs, first, found)
		if changed {
			err := w.Docs.SetCopies(ctx, d.Round, d.SHA256, out, rev)
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			if err != nil {
				return d, err
			}
		}
		if ingest.Counts(v) {
			if err := w.Docs.RecordVersion(ctx, v); err != nil {
				return d, err
			}
		}
		return v, nil
	}
	return d, errors.New("ingest: copies list kept changing")
}

// legacyCopy looks for the same bytes among the versions of d's person and kind that an earlier
// release stored in one list: every version recorded since has its copy recorded too.
func (w *Ingest) legacyCopy(ctx context.Context, d dossier.Document) (ingest.Copy, bool, error) {
	if d.Nominee == "" || d.Kind == "" {
		return ingest.Copy{}, false, nil
	}
	vs, _, err := w.Docs.LegacyVersions(ctx, d.Round, d.Nominee, d.Kind)
	if err != nil {
		return ingest.Copy{}, false, err
	}
	for _, v := range vs {
		if v.ID == d.ID || v.SHA256 != d.SHA256 || v.Status == dossier.StatusRejected {
			continue
		}
		// The list is written before the verdict is stored: trust the record, not the entry.
		o, _, err := w.Docs.Get(ctx, v.ID)
		if errors.Is(err, ingest.ErrNotFound) {
			continue
		}
		if err != nil {
			return ingest.Copy{}, false, err
		}
		if ingest.Counts(o) && o.Nominee == d.Nominee && o.Kind == d.Kind {
			return ingest.CopyOf(o), true, nil
		}
	}
	return ingest.Copy{}, false, nil
}

// save saves the verdict, then publishes it. A crash in between is mended by the redelivery,
// which finds the verdict stored and publishes it again (de-duplicated by message id).
// A first verdict is counted once stored: exactly once per upload, since the record is written
// compare-and-set and a redelivery finds it final.
func (w *Ingest) save(ctx context.Context, d dossier.Document, rev uint64) error {
	if err := w.Docs.Update(ctx, d, rev); err != nil {
		if bus.IsConflict(err) {
			return errors.New("document record changed during processing")
		}
		return err
	}
	if d.Revision > 1 {
		w.Log.InfoContext(ctx, "ingest: verdict revised", "document_id", d.ID, "round", d.Round, "status", d.Status,
			"kind", string(d.Kind), "nominee", d.Nominee, "revision", d.Revision)
	} else {
		took := w.Now().Sub(d.ReceivedAt)
		if d.ReceivedAt.IsZero() {
			took = 0
		}
		w.Metrics.Verdict(d.Status, d.Reason, took)
		w.Log.InfoContext(ctx, "ingest: verdict", "document_id", d.ID, "round", d.Round, "status", d.Status,
			"reason", d.Reason, "kind", string(d.Kind), "nominee", d.Nominee, "took", took.Round(time.Millisecond))
	}
	return w.finish(ctx, d)
}

// finish records a stored verdict in the audit trail and announces it. Both are keyed by the
// document's id and revision, so a redelivery or the sweep may finish a verdict again harmlessly:
// that is how a crash between storing and announcing is mended.
func (w *Ingest) finish(ctx context.Context, d dossier.Document) error {
	id := "verdict-" + d.ID
	if d.Revision > 1 {
		id += fmt.Sprintf("-r%d", d.Revision) // read again after a roster change
	}
	if err := w.Audit.Append(ctx, audit.Event{
		ID: id, Actor: "ingest", Action: "document.verdict", Round: d.Round, Target: d.ID,
		Details: map[string]string{"status": d.Status, "kind": string(d.Kind), "nominee": d.Nominee, "reason": d.Reason},
	}); err != nil {
		return err
	}
	return w.publish(ctx, d, "verdict")
}

// publish announces the verdict and then forgets the document's pending marker.
func (w *Ingest) publish(ctx context.Context, d dossier.Document, typ string) error {
	if err := store.PublishVerdict(ctx, w.JS, d, typ); err != nil {
		return err
	}
	if err := w.Docs.ClearPending(ctx, d.ID); err != nil {
		w.Log.WarnContext(ctx, "ingest: pending marker stays; the sweep will clear it", "document_id", d.ID, "err", err)
	}
	return nil
}

// Sweep makes sure every document handed to the pipeline gets its verdict published: one
// whose announcement may have been lost (the receiving process died) is announced again,
// one whose verdict was stored but not published is published. Older than grace only, so
// that uploads in flight are left alone. Announcements carry the document's message id, so a
// document already in the stream is not handled twice.
func (w *Ingest) Sweep(ctx context.Context, grace time.Duration) (int, error) {
	ids, err := w.Docs.Pending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		d, _, err := w.Docs.Get(ctx, id)
		switch {
		case errors.Is(err, ingest.ErrNotFound):
			_ = w.Docs.ClearPending(ctx, id)
		case err != nil:
			return n, err
		case d.Final():
			if err := w.finish(ctx, d); err != nil {
				return n, err
			}
			n++
		case w.Now().Sub(d.ReceivedAt) > grace:
			if err := store.Announce(ctx, w.JS, d); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func (w *Ingest) sweepLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := w.Sweep(ctx, every); err != nil && ctx.Err() == nil {
			w.Log.Warn("ingest: sweep", "err", err)
		} else if n > 0 {
			w.Log.Info("ingest: sweep re-announced documents", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fail records rejected: internal_error for a document the pipeline could not handle.
func (w *Ingest) fail(ctx context.Context, id string, cause error) error {
	d, rev, err := w.Docs.Get(ctx, id)
	if errors.Is(err, ingest.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Final() {
		return w.finish(ctx, d)
	}
	d = ingest.Reject(d, ingest.ReasonInternalError, "Lỗi hệ thống khi xử lý tệp; tệp vẫn được lưu, hãy báo quản trị viên hoặc tải lên lại.")
	d.VerdictAt, d.Revision = w.Now().UTC(), 1
	// A delivery that failed late may have recorded the file as a copy of its bytes: it no
	// longer stands, so the same file sent again must not be called its duplicate.
	if err := w.Docs.RecordCopy(ctx, d); err != nil {
		return err
	}
	return w.save(ctx, d, rev)
}
