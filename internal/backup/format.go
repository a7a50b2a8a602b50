package backup

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The file is a clear preamble followed by encrypted frames:
//
//	preamble: magic "TINNHIEM-BACKUP\n" (16 bytes) · format version (1 byte) ·
//	          salt (32 random bytes) · key check (32 bytes)
//	frame:    ciphertext length (4 bytes, big-endian) · ciphertext
//
// Each frame is sealed with AES-256-GCM under a key derived from the backup key and the salt
// (HKDF-SHA256), with the frame's index as nonce and the preamble as additional data: a frame
// cannot be altered, dropped, reordered or moved to another file without the next read
// failing. The key check (another HKDF output) tells a wrong key from a damaged file.
//
// A frame's plaintext is a kind byte and its payload: one header, then for each stream a
// start (configuration and state), its snapshot in data frames and an end (size and
// sha256), and last the manifest. A file that ends before the manifest is incomplete.

const (
	magic         = "TINNHIEM-BACKUP\n"
	formatVersion = 1
	saltLen       = 32
	checkLen      = 32
	preambleLen   = len(magic) + 1 + saltLen + checkLen
	// maxFrame bounds a frame's ciphertext, so that a damaged or hostile length field cannot make
	// a reader allocate more: snapshot chunks are at most 1 MiB (nats-server clamps them).
	maxFrame = 2<<20 + 64
)

// Frame kinds.
const (
	kindHeader   byte = 'H'
	kindStream   byte = 'S'
	kindData     byte = 'D'
	kindEnd      byte = 'E'
	kindManifest byte = 'M'
)

// ErrWrongKey means the file was not written with the key given.
var ErrWrongKey = errors.New("bản sao lưu không được mã hóa bằng khóa này / the backup was not encrypted with this key")

// ErrNotBackup means the file is not a tinnhiem backup at all.
var ErrNotBackup = errors.New("tệp không phải bản sao lưu tinnhiem / not a tinnhiem backup file")

// ErrDamaged wraps every sign of a damaged or altered file.
var ErrDamaged = errors.New("bản sao lưu bị hỏng hoặc bị sửa / the backup is damaged or was altered")

func deriveKeys(key, salt []byte) (aead cipher.AEAD, check []byte, err error) {
	if len(key) == 0 {
		return nil, nil, errors.New("backup: no key")
	}
	enc, err := hkdf.Key(sha256.New, key, salt, "tinnhiem backup v1 encryption", 32)
	if err != nil {
		return nil, nil, err
	}
	check, err = hkdf.Key(sha256.New, key, salt, "tinnhiem backup v1 key check", checkLen)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, nil, err
	}
	aead, err = cipher.NewGCM(block)
	return aead, check, err
}

func nonce(index uint64) []byte {
	var n [12]byte
	binary.BigEndian.PutUint64(n[4:], index)
	return n[:]
}

// frameWriter seals and writes frames.
type frameWriter struct {
	w        io.Writer
	aead     cipher.AEAD
	preamble []byte
	index    uint64
	plain    []byte
	sealed   []byte
}

func newFrameWriter(w io.Writer, key []byte) (*frameWriter, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	aead, check, err := deriveKeys(key, salt)
	if err != nil {
		return nil, err
	}
	pre := make([]byte, 0, preambleLen)
	pre = append(pre, magic...)
	pre = append(pre, formatVersion)
	pre = append(pre, salt...)
	pre = append(pre, check...)
	if _, err := w.Write(pre); err != nil {
		return nil, err
	}
	return &frameWriter{w: w, aead: aead, preamble: pre}, nil
}

func (f *frameWriter) write(kind byte, payload []byte) error {
	f.plain = append(append(f.plain[:0], kind), payload...)
	sealed := f.aead.Seal(f.sealed[:0], nonce(f.index), f.plain, f.preamble)
	f.sealed = sealed
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(sealed)))
	if _, err := f.w.Write(n[:]); err != nil {
		return err
	}
	if _, err := f.w.Write(sealed); err != nil {
		return err
	}
	f.index++
	return nil
}

// frameReader reads and opens frames.
type frameReader struct {
	r        *bufio.Reader
	aead     cipher.AEAD
	preamble []byte
	index    uint64
	sealed   []byte
	plain    []byte
}

func newFrameReader(r io.Reader, key []byte) (*frameReader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	pre := make([]byte, preambleLen)
	if _, err := io.ReadFull(br, pre); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrNotBackup
		}
		return nil, err
	}
	if !bytes.Equal(pre[:len(magic)], []byte(magic)) {
		return nil, ErrNotBackup
	}
	if v := pre[len(magic)]; v != formatVersion {
		return nil, fmt.Errorf("bản sao lưu theo định dạng %d, phiên bản này chỉ đọc định dạng %d / backup format %d is not supported", v, formatVersion, v)
	}
	salt := pre[len(magic)+1 : len(magic)+1+saltLen]
	aead, check, err := deriveKeys(key, salt)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(check, pre[len(magic)+1+saltLen:]) != 1 {
		return nil, ErrWrongKey
	}
	return &frameReader{r: br, aead: aead, preamble: pre}, nil
}

// next returns the next frame's kind and payload (valid until the following call), or io.EOF
// exactly at the end of the file.
func (f *frameReader) next() (byte, []byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(f.r, n[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("%w: frame %d: truncated length", ErrDamaged, f.index)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size < uint32(f.aead.Overhead())+1 || size > maxFrame {
		return 0, nil, fmt.Errorf("%w: frame %d: impossible length %d", ErrDamaged, f.index, size)
	}
	if cap(f.sealed) < int(size) {
		f.sealed = make([]byte, size)
	}
	f.sealed = f.sealed[:size]
	if _, err := io.ReadFull(f.r, f.sealed); err != nil {
		return 0, nil, fmt.Errorf("%w: frame %d: truncated", ErrDamaged, f.index)
	}
	plain, err := f.aead.Open(f.plain[:0], nonce(f.index), f.sealed, f.preamble)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: frame %d does not authenticate", ErrDamaged, f.index)
	}
	f.plain = plain
	f.index++
	return plain[0], plain[1:], nil
}
