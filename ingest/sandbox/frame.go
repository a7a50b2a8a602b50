package sandbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// A frame on a child's pipes: a JSON header and a body of bytes, each preceded by its length
// (4 and 8 bytes, big-endian). Both lengths are checked against bounds before anything is read
// or allocated, so neither side can make the other hold more than it agreed to.

// errFrame is wrapped by every malformed or oversized frame.
var errFrame = errors.New("sandbox: bad frame")

func writeFrame(w io.Writer, header any, body io.Reader, n int64) error {
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	if len(h) > maxHeader {
		return fmt.Errorf("%w: header of %d bytes", errFrame, len(h))
	}
	var lens [8]byte
	binary.BigEndian.PutUint32(lens[:4], uint32(len(h)))
	if _, err := w.Write(lens[:4]); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	binary.BigEndian.PutUint64(lens[:], uint64(n))
	if _, err := w.Write(lens[:]); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	copied, err := io.CopyN(w, body, n)
	if err != nil {
		return fmt.Errorf("body %d of %d bytes: %w", copied, n, err)
	}
	return nil
}

// readFrame reads a frame's header into v and returns the length of its body, which the caller
// reads next (exactly that many bytes). A header over maxHeader or a body over maxBody is an
// error; a clean end of input before a frame is io.EOF.
func readFrame(r io.Reader, v any, maxBody int64) (int64, error) {
	var lens [8]byte
	if _, err := io.ReadFull(r, lens[:4]); err != nil {
		return 0, err
	}
	hn := binary.BigEndian.Uint32(lens[:4])
	if hn > maxHeader {
		return 0, fmt.Errorf("%w: header of %d bytes", errFrame, hn)
	}
	h := make([]byte, hn)
	if _, err := io.ReadFull(r, h); err != nil {
		return 0, unexpected(err)
	}
	if _, err := io.ReadFull(r, lens[:]); err != nil {
		return 0, unexpected(err)
	}
	bn := binary.BigEndian.Uint64(lens[:])
	if bn > uint64(max(maxBody, 0)) {
		return 0, fmt.Errorf("%w: body of %d bytes (limit %d)", errFrame, bn, maxBody)
	}
	if err := json.Unmarshal(h, v); err != nil {
		return 0, fmt.Errorf("%w: %v", errFrame, err)
	}
	return int64(bn), nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
