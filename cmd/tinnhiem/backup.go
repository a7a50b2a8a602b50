package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/api"
	"tinnhiem/internal/backup"
	"tinnhiem/internal/bus"
)

// BackupPath is the API route of an online backup (api.BackupHandler).
const BackupPath = "/api/v1/backup"

// backup downloads an online backup from the server: `tinnhiem backup -o FILE`, or
// `-o DIR/ [--keep N]` for a dated file in DIR, keeping the N newest. The file is written beside
// its final name and renamed only once the server's sha256 trailer matches what arrived, so no
// file of that name is ever a partial backup.
func (e *cmdEnv) backup(args []string) error {
	fs := e.flags("backup")
	cf := e.clientFlags(fs)
	out := fs.String("o", "", "file to write the backup to, or a directory (ending in /) for a dated file")
	keep := fs.Int("keep", 0, "with -o DIR/: keep only this many newest backups in DIR")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) > 0 {
		return usageError{"cách dùng: tinnhiem backup -o FILE | -o DIR/ [--keep N]"}
	}
	dir := ""
	if fi, err := os.Stat(*out); strings.HasSuffix(*out, "/") || (err == nil && fi.IsDir()) {
		dir = *out
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("sao lưu: %w", err)
		}
	}
	if *keep < 0 || (*keep > 0 && dir == "") {
		return usageError{"--keep N dùng với -o DIR/ (N > 0)"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	cl.HTTP.Timeout = 0 // a backup takes as long as the data takes; the context bounds it
	resp, err := cl.Open(e.ctx, BackupPath)
	if err != nil {
		return fmt.Errorf("sao lưu: %w", err)
	}
	defer resp.Body.Close()
	target := *out
	if dir != "" {
		target = filepath.Join(dir, backupName(resp.Header.Get("Content-Disposition"), time.Now()))
	}

	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.part")
	if err != nil {
		return fmt.Errorf("sao lưu: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	sum := sha256.New()
	var progress io.Writer = io.Discard
	if !*quiet {
		progress = e.stderr
	}
	n, err := io.Copy(io.MultiWriter(tmp, sum, &byteMeter{w: progress, every: 2 * time.Second}), resp.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sao lưu: nhận dữ liệu: %w", err)
	}
	if msg := resp.Trailer.Get(api.BackupErrorTrailer); msg != "" {
		return fmt.Errorf("sao lưu thất bại trên máy chủ: %s", msg)
	}
	want := resp.Trailer.Get(api.BackupSHA256Trailer)
	got := hex.EncodeToString(sum.Sum(nil))
	if want == "" {
		return errors.New("sao lưu không trọn: máy chủ không gửi mã kiểm tra (kết nối bị ngắt?); không có tệp nào được ghi")
	}
	if want != got {
		return fmt.Errorf("sao lưu hỏng khi truyền: sha256 %s, máy chủ gửi %s; không có tệp nào được ghi", got, want)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("sao lưu: %w", err)
	}
	fmt.Fprintf(e.stdout, "Đã sao lưu vào %s: %d byte, %s luồng, %s tin; sha256 %s\n", target, n,
		resp.Trailer.Get(api.BackupStreamsTrailer), resp.Trailer.Get(api.BackupMessagesTrailer), got)
	if *keep > 0 {
		removed, err := pruneBackups(dir, *keep)
		for _, r := range removed {
			fmt.Fprintf(e.stdout, "Đã xoá bản cũ %s\n", r)
		}
		if err != nil {
			return fmt.Errorf("sao lưu: xoá bản cũ: %w", err)
		}
	}
	return nil
}

// backupFile matches the names of dated backups; only such files are ever pruned.
var backupFile = regexp.MustCompile(`^tinnhiem-\d{8}-\d{6}\.tnbackup$`)

// backupName is the server's name for the file (Content-Disposition), or one made from now.
func backupName(disposition string, now time.Time) string {
	if _, params, err := mime.ParseMediaType(disposition); err == nil && backupFile.MatchString(params["filename"]) {
		return params["filename"]
	}
	return "tinnhiem-" + now.UTC().Format("20060102-150405") + ".tnbackup"
}

// pruneBackups removes all but the keep newest dated backups of dir (their names sort by date).
func pruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, en := range entries {
		if en.Type().IsRegular() && backupFile.MatchString(en.Name()) {
			names = append(names, en.Name())
		}
	}
	sort.Strings(names)
	var removed []string
	for _, name := range names[:max(0, len(names)-keep)] {
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// byteMeter reports how much has passed, at most every so often.
type byteMeter struct {
	w     io.Writer
	every time.Duration
	n     int64
	last  time.Time
}

func (m *byteMeter) Write(p []byte) (int, error) {
	m.n += int64(len(p))
	if time.Since(m.last) >= m.every {
		m.last = time.Now()
		fmt.Fprintf(m.w, "… %.1f MB\n", float64(m.n)/1e6)
	}
	return len(p), nil
}

// restore brings a backup back: offline into an empty data directory (its own embedded server,
// started and stopped here), or with --nats-url into a NATS server or cluster that has none of
// the backup's streams.
func (e *cmdEnv) restore(args []string) error {
	fs := e.flags("restore")
	data := fs.String("data", e.getenv("TINNHIEM_DATA"), "empty data directory to restore into (env TINNHIEM_DATA)")
	natsURL := fs.String("nats-url", "", "restore into this NATS server or cluster instead of a data directory")
	replicas := fs.Int("replicas", 0, "with --nats-url: replicas of every restored stream (default: as backed up)")
	backupKeyFile := fs.String("backup-key-file", "", "key the backup was encrypted with, when it is not the --encryption-key-file (a new key)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	nopt := e.natsFlags(fs, true)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"cách dùng: tinnhiem restore --data DIR [--encryption-key-file K] FILE"}
	}
	if (*data == "") == (*natsURL == "") {
		return usageError{"restore cần đúng một trong --data DIR (thư mục trống) hoặc --nats-url URL"}
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("khôi phục: %w", err)
	}
	defer f.Close()
	progress := func(backup.Progress) {}
	if !*quiet {
		var last time.Time
		progress = func(p backup.Progress) {
			if p.Done == p.Streams || time.Since(last) > 2*time.Second {
				last = time.Now()
				fmt.Fprintf(e.stderr, "… %d/%d luồng, %.1f MB (%s)\n", p.Done, p.Streams, float64(p.Bytes)/1e6, p.Stream)
			}
		}
	}
	var m backup.Manifest
	if *natsURL != "" {
		m, err = e.restoreToNATS(*natsURL, nopt, *backupKeyFile, *replicas, f, progress)
	} else {
		m, err = e.restoreOffline(*data, nopt, *backupKeyFile, f, progress)
	}
	if err != nil {
		return fmt.Errorf("khôi phục: %w", err)
	}
	fmt.Fprintf(e.stdout, "Đã khôi phục %d luồng, %d tin (bản sao lưu lúc %s)\n", len(m.Streams), m.Messages(), m.Created.Local().Format("02/01/2006 15:04:05"))
	return nil
}

func (e *cmdEnv) restoreOffline(dataDir string, nopt *natsOptions, backupKeyFile string, f *os.File, progress func(backup.Progress)) (backup.Manifest, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return backup.Manifest{}, err
	}
	if err := backup.CheckEmpty(abs); err != nil {
		return backup.Manifest{}, err
	}
	keyFile := nopt.keyFile
	if keyFile == "" {
		if keyFile, err = bus.DefaultKeyFile(abs); err != nil {
			return backup.Manifest{}, err
		}
	}
	// The backup's key must exist; the store key may be a new one (a key rotation) only when
	// the backup's is given apart.
	var backupKey bus.Key
	if backupKeyFile != "" {
		if backupKey, err = bus.LoadKey(backupKeyFile); err != nil {
			return backup.Manifest{}, err
		}
	} else if backupKey, err = bus.LoadKey(keyFile); err != nil {
		return backup.Manifest{}, fmt.Errorf("%w (cần khóa đã mã hóa bản sao lưu: --encryption-key-file, hoặc --backup-key-file khi dùng khóa mới)", err)
	}
	if _, err := backup.Verify(f, backupKey.Bytes()); err != nil {
		return backup.Manifest{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return backup.Manifest{}, err
	}
	storeKey, created, err := bus.LoadOrCreateKey(keyFile, abs)
	if err != nil {
		return backup.Manifest{}, err
	}
	if created {
		fmt.Fprintf(e.stderr, "Đã tạo khóa mã hóa mới %s (mode 0600); hãy sao lưu khóa này riêng.\n", storeKey.Path)
	}
	return backup.RestoreOffline(e.ctx, abs, storeKey, f, backupKey.Bytes(), progress)
}

func (e *cmdEnv) restoreToNATS(url string, nopt *natsOptions, backupKeyFile string, replicas int, f *os.File, progress func(backup.Progress)) (backup.Manifest, error) {
	if backupKeyFile == "" {
		backupKeyFile = nopt.keyFile
	}
	if backupKeyFile == "" {
		return backup.Manifest{}, usageError{"với --nats-url cần khóa của bản sao lưu: --backup-key-file (hoặc --encryption-key-file)"}
	}
	key, err := bus.LoadKey(backupKeyFile)
	if err != nil {
		return backup.Manifest{}, err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	nc, err := bus.DialAuth(url, "tinnhiem-restore", log, nopt.clientAuth())
	if err != nil {
		return backup.Manifest{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return backup.Manifest{}, err
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	return backup.Restore(ctx, js, f, key.Bytes(), backup.RestoreOptions{Replicas: replicas, Progress: progress})
}
