package bus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// The embedded store is encrypted at rest with nats-server's JetStream encryption (keys per
// stream and per block derived from the store key; see storeCipher for the cipher). nats-server
// encrypts a plaintext stream it recovers with a key set, block by block in place; it silently
// skips a stream whose key does not open it — and a provisioning that followed would then
// create an empty stream over it. So before the server that serves starts, the store is
// inspected: a plaintext store is converted under a safety copy and checked message for message,
// an encrypted store without its key is refused, and after the start every stream on disk must
// have been recovered, or the key was the wrong one.

// storedStream is a stream directory found on disk.
type storedStream struct {
	account, name string
	encrypted     bool  // has meta.key: written by a server with a key
	keySize       int64 // of meta.key (see storeCipher)
}

func (s storedStream) id() string { return s.account + " > " + s.name }

// inspectStore lists the streams stored under storeDir (nats-server's layout:
// <store>/jetstream/<account>/streams/<stream>/meta.inf).
func inspectStore(storeDir string) ([]storedStream, error) {
	accounts, err := os.ReadDir(filepath.Join(storeDir, server.JetStreamStoreDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bus: read store %s: %w", storeDir, err)
	}
	var out []storedStream
	for _, acc := range accounts {
		if !acc.IsDir() {
			continue
		}
		dir := filepath.Join(storeDir, server.JetStreamStoreDir, acc.Name(), "streams")
		streams, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bus: read store %s: %w", dir, err)
		}
		for _, st := range streams {
			// A leading dot marks a stream being deleted; nats-server removes it on start.
			if !st.IsDir() || strings.HasPrefix(st.Name(), ".") {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, st.Name(), server.JetStreamMetaFile)); err != nil {
				continue
			}
			ss := storedStream{account: acc.Name(), name: st.Name()}
			if fi, err := os.Stat(filepath.Join(dir, st.Name(), server.JetStreamMetaFileKey)); err == nil {
				ss.encrypted, ss.keySize = true, fi.Size()
			}
			out = append(out, ss)
		}
	}
	return out, nil
}

// Key files: nats-server keeps each stream's key in meta.key sealed with a key derived from the
// store key, the nonce before it — 24 bytes for XChaCha20-Poly1305, 16 for AES-GCM — so that
// with the 32-byte key and the 16-byte tag the file tells the cipher it was written with.
const (
	chachaKeyFileSize = 24 + 32 + 16
	aesKeyFileSize    = 16 + 32 + 16
)

// storeCipher is the cipher the embedded store is encrypted with: a store already encrypted
// keeps the cipher it was written with; a new store, or one still unencrypted, gets AES-GCM.
//
// Earlier releases wrote ChaCha20-Poly1305. Its block cipher has no assembly on amd64 in
// golang.org/x/crypto: the server spent 90 µs a 60 KB upload encrypting it, where AES (with the
// processor's AES instructions) takes 9. A store is never converted from one cipher to the
// other in place: nats-server 2.15.2, started with the other cipher, loses the streams it holds
// empty (it removes their key file, then cannot recreate them: "corrupt state file"). A store
// whose streams were written with both ciphers, or with a key file of neither size, is refused.
func storeCipher(stored []storedStream) (server.StoreCipher, error) {
	var chacha, aes []string
	for _, st := range stored {
		switch {
		case !st.encrypted:
		case st.keySize == chachaKeyFileSize:
			chacha = append(chacha, st.name)
		case st.keySize == aesKeyFileSize:
			aes = append(aes, st.name)
		default:
			return 0, fmt.Errorf("bus: the key file of stream %s (%s) is %d bytes, written with no cipher nats-server has: the store cannot be opened", st.name, st.account, st.keySize)
		}
	}
	switch {
	case len(chacha) > 0 && len(aes) > 0:
		return 0, fmt.Errorf("bus: the store mixes streams encrypted with ChaCha20 (%s) and AES (%s): it cannot be opened with one cipher", strings.Join(chacha, ", "), strings.Join(aes, ", "))
	case len(chacha) > 0:
		return server.ChaCha, nil
	}
	return server.AES, nil
}

