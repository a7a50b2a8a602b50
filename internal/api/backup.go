package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"tinnhiem/internal/app"
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

// backup serves GET /api/v1/backup to admins: a backup of every stream, bucket and object
// store, made while the system runs and streamed as it is made (package backup), with its
// sha256 and counts in trailers.
func (s *Server) backup(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.BackupSystem, nil) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
		return
	}
	start := time.Now()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="tinnhiem-`+start.UTC().Format("20060102-150405")+`.tnbackup"`)
	h.Set("Trailer", BackupSHA256Trailer+", "+BackupStreamsTrailer+", "+BackupMessagesTrailer+", "+BackupErrorTrailer)
	rc := http.NewResponseController(w)
	// A backup takes as long as the data takes to copy: no write deadline of the server's
	// applies to it (where the server sets none, this does nothing).
	_ = rc.SetWriteDeadline(time.Time{})
	out := &flushingWriter{w: w, rc: rc}
	started := false
	res, err := s.App.Backup(r.Context(), p, &startingWriter{out: out, start: func() { started = true; w.WriteHeader(http.StatusOK) }},
		func(pr backup.Progress) {
			if pr.Done == pr.Streams || time.Since(out.lastLog) > 10*time.Second {
				out.lastLog = time.Now()
				s.Log.InfoContext(r.Context(), "backup progress", "stream", pr.Stream, "streams_done", pr.Done, "streams", pr.Streams, "bytes", pr.Bytes)
			}
		})
	if err == nil {
		err = out.err
	}
	if err != nil && !started {
		// Refused before a byte was sent (no key): an ordinary error answer.
		h.Del("Trailer")
		h.Del("Content-Disposition")
		s.fail(w, r, err)
		return
	}
	if err != nil {
		h.Set(BackupErrorTrailer, err.Error())
		s.Log.ErrorContext(r.Context(), "backup failed", "actor", p.Username, "err", err)
		return
	}
	m := res.Manifest
	h.Set(BackupSHA256Trailer, res.SHA256)
	h.Set(BackupStreamsTrailer, strconv.Itoa(len(m.Streams)))
	h.Set(BackupMessagesTrailer, strconv.FormatUint(m.Messages(), 10))
	s.Log.InfoContext(r.Context(), "backup written", "actor", p.Username, "streams", len(m.Streams), "messages", m.Messages(), "bytes", res.Bytes, "sha256", res.SHA256, "took", time.Since(start).Round(time.Millisecond))
}

// startingWriter sends the answer's status line with the first byte of the backup, so that a
// backup refused before it starts is answered as the error it is.
type startingWriter struct {
	out     io.Writer
	start   func()
	started bool
}

func (s *startingWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.start()
	}
	return s.out.Write(p)
}

// flushingWriter sends each part of the backup as it is written, so that neither the server
// nor a proxy holds the file in memory.
type flushingWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	err     error
	lastLog time.Time
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	if err == nil {
		err = f.rc.Flush()
	}
	if err != nil {
		f.err = fmt.Errorf("send backup: %w", err)
		return n, f.err
	}
	return n, nil
}
