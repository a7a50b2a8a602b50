package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/backup"
)

// Trailers of a backup download. The status line is sent before the backup is made, so the
// outcome comes after the body: a download without BackupSHA256Trailer failed, whatever its
// status, and BackupErrorTrailer says why.
const (
	BackupSHA256Trailer   = "X-Tinnhiem-Backup-Sha256"
	BackupStreamsTrailer  = "X-Tinnhiem-Backup-Streams"
	BackupMessagesTrailer = "X-Tinnhiem-Backup-Messages"
	BackupErrorTrailer    = "X-Tinnhiem-Backup-Error"
)

// BackupConfig is what the backup route needs.
type BackupConfig struct {
	JS jetstream.JetStream
	// Key returns the key that encrypts backups (the store key); an error answers 503.
	Key       func() ([]byte, error)
	Principal func(*http.Request) (auth.Principal, bool) // the authenticated caller
	Audit     *audit.Log
	Log       *slog.Logger
	Now       func() time.Time
}

// BackupHandler serves GET /api/v1/backup to admins: a backup of every stream, bucket and
// object store, made while the system runs and streamed as it is made (see package backup),
// with its sha256 and counts in trailers. Mount it behind the bearer-token check.
func BackupHandler(cfg BackupConfig) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := cfg.Principal(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "unauthorized", "cần đăng nhập (Authorization: Bearer <token>)")
			return
		}
		if !p.IsAdmin() {
			forbidden(w)
			return
		}
		key, err := cfg.Key()
		if err != nil {
			cfg.Log.Error("backup: no key", "err", err)
			writeError(w, http.StatusServiceUnavailable, "no_backup_key", "máy chủ chưa có khóa mã hóa cho bản sao lưu (serve --encryption-key-file)")
			return
		}
		start := cfg.Now()
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="tinnhiem-`+start.UTC().Format("20060102-150405")+`.tnbackup"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Trailer", BackupSHA256Trailer+", "+BackupStreamsTrailer+", "+BackupMessagesTrailer+", "+BackupErrorTrailer)
		rc := http.NewResponseController(w)
		// A backup takes as long as the data takes to copy: no write deadline of the server's
		// applies to it (where the server sets none, this does nothing).
		_ = rc.SetWriteDeadline(time.Time{})
		w.WriteHeader(http.StatusOK)

		out := &flushingWriter{w: w, rc: rc, sum: sha256.New()}
		m, err := backup.Write(r.Context(), cfg.JS, out, key, func(pr backup.Progress) {
			if pr.Done == pr.Streams || time.Since(out.lastLog) > 10*time.Second {
				out.lastLog = time.Now()
				cfg.Log.Info("backup progress", "stream", pr.Stream, "streams_done", pr.Done, "streams", pr.Streams, "bytes", pr.Bytes)
			}
		})
		if err == nil {
			err = out.err
		}
		if err != nil {
			h.Set(BackupErrorTrailer, err.Error())
			cfg.Log.Error("backup failed", "actor", p.Username, "err", err)
			_ = cfg.Audit.Append(r.Context(), audit.Event{Actor: p.Username, Action: "system.backup_failed", Details: map[string]string{"error": err.Error()}})
			return
		}
		sum := hex.EncodeToString(out.sum.Sum(nil))
		h.Set(BackupSHA256Trailer, sum)
		h.Set(BackupStreamsTrailer, strconv.Itoa(len(m.Streams)))
		h.Set(BackupMessagesTrailer, strconv.FormatUint(m.Messages(), 10))
		cfg.Log.Info("backup written", "actor", p.Username, "streams", len(m.Streams), "messages", m.Messages(), "bytes", out.n, "sha256", sum, "took", cfg.Now().Sub(start).Round(time.Millisecond))
		_ = cfg.Audit.Append(r.Context(), audit.Event{Actor: p.Username, Action: "system.backup", Details: map[string]string{
			"sha256": sum, "bytes": fmt.Sprint(out.n), "streams": fmt.Sprint(len(m.Streams)), "messages": fmt.Sprint(m.Messages()),
		}})
	})
}

// flushingWriter sends each part of the backup as it is written, so that neither the server
// nor a proxy holds the file in memory, and sums what was sent.
type flushingWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	sum     hash.Hash
	n       int64
	err     error
	lastLog time.Time
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	f.sum.Write(p[:n])
	f.n += int64(n)
	if err == nil {
		err = f.rc.Flush()
	}
	if err != nil {
		f.err = fmt.Errorf("send backup: %w", err)
		return n, f.err
	}
	return n, nil
}