// streamCounts is what must survive a conversion unchanged, per stream.
type streamCounts struct {
	msgs, first, last uint64
}

// loadedStreams asks a running server which streams it recovered, with their counts.
func loadedStreams(srv *server.Server) (map[string]streamCounts, error) {
	info, err := srv.Jsz(&server.JSzOptions{Accounts: true, Streams: true})
	if err != nil {
		return nil, fmt.Errorf("bus: list recovered streams: %w", err)
	}
	out := map[string]streamCounts{}
	for _, acc := range info.AccountDetails {
		for _, st := range acc.Streams {
			out[storedStream{account: acc.Name, name: st.Name}.id()] = streamCounts{st.State.Msgs, st.State.FirstSeq, st.State.LastSeq}
		}
	}
	return out, nil
}

// checkRecovered fails when a stream found on disk before the start was not recovered: its
// meta file did not open with the key given.
func checkRecovered(srv *server.Server, stored []storedStream) error {
	loaded, err := loadedStreams(srv)
	if err != nil {
		return err
	}
	var missing []string
	for _, st := range stored {
		if _, ok := loaded[st.id()]; !ok {
			missing = append(missing, st.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("khóa mã hóa không mở được dữ liệu đã lưu (%s): đây không phải khóa đã mã hóa kho này (hoặc các luồng đó bị hỏng); hãy dùng đúng tệp khóa (--encryption-key-file) — không có gì bị thay đổi / "+
		"the encryption key does not open the stored streams %s: wrong key file (or damaged streams); nothing was changed", strings.Join(missing, ", "), strings.Join(missing, ", "))
}

// Suffixes of the safety copy a conversion keeps until the encrypted store is checked.
const (
	plainCopySuffix    = ".unencrypted"
	plainCopyTmpSuffix = ".unencrypted.tmp"
)

// recoverInterruptedConversion undoes a conversion that stopped half-way: a complete safety
// copy (renamed from .tmp only once every file was copied) is the store as it was before, so
// it takes the store's place again and the conversion runs anew; an incomplete copy means the
// store itself was not yet touched, and the copy is dropped.
func recoverInterruptedConversion(storeDir string, logf func(string, ...any)) error {
	if err := os.RemoveAll(storeDir + plainCopyTmpSuffix); err != nil {
		return fmt.Errorf("bus: remove incomplete safety copy: %w", err)
	}
	copyDir := storeDir + plainCopySuffix
	if _, err := os.Stat(copyDir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	logf("an earlier conversion to an encrypted store was interrupted; putting back the unencrypted copy %s and converting again", copyDir)
	if err := os.RemoveAll(storeDir); err != nil {
		return fmt.Errorf("bus: remove half-converted store: %w", err)
	}
	if err := os.Rename(copyDir, storeDir); err != nil {
		return fmt.Errorf("bus: put back unencrypted copy %s: %w", copyDir, err)
	}
	return nil
}

// convertStore encrypts a store that holds plaintext streams. It reads every stream's counts
// with a server that has no key, keeps a complete copy of the store, starts a server with the
// key (nats-server encrypts what it recovers) and compares the counts. Only when every stream
// is there with the same messages is the copy removed; otherwise the copy is put back and the
// start refused, nothing lost.
func convertStore(cfg EmbeddedConfig, plain []storedStream, cipher server.StoreCipher, logf func(string, ...any)) error {
	names := make([]string, len(plain))
	for i, st := range plain {
		names[i] = st.name
	}
	logf("Kho dữ liệu chưa được mã hóa (%s): đang chuyển sang mã hóa, một bản sao tạm được giữ đến khi kiểm tra xong / "+
		"the store holds unencrypted streams (%s): converting it to an encrypted store under a safety copy",
		strings.Join(names, ", "), strings.Join(names, ", "))

	before, err := countsWith(cfg.StoreDir, Key{}, cipher)
	if err != nil {
		return fmt.Errorf("bus: read the unencrypted store before converting: %w", err)
	}
	if err := copyTree(cfg.StoreDir, cfg.StoreDir+plainCopyTmpSuffix); err != nil {
		_ = os.RemoveAll(cfg.StoreDir + plainCopyTmpSuffix)
		return fmt.Errorf("không chép được kho dữ liệu trước khi mã hóa (%v). Cần chỗ trống bằng cỡ thư mục %s; giải phóng chỗ rồi chạy lại. Dữ liệu không bị thay đổi / "+
			"cannot copy the store before encrypting it: free as much space as %s takes and start again; nothing was changed", err, cfg.StoreDir, cfg.StoreDir)
	}
	if err := os.Rename(cfg.StoreDir+plainCopyTmpSuffix, cfg.StoreDir+plainCopySuffix); err != nil {
		return fmt.Errorf("bus: safety copy: %w", err)
	}
	err = dropEmptyBlocks(cfg.StoreDir, plain)
	if err == nil {
		// The first start with the key encrypts; a second one proves the result opens.
		_, err = countsWith(cfg.StoreDir, cfg.Key, cipher)
	}
	var after map[string]streamCounts
	if err == nil {
		after, err = countsWith(cfg.StoreDir, cfg.Key, cipher)
	}
	if err == nil {
		err = sameCounts(before, after)
	}
	if err != nil {
		if rerr := recoverInterruptedConversion(cfg.StoreDir, logf); rerr != nil {
			return fmt.Errorf("bus: conversion failed (%v) and the unencrypted copy %s could not be put back: %w", err, cfg.StoreDir+plainCopySuffix, rerr)
		}
		return fmt.Errorf("chuyển kho dữ liệu sang mã hóa không thành (%v); kho chưa mã hóa đã được đặt lại nguyên vẹn / "+
			"converting the store to encryption failed; the unencrypted store was put back unchanged: %w", err, err)
	}
	if err := os.RemoveAll(cfg.StoreDir + plainCopySuffix); err != nil {
		return fmt.Errorf("bus: remove the unencrypted copy %s after converting: %w", cfg.StoreDir+plainCopySuffix, err)
	}
	logf("Đã mã hóa kho dữ liệu: %d luồng, không mất tin nào / store converted to encryption: %d streams, every message kept", len(before), len(before))
	return nil
}

// dropEmptyBlocks removes the empty message block files of plaintext streams: nats-server
// (2.15) fails to convert a stream whose only block is empty — a stream never written to —
// and refuses it as corrupt on the next start. An empty block holds no message and no
// tombstone; the server rebuilds its state from the other blocks.
func dropEmptyBlocks(storeDir string, plain []storedStream) error {
	for _, st := range plain {
		blocks, err := filepath.Glob(filepath.Join(storeDir, server.JetStreamStoreDir, st.account, "streams", st.name, "msgs", "*.blk"))
		if err != nil {
			return err
		}
		for _, b := range blocks {
			if fi, err := os.Stat(b); err == nil && fi.Size() == 0 {
				if err := os.Remove(b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// countsWith starts a private server (no listener, no clients) on storeDir with key and
// returns what it recovered.
func countsWith(storeDir string, key Key, cipher server.StoreCipher) (map[string]streamCounts, error) {
	srv, err := newServer(&server.Options{
		ServerName: "tinnhiem-convert", JetStream: true, StoreDir: storeDir,
		DontListen: true, NoSigs: true, NoLog: true,
		JetStreamKey: key.Secret(), JetStreamCipher: cipher,
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	return loadedStreams(srv)
}

func sameCounts(before, after map[string]streamCounts) error {
	var diffs []string
	for id, b := range before {
		a, ok := after[id]
		switch {
		case !ok:
			diffs = append(diffs, id+" missing")
		case a != b:
			diffs = append(diffs, fmt.Sprintf("%s: %d messages %d..%d, was %d messages %d..%d", id, a.msgs, a.first, a.last, b.msgs, b.first, b.last))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		return errors.New(strings.Join(diffs, "; "))
	}
	return nil
}

// copyTree copies the regular files and directories under src to dst, syncing each file.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
