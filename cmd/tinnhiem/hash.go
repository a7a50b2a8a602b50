package main

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

type sha256Writer struct{ h hash.Hash }

func newSHA256() *sha256Writer                      { return &sha256Writer{h: sha256.New()} }
func (s *sha256Writer) Write(p []byte) (int, error) { return s.h.Write(p) }
func (s *sha256Writer) hex() string                 { return hex.EncodeToString(s.h.Sum(nil)) }

// copyBoth copies r to w while hashing it.
func copyBoth(w io.Writer, h io.Writer, r io.Reader) (int64, error) {
	return io.Copy(io.MultiWriter(w, h), r)
}
