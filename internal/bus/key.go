package bus

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileName is the store key's file name when no path is given: it lives beside the data
// directory, never inside it, so that a copy of the data directory is not a copy of its key.
const KeyFileName = "tinnhiem.key"

// minKeyLen is the shortest key accepted from a file: 32 characters, e.g. 16 random bytes in
// hex. Generated keys are 32 random bytes (64 hex characters).
const minKeyLen = 32

// DefaultKeyFile is where the store key of dataDir lives when none is named: tinnhiem.key in the
// directory that holds dataDir.
func DefaultKeyFile(dataDir string) (string, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(abs), KeyFileName), nil
}

// Key is the secret that encrypts the JetStream store (and, by default, backups).
type Key struct {
	secret string
	Path   string // where it was read from
}

// String hides the secret from logs and error messages.
func (k Key) String() string { return "key(" + k.Path + ")" }

// Secret is the key text handed to nats-server (JetStreamKey).
func (k Key) Secret() string { return k.secret }

// Bytes is the key as bytes, for deriving other keys from it (backups).
func (k Key) Bytes() []byte { return []byte(k.secret) }

// IsZero reports whether no key is set.
func (k Key) IsZero() bool { return k.secret == "" }

// NewKey makes a key from its text, checking its length.
func NewKey(secret, path string) (Key, error) {
	secret = strings.TrimSpace(secret)
	if len(secret) < minKeyLen {
		return Key{}, fmt.Errorf("khóa mã hóa %s quá ngắn (%d ký tự, cần ít nhất %d) / encryption key too short", path, len(secret), minKeyLen)
	}
	if strings.ContainsAny(secret, "\r\n") {
		return Key{}, fmt.Errorf("khóa mã hóa %s phải nằm trên một dòng / the key must be one line", path)
	}
	return Key{secret: secret, Path: path}, nil
}

// LoadOrCreateKey reads the key at path; a missing file is created with a random key, readable
// by its owner only (mode 0600), and created reports it. A key file inside dataDir is refused:
// the key must not travel with the data it protects. An empty dataDir skips that check.
func LoadOrCreateKey(path, dataDir string) (key Key, created bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Key{}, false, err
	}
	if dataDir != "" {
		if inside, err := isInside(abs, dataDir); err != nil {
			return Key{}, false, err
		} else if inside {
			return Key{}, false, fmt.Errorf("khóa mã hóa %s nằm trong thư mục dữ liệu %s; hãy để khóa ở ngoài (mặc định: %s bên cạnh thư mục dữ liệu) / the key file must not be inside the data directory", abs, dataDir, KeyFileName)
		}
	}
	data, err := os.ReadFile(abs)
	if err == nil {
		k, err := NewKey(string(data), abs)
		return k, false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Key{}, false, fmt.Errorf("đọc khóa mã hóa %s: %w", abs, err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Key{}, false, err
	}
	secret := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return Key{}, false, fmt.Errorf("tạo thư mục cho khóa mã hóa %s: %w", abs, err)
	}
	// O_EXCL: two processes starting at once must not each write their own key.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path, dataDir)
	}
	if err != nil {
		return Key{}, false, fmt.Errorf("tạo khóa mã hóa %s: %w", abs, err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return Key{}, false, fmt.Errorf("ghi khóa mã hóa %s: %w", abs, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Key{}, false, fmt.Errorf("ghi khóa mã hóa %s: %w", abs, err)
	}
	if err := f.Close(); err != nil {
		return Key{}, false, err
	}
	return Key{secret: secret, Path: abs}, true, nil
}

// LoadKey reads an existing key file.
func LoadKey(path string) (Key, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Key{}, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return Key{}, fmt.Errorf("đọc khóa mã hóa %s: %w", abs, err)
	}
	return NewKey(string(data), abs)
}

// KeyFileTooOpen reports whether any user may read the key file. (A group may: Kubernetes
// mounts secrets for the pod's group, systemd units run in a group of their own.)
func KeyFileTooOpen(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o007 != 0
}

// isInside reports whether path lies in dir or below it, symbolic links resolved as far as they
// exist.
func isInside(path, dir string) (bool, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	d, p := resolve(d), resolve(path)
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return false, nil
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), nil
}

// resolve follows symbolic links of the longest existing prefix of p.
func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p
	}
	return filepath.Join(resolve(parent), filepath.Base(p))
}
