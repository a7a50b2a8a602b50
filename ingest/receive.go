package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
)

// Reason codes decided at receipt, before any worker sees the file.
const (
	ReasonTooLarge      = "too_large"
	ReasonEmpty         = "empty"
	ReasonUnknownRound  = "unknown_round"
	ReasonInternalError = "internal_error"
)

// UploadedSubject is where a received file is announced to the ingest workers.
func UploadedSubject(round string) string { return "tn.ingest." + round + ".uploaded" }

// Uploaded is the message body of tn.ingest.<round>.uploaded.
type Uploaded struct {
	DocumentID string `json:"document_id"`
	Round      string `json:"round"`
	// Recheck, set to the round's version, asks for a document refused because it named nobody
	// of the round to be read again against the round as it now is (a person was added).
	Recheck int `json:"recheck,omitempty"`
}

// Receiver stores uploaded files as they stream in and hands them to the pipeline.
type Receiver struct {
	Objects   jetstream.ObjectStore
	Docs      *Documents
	JS        jetstream.JetStream
	MaxUpload int64
	Now       func() time.Time
}

// Upload describes one incoming file.
type Upload struct {
	Round    string
	File     string // the name the uploader's system gave it
	Declared Declared
	Uploader string
	Body     io.Reader
}

// ErrTooLarge is returned (wrapped) when a body passes MaxUpload; the document is recorded as
// rejected so the uploader can see why.
var ErrTooLarge = errors.New("file too large")

