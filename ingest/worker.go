package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
)

// ConsumerName is the durable consumer all ingest worker replicas share.
const ConsumerName = "ingest"

// DefaultAckWait is short so that after a crash (kill -9) the files in hand are read again well
// within the 60 s an uploader's `tinnhiem upload` waits for its verdicts.
const DefaultAckWait = 20 * time.Second

// Worker turns uploaded files into verdicts. Any number of replicas may run: they share one
// durable pull consumer, so each upload is handled by one of them at a time, and every effect
// is keyed by document id, so a redelivery is harmless.
type Worker struct {
	JS          jetstream.JetStream
	Objects     jetstream.ObjectStore
	Docs        *Documents
	Rounds      *dossier.Rounds
	Audit       *audit.Log
	Sandbox     pdftext.Sandbox
	Log         *slog.Logger
	Now         func() time.Time
	Concurrency int // files handled at once (default 2)
	MaxDeliver  int // deliveries before a message is ended as internal_error (default 5)
	// AckWait is how long a file held by a worker that died waits before another takes it
	// (default 20 s). A live worker tells the server every AckWait/3 that the files it holds are
	// in progress, however long their extraction, so a short AckWait redelivers nothing alive.
	AckWait time.Duration
	TempDir string
}

// Start provisions the consumer and starts consuming. The returned function stops taking new
// messages, waits for those in hand (or ctx), and returns.
func (w *Worker) Start(ctx context.Context) (func(context.Context), error) {
	if w.Concurrency <= 0 {
		w.Concurrency = 2
	}
	if w.MaxDeliver <= 0 {
		w.MaxDeliver = 5
	}
	if w.AckWait <= 0 {
		w.AckWait = DefaultAckWait
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	// A message whose deliveries ran out without an answer (e.g. every replica that took it
	// died) is reported by the server; record it so that no upload waits forever.
	adv, err := w.subscribeMaxDeliveries()
	if err != nil {
		return nil, err
	}
	stop, err := bus.Consumer{
		Stream: bus.StreamIngest, Durable: ConsumerName, Filter: "tn.ingest.*.uploaded",
		AckWait: w.AckWait, MaxDeliver: w.MaxDeliver, Concurrency: w.Concurrency, Log: w.Log,
		KeepAlive: true, Handle: w.handleMsg,
		GiveUp: func(ctx context.Context, msg jetstream.Msg, cause error) error {
			var up Uploaded
			if json.Unmarshal(msg.Data(), &up) != nil || !ValidID(up.DocumentID) {
				return nil // nothing to record for a malformed message
			}
			return w.fail(ctx, up.DocumentID, cause)
		},
	}.Start(ctx, w.JS)
	if err != nil {
		_ = adv.Unsubscribe()
		return nil, err
	}
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	go w.sweepLoop(sweepCtx, 2*time.Minute)
	return func(stopCtx context.Context) {
		stopSweep()
		stop(stopCtx)
		_ = adv.Unsubscribe()
	}, nil
}

func (w *Worker) handleMsg(ctx context.Context, msg jetstream.Msg) error {
	var up Uploaded
	if err := json.Unmarshal(msg.Data(), &up); err != nil || !ValidID(up.DocumentID) {
		return bus.Permanent(fmt.Errorf("malformed upload message on %s: %v", msg.Subject(), err))
	}
	return w.handle(ctx, up)
}

func (w *Worker) handle(ctx context.Context, up Uploaded) error {
	d, rev, err := w.Docs.Get(ctx, up.DocumentID)
	if errors.Is(err, ErrNotFound) {
		return bus.Permanent(fmt.Errorf("no record for document %s", up.DocumentID))
	}
	if err != nil {
		return err
	}
	if d.Final() {
		if up.Recheck > 0 && d.Status == dossier.StatusRejected && d.Reason == ReasonUnknownNominee && d.ReviewedBy == "" {
			return w.recheck(ctx, d, rev)
		}
		// A redelivery after the verdict was stored: make sure it was published, nothing more.
		return w.publish(ctx, d, "verdict")
	}
	r, err := w.Rounds.Get(ctx, d.Round)
	if errors.Is(err, dossier.ErrNotFound) {
		return w.store(ctx, reject(d, ReasonUnknownRound, "Đợt lấy phiếu "+d.Round+" không còn tồn tại."), rev)
	}
	if err != nil {
		return err
	}

	ex, err := w.extract(ctx, d)
	if err != nil {
		return err
	}
	v := Decide(d, r, ex)
	v.VerdictAt, v.Revision = w.Now().UTC(), 1
	if v, err = w.checkDuplicate(ctx, v, r); err != nil {
		return err
	}
	return w.store(ctx, v, rev)
}

// recheck reads again a document refused because it named nobody of the round, now that the
// round changed: if it names someone now, that is its new verdict (a new revision, published for
// the dossier); else it stays as it was.
func (w *Worker) recheck(ctx context.Context, d dossier.Document, rev uint64) error {
	r, err := w.Rounds.Get(ctx, d.Round)
	if errors.Is(err, dossier.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ex, err := w.extract(ctx, d)
	if err != nil {
		return err
	}
	fresh := d
	fresh.Status, fresh.Reason, fresh.Message, fresh.DuplicateOf = "", "", "", ""
	v := Decide(fresh, r, ex)
	if v.Status == dossier.StatusRejected && v.Reason == ReasonUnknownNominee {
		return nil // still nobody's
	}
	v.VerdictAt, v.Revision = w.Now().UTC(), d.Revision+1
	if v, err = w.checkDuplicate(ctx, v, r); err != nil {
		return err
	}
	return w.store(ctx, v, rev)
}

// extract copies the file to a temporary file and runs the sandboxed extractor on it (the
// consumer keeps the message alive meanwhile).
func (w *Worker) extract(ctx context.Context, d dossier.Document) (Extraction, error) {
	if d.Size == 0 {
		return Extraction{Code: pdftext.CodeEmpty}, nil
	}
	obj, err := w.Objects.Get(ctx, d.ID)
	if err != nil {
		return Extraction{}, fmt.Errorf("ingest: read upload %s: %w", d.ID, err)
	}
	defer obj.Close()
	f, err := os.CreateTemp(w.TempDir, "tinnhiem-upload-*.pdf")
	if err != nil {
		return Extraction{}, fmt.Errorf("ingest: temp file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, obj)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Extraction{}, fmt.Errorf("ingest: copy upload %s: %w", d.ID, err)
	}

	res, err := w.Sandbox.Extract(ctx, f.Name())
	if code := pdftext.Code(err); code != "" {
		w.Log.Info("ingest: file refused", "document_id", d.ID, "reason", code, "detail", err)
		return Extraction{Code: code, Pages: res.Pages}, nil
	}
	if err != nil {
		return Extraction{}, fmt.Errorf("ingest: extract %s: %w", d.ID, err)
	}
	if strings.TrimSpace(res.Text) == "" {
		return Extraction{Code: pdftext.CodeNoTextLayer, Pages: res.Pages}, nil
	}
	return Extraction{Pages: res.Pages, Text: res.Text}, nil
}

// checkDuplicate compares the file with the copies of the same bytes already kept in the round:
// the same bytes again are a duplicate of the first copy that counts or waits for review —
// unless the content or the uploader placed them with another person or kind than that copy,
// which is then a different paper of theirs. A verdict that stands is recorded as a copy of its
// bytes and, once its person and kind are known, as a version of them. The copies list is
// written compare-and-set, so of two identical files handled at once exactly one stands; and a
// redelivery of the same document finds its own entry, which never makes it a duplicate.
func (w *Worker) checkDuplicate(ctx context.Context, d dossier.Document, r dossier.Round) (dossier.Document, error) {
	if d.SHA256 == "" || !(counts(d) || reviewableRejection(d)) {
		return d, nil
	}
	for attempt := 0; ; attempt++ {
		if attempt == 10 {
			return d, errors.New("ingest: copies list kept changing")
		}
		cs, rev, err := w.Docs.Copies(ctx, d.Round, d.SHA256)
		if err != nil {
			return d, err
		}
		first, found := firstCopy(d, cs)
		if !found {
			// Documents judged before copies were recorded are found among the versions.
			if first, found, err = w.legacyCopy(ctx, d); err != nil {
				return d, err
			}
		}
		v := d
		if found {
			v = duplicate(d, first, r)
		} else if other, ok := countingElsewhere(d, cs); ok {
			// Kept for a person to judge, but they should know the same file counts already.
			v.Message = joinSentences(v.Message, sameFileCounts(other, r))
		}
		out, changed := withCopy(cs, v)
		if changed {
			err := w.Docs.setCopies(ctx, d.Round, d.SHA256, out, rev)
			if errors.Is(err, errConflict) {
				continue
			}
			if err != nil {
				return d, err
			}
		}
		if counts(v) {
			if err := w.Docs.recordVersion(ctx, v); err != nil {
				return d, err
			}
		}
		return v, nil
	}
}

// reviewableRejection: a refusal only because the content names nobody of the round and
// nobody was declared — the bytes themselves are fine, so the same bytes kept already (whose
// person may have been confirmed since) say more. A declared person who is not on the roster
// is the uploader's mistake, and that is what they are told.
func reviewableRejection(d dossier.Document) bool {
	return d.Status == dossier.StatusRejected && d.Nominee == "" &&
		(d.Reason == ReasonUnknownNominee || d.Reason == ReasonKindUncertain)
}

// firstCopy finds, among the other copies of d's bytes, the earliest received one that d
// repeats: any copy when d has no person or kind yet; else one of the same person and kind,
// or one whose person or kind is still to be confirmed (none yet, or a copy waiting for review
// because its content contradicted what was declared: the person confirms that one).
func firstCopy(d dossier.Document, cs []Copy) (Copy, bool) {
	var first Copy
	found := false
	for _, c := range cs {
		if c.ID == d.ID {
			continue
		}
		repeats := d.Nominee == "" || d.Kind == "" || c.Nominee == "" || c.Kind == "" || c.Status == dossier.StatusNeedsReview ||
			(c.Nominee == d.Nominee && c.Kind == d.Kind)
		if repeats && (!found || c.ReceivedAt.Before(first.ReceivedAt) || (c.ReceivedAt.Equal(first.ReceivedAt) && c.ID < first.ID)) {
			first, found = c, true
		}
	}
	return first, found
}

// countingElsewhere finds a copy of d's bytes that counts for another person or kind.
func countingElsewhere(d dossier.Document, cs []Copy) (Copy, bool) {
	for _, c := range cs {
		if c.ID != d.ID && (c.Status == dossier.StatusAccepted || c.Status == dossier.StatusLate) {
			return c, true
		}
	}
	return Copy{}, false
}

// sameFileCounts tells that the same file already counts, and how to move it if it was placed wrong.
func sameFileCounts(c Copy, r dossier.Round) string {
	whose := c.Nominee
	if n, ok := r.Nominee(c.Nominee); ok {
		whose = n.Name + " (" + c.Nominee + ")"
	}
	return fmt.Sprintf("Tệp này trùng với «%s» (mã %s) đang được tính cho %s; nếu tài liệu đó bị ghi nhầm người, hãy xác nhận lại chính tài liệu đó.", c.File, c.ID, whose)
}

// legacyCopy looks for the same bytes among the versions of d's person and kind.
func (w *Worker) legacyCopy(ctx context.Context, d dossier.Document) (Copy, bool, error) {
	if d.Nominee == "" || d.Kind == "" {
		return Copy{}, false, nil
	}
	vs, _, err := w.Docs.Versions(ctx, d.Round, d.Nominee, d.Kind)
	if err != nil {
		return Copy{}, false, err
	}
	for _, v := range vs {
		if v.ID == d.ID || v.SHA256 != d.SHA256 || v.Status == dossier.StatusRejected {
			continue
		}
		// The list is written before the verdict is stored: trust the record, not the entry.
		o, _, err := w.Docs.Get(ctx, v.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Copy{}, false, err
		}
		if counts(o) && o.Nominee == d.Nominee && o.Kind == d.Kind {
			return copyOf(o), true, nil
		}
	}
	return Copy{}, false, nil
}

// duplicate refuses d as a repeat of the copy first, naming it.
func duplicate(d dossier.Document, first Copy, r dossier.Round) dossier.Document {
	d.Status, d.Reason, d.DuplicateOf = dossier.StatusRejected, ReasonDuplicate, first.ID
	what := fmt.Sprintf("«%s» (mã %s, nhận lúc %s", first.File, first.ID, r.FormatTime(first.ReceivedAt))
	if first.Kind != "" {
		what += ", " + lowerFirst(first.Kind.Label())
	}
	if n, ok := r.Nominee(first.Nominee); ok {
		what += " của " + n.Name
	}
	what += ")"
	if first.Status == dossier.StatusNeedsReview {
		d.Message = "Tệp trùng với tài liệu đã nộp trước " + what + ", đang chờ xác nhận loại tài liệu và người nộp; không lưu thêm bản nữa. Hãy xác nhận tài liệu đó."
	} else {
		d.Message = "Tệp trùng với tài liệu đã nộp trước " + what + "; không lưu thêm phiên bản."
	}
	return d
}

// store saves the verdict, then publishes it. A crash in between is mended by the redelivery,
// which finds the verdict stored and publishes it again (de-duplicated by message id).
func (w *Worker) store(ctx context.Context, d dossier.Document, rev uint64) error {
	if err := w.Docs.Update(ctx, d, rev); err != nil {
		if bus.IsConflict(err) {
			return errors.New("document record changed during processing")
		}
		return err
	}
	if w.Audit != nil {
		id := "verdict-" + d.ID
		if d.Revision > 1 {
			id += fmt.Sprintf("-r%d", d.Revision) // read again after a roster change
		}
		_ = w.Audit.Append(ctx, audit.Event{
			ID: id, Actor: "ingest", Action: "document.verdict", Round: d.Round, Target: d.ID,
			Details: map[string]string{"status": d.Status, "kind": string(d.Kind), "nominee": d.Nominee, "reason": d.Reason},
		})
	}
	return w.publish(ctx, d, "verdict")
}

// publish announces the verdict and then forgets the document's pending marker.
func (w *Worker) publish(ctx context.Context, d dossier.Document, typ string) error {
	if err := PublishEvent(ctx, w.JS, d, typ); err != nil {
		return err
	}
	if err := w.Docs.ClearPending(ctx, d.ID); err != nil {
		w.Log.Warn("ingest: pending marker stays; the sweep will clear it", "document_id", d.ID, "err", err)
	}
	return nil
}

// Sweep makes sure every document handed to the pipeline gets its verdict published: one
// whose announcement may have been lost (the receiving process died) is announced again,
// one whose verdict was stored but not published is published. Older than grace only, so
// that uploads in flight are left alone. Announcements carry the document's message id, so a
// document already in the stream is not handled twice.
func (w *Worker) Sweep(ctx context.Context, grace time.Duration) (int, error) {
	ids, err := w.Docs.Pending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		d, _, err := w.Docs.Get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			_ = w.Docs.ClearPending(ctx, id)
		case err != nil:
			return n, err
		case d.Final():
			if err := w.publish(ctx, d, "verdict"); err != nil {
				return n, err
			}
			n++
		case w.Now().Sub(d.ReceivedAt) > grace:
			if err := Announce(ctx, w.JS, d); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func (w *Worker) sweepLoop(ctx context.Context, every time.Duration) {
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

// PublishEvent announces a document's verdict (or review) to the dossier projection; the
// message id makes a repeated publication of the same revision harmless.
func PublishEvent(ctx context.Context, js jetstream.JetStream, d dossier.Document, typ string) error {
	data, err := json.Marshal(dossier.DocumentEvent{Type: typ, Document: d})
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: dossier.DocumentSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("doc-%s-%d", d.ID, d.Revision))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("ingest: publish verdict %s: %w", d.ID, err)
	}
	return nil
}

// fail records rejected: internal_error for a document the pipeline could not handle.
func (w *Worker) fail(ctx context.Context, id string, cause error) error {
	d, rev, err := w.Docs.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Final() {
		return w.publish(ctx, d, "verdict")
	}
	d = reject(d, ReasonInternalError, "Lỗi hệ thống khi xử lý tệp; tệp vẫn được lưu, hãy báo quản trị viên hoặc tải lên lại.")
	d.VerdictAt, d.Revision = w.Now().UTC(), 1
	// A delivery that failed late may have recorded the file as a copy of its bytes: it no
	// longer stands, so the same file sent again must not be called its duplicate.
	if err := w.Docs.recordCopy(ctx, d); err != nil {
		return err
	}
	return w.store(ctx, d, rev)
}

// subscribeMaxDeliveries listens for the server's advisory about a message that ran out of
// deliveries and records its document as internal_error.
func (w *Worker) subscribeMaxDeliveries() (*nats.Subscription, error) {
	nc := w.JS.Conn()
	subject := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + bus.StreamIngest + "." + ConsumerName
	sub, err := nc.QueueSubscribe(subject, "tinnhiem-ingest-advisory", func(m *nats.Msg) {
		var adv struct {
			StreamSeq uint64 `json:"stream_seq"`
		}
		if json.Unmarshal(m.Data, &adv) != nil || adv.StreamSeq == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := w.JS.Stream(ctx, bus.StreamIngest)
		if err != nil {
			return
		}
		raw, err := st.GetMsg(ctx, adv.StreamSeq)
		if err != nil {
			return
		}
		var up Uploaded
		if json.Unmarshal(raw.Data, &up) != nil {
			return
		}
		if err := w.fail(ctx, up.DocumentID, errors.New("max deliveries")); err != nil {
			w.Log.Error("ingest: record max-deliveries", "document_id", up.DocumentID, "err", err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: advisory subscription: %w", err)
	}
	return sub, nil
}
