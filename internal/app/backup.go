package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/backup"
)

// Backup writes a backup of every stream, bucket and object store to w while the system runs
// (package backup: encrypted with the backup key, checksummed per part), for administrators;
// the backup, or its failure, is audited.
func (a *App) Backup(ctx context.Context, p auth.Principal, w io.Writer, progress func(backup.Progress)) (BackupResult, error) {
	if !May(p, BackupSystem, nil) {
		return BackupResult{}, forbidden(BackupSystem)
	}
	if a.cfg.BackupKey == nil {
		return BackupResult{}, fail(Unavailable, "no_backup_key", "máy chủ chưa có khóa mã hóa cho bản sao lưu (serve --encryption-key-file)")
	}
	key, err := a.cfg.BackupKey()
	if err != nil {
		a.log.ErrorContext(ctx, "backup: no key", "err", err)
		return BackupResult{}, fail(Unavailable, "no_backup_key", "máy chủ chưa có khóa mã hóa cho bản sao lưu (serve --encryption-key-file)")
	}
	sum := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(w, sum)}
	m, err := backup.Write(ctx, a.cfg.JS, cw, key, progress)
	if err != nil {
		a.audit(context.WithoutCancel(ctx), audit.Event{Actor: p.Username, Action: "system.backup_failed", Details: map[string]string{"error": err.Error()}})
		return BackupResult{}, internalf("backup: %w", err)
	}
	res := BackupResult{Manifest: m, SHA256: hex.EncodeToString(sum.Sum(nil)), Bytes: cw.n}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "system.backup", Details: map[string]string{
		"sha256": res.SHA256, "bytes": fmt.Sprint(res.Bytes), "streams": fmt.Sprint(len(m.Streams)), "messages": fmt.Sprint(m.Messages()),
	}})
	return res, nil
}

// BackupResult is a backup written: its manifest, and the sha256 and size of the file.
type BackupResult struct {
	Manifest backup.Manifest
	SHA256   string
	Bytes    int64
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