// Store streams the body into the object store (never whole in memory) and returns the
// document with the server's receipt time, size and sha256, not yet committed. A file over the
// size limit is not kept: its record is stored at once as rejected: too_large.
func (rc *Receiver) Store(ctx context.Context, up Upload) (dossier.Document, error) {
	now := rc.Now().UTC()
	d := dossier.Document{
		ID:              NewID(now),
		Round:           up.Round,
		File:            SanitizeFilename(up.File),
		ReceivedAt:      now,
		Uploader:        up.Uploader,
		DeclaredKind:    up.Declared.Kind,
		DeclaredNominee: up.Declared.Nominee,
		Status:          dossier.StatusPending,
		Warnings:        []string{},
	}
	h := sha256.New()
	lr := &limitReader{r: up.Body, left: rc.MaxUpload, h: h}
	meta := jetstream.ObjectMeta{
		Name:        d.ID,
		Description: d.File,
		Headers:     nats.Header{"Round": []string{up.Round}, "Uploader": []string{up.Uploader}},
	}
	info, err := rc.Objects.Put(ctx, meta, lr)
	if lr.over {
		// Nothing of the file is kept; the record says why.
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		d.Size = lr.n
		d.Status, d.Reason = dossier.StatusRejected, ReasonTooLarge
		d.Message = fmt.Sprintf("Tệp quá lớn: giới hạn là %s mỗi tệp.", humanBytes(rc.MaxUpload))
		d.VerdictAt, d.Revision = now, 1
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
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		return dossier.Document{}, fmt.Errorf("ingest: store upload %s: %w", d.File, err)
	}
	d.Size = int64(info.Size)
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

// Commit records a stored upload (with the declared values known by now) and hands it to the
// workers. Only a committed upload is accepted; a failure undoes everything.
func (rc *Receiver) Commit(ctx context.Context, d dossier.Document) (dossier.Document, error) {
	if d.Final() {
		// Decided at receipt (too large) and already recorded: the dossier still hears of it.
		if err := PublishEvent(ctx, rc.JS, d, "verdict"); err != nil {
			return d, err
		}
		_ = rc.Docs.ClearPending(ctx, d.ID) // else the sweep clears it after publishing again
		return d, nil
	}
	// The marker comes first and stays until the verdict is published: should this process
	// die anywhere after it, the ingest workers' sweep announces the file again (or, finding
	// no record, forgets the marker).
	if err := rc.Docs.MarkPending(ctx, d.ID, d.ReceivedAt); err != nil {
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		return dossier.Document{}, err
	}
	if err := rc.Docs.Create(ctx, d); err != nil {
		_ = rc.Docs.ClearPending(context.WithoutCancel(ctx), d.ID)
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		return dossier.Document{}, err
	}
	if err := Announce(ctx, rc.JS, d); err != nil {
		// Not announced means not accepted: undo, so no record waits forever for a verdict.
		_ = rc.Docs.ClearPending(context.WithoutCancel(ctx), d.ID)
		_ = rc.Docs.Delete(context.WithoutCancel(ctx), d.ID)
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
		return dossier.Document{}, err
	}
	return d, nil
}

// Discard removes a stored upload that will not be committed.
func (rc *Receiver) Discard(ctx context.Context, d dossier.Document) {
	if !d.Final() {
		_ = rc.Objects.Delete(context.WithoutCancel(ctx), d.ID)
	}
}

// Announce publishes tn.ingest.<round>.uploaded for a recorded document. The message id makes a
// second announcement of the same document (by the sweep) harmless.
func Announce(ctx context.Context, js jetstream.JetStream, d dossier.Document) error {
	data, _ := json.Marshal(Uploaded{DocumentID: d.ID, Round: d.Round})
	msg := &nats.Msg{Subject: UploadedSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "uploaded-"+d.ID)
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if _, err = js.PublishMsg(ctx, msg); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return fmt.Errorf("ingest: announce %s: %w", d.ID, err)
}

// AnnounceRecheck asks the ingest workers to read document id again against version version of
// its round (see Uploaded.Recheck); the message id makes the request once per round version.
func AnnounceRecheck(ctx context.Context, js jetstream.JetStream, round, id string, version int) error {
	data, _ := json.Marshal(Uploaded{DocumentID: id, Round: round, Recheck: version})
	msg := &nats.Msg{Subject: UploadedSubject(round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("recheck-%s-v%d", id, version))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("ingest: announce recheck of %s: %w", id, err)
	}
	return nil
}

// NamesNobody reports whether a verdict is a refusal only because the paper named nobody of
// the round (and no person has confirmed it since): one a change of roster may settle.
func NamesNobody(d dossier.DocEntry) bool {
	return d.Status == dossier.StatusRejected && d.Reason == ReasonUnknownNominee
}

// limitReader counts and hashes what passes and stops with ErrTooLarge past the limit.
type limitReader struct {
	r    io.Reader
	left int64
	n    int64
	h    hash.Hash
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
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.n += int64(n)
	l.h.Write(p[:n])
	return n, err
}

// SanitizeFilename keeps the base name of what the uploader sent, in NFC, without path parts,
// control characters or characters that break headers and file systems.
func SanitizeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base(name)
	name = norm.NFC.String(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), r == '"', r == '/', r == ':', r == '*', r == '?', r == '<', r == '>', r == '|', r > 0xFFFF:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" || s == "." || s == ".." {
		s = "tai-lieu.pdf"
	}
	if r := []rune(s); len(r) > 150 {
		ext := filepath.Ext(s)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		s = string(r[:150-len([]rune(ext))]) + ext
	}
	return s
}

// humanBytes writes a size limit for people: a whole number of MB or KB when it is one, else
// two decimals (with the Vietnamese decimal comma) rounded down — a limit shown above its true
// value would let a refused file look smaller than the limit — and the exact bytes.
func humanBytes(n int64) string {
	unit, name := int64(0), ""
	switch {
	case n >= 1<<20:
		unit, name = 1<<20, "MB"
	case n >= 1<<10:
		unit, name = 1<<10, "KB"
	default:
		return groupDigits(n) + " byte"
	}
	if n%unit == 0 {
		return fmt.Sprintf("%d %s", n/unit, name)
	}
	hundredths := n * 100 / unit
	s := fmt.Sprintf("%d,%02d", hundredths/100, hundredths%100)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ",0")
	return fmt.Sprintf("%s %s (%s byte)", s, name, groupDigits(n))
}

// groupDigits writes n with dots between thousands, as Vietnamese does.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
