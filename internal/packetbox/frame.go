package packetbox

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
)

// The frames between the parent and the child. Input, on the child's standard input:
//
//	"TNPACKET1\n"
//	uint32 n, then n bytes of JSON: {"round": <dossier.Round>, "at": <RFC 3339>, "files": [{"nominee","kind","file"}…]}
//	for each file, in order:
//	    'D', then chunks (uint32 n ≤ maxChunk, n bytes), ended by a chunk of length 0 — the PDF;
//	    or 'P', uint32 n, n bytes of text — why there is no PDF (marked in the packet).
//
// Output, on its standard output:
//
//	"TNPACKET1\n"
//	uint32 n, then n bytes of JSON: {"entries": [document.PacketEntry…]} or {"error": "…"}
//	uint64 n, then n bytes: the packet PDF (0 with an error).
//
// Files go in chunks so that the parent streams them from the store without knowing their
// sizes first, and without holding them all; every length is bounded by the reader.
const magic = "TNPACKET1\n"

const (
	maxHeader = 16 << 20 // the round and the file list
	maxChunk  = 1 << 20
	maxText   = 4 << 10
	tagData   = 'D'
	tagNoPDF  = 'P'
)

// ErrFrame is wrapped by every error of a frame that does not follow the format or its bounds.
var ErrFrame = errors.New("packetbox: bad frame")

// errTooMuch: the documents of one packet exceed the input bound.
var errTooMuch = errors.New("more documents than one packet may carry")

func isTooBig(err error) bool { return errors.Is(err, errTooMuch) }

// Source is one document the packet carries: whose, of what kind, its file name, and how to
// read its PDF. Open returns the PDF's bytes, or a Vietnamese reason there is no PDF (noPDF,
// with rc nil), or an error of the store (the packet then marks the document unreadable).
type Source struct {
	Nominee string
	Kind    dossier.Kind
	File    string
	Open    func(ctx context.Context) (rc io.ReadCloser, noPDF string, err error)
}

// Input is what the child assembles: the round, the moment that dates the packet, and the
// documents, in the order the persons' summaries list them.
type Input struct {
	Round   dossier.Round
	At      time.Time
	Sources []Source
}

type inputHeader struct {
	Round dossier.Round `json:"round"`
	At    time.Time     `json:"at"`
	Files []fileHeader  `json:"files"`
}

type fileHeader struct {
	Nominee string       `json:"nominee"`
	Kind    dossier.Kind `json:"kind"`
	File    string       `json:"file"`
}

// WriteInput writes the input frame, reading each source as it goes. A source that cannot be
// opened or read is sent as a document without PDF, with the reason; only a failure to write
// (the child went away) is an error.
func WriteInput(ctx context.Context, w io.Writer, in Input) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	h := inputHeader{Round: in.Round, At: in.At.UTC(), Files: make([]fileHeader, len(in.Sources))}
	for i, s := range in.Sources {
		h.Files[i] = fileHeader{Nominee: s.Nominee, Kind: s.Kind, File: s.File}
	}
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("packetbox: encode input: %w", err)
	}
	if len(head) > maxHeader {
		return fmt.Errorf("%w: the round and its file list take %d bytes, over %d", ErrFrame, len(head), maxHeader)
	}
	if _, err := bw.WriteString(magic); err != nil {
		return err
	}
	if err := writeBlock(bw, head); err != nil {
		return err
	}
	buf := make([]byte, maxChunk)
	for _, s := range in.Sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, noPDF, err := s.Open(ctx)
		switch {
		case err != nil:
			noPDF = "không đọc được tệp đã lưu"
		case rc == nil && noPDF == "":
			noPDF = "không có bản PDF"
		}
		if rc == nil {
			if err := writeNoPDF(bw, noPDF); err != nil {
				return err
			}
			continue
		}
		if err := bw.WriteByte(tagData); err != nil {
			rc.Close()
			return err
		}
		for {
			n, rerr := io.ReadFull(rc, buf)
			if n > 0 {
				if err := writeBlock(bw, buf[:n]); err != nil {
					rc.Close()
					return err
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				// Part of the file went out: end it, and the child finds it cut short
				// (an unreadable PDF), which is what it is.
				break
			}
		}
		rc.Close()
		if err := writeBlock(bw, nil); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeNoPDF(w *bufio.Writer, why string) error {
	if len(why) > maxText {
		why = why[:maxText]
	}
	if err := w.WriteByte(tagNoPDF); err != nil {
		return err
	}
	return writeBlock(w, []byte(why))
}

func writeBlock(w io.Writer, b []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// ReadInput reads an input frame into the files minutes.Packet takes. A file larger than
// maxFile is passed on empty with its reason (the packet marks it), and more than maxTotal
// bytes of files in all refuse the frame.
func ReadInput(r io.Reader, maxFile, maxTotal int64) (dossier.Round, time.Time, []minutes.PacketFile, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	fail := func(format string, args ...any) (dossier.Round, time.Time, []minutes.PacketFile, error) {
		return dossier.Round{}, time.Time{}, nil, fmt.Errorf("%w: %s", ErrFrame, fmt.Sprintf(format, args...))
	}
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(br, m); err != nil || string(m) != magic {
		return fail("no packet input")
	}
	head, err := readBlock(br, maxHeader)
	if err != nil {
		return fail("header: %v", err)
	}
	var h inputHeader
	if err := json.Unmarshal(head, &h); err != nil {
		return fail("header: %v", err)
	}
	files := make([]minutes.PacketFile, 0, len(h.Files))
	var total int64
	for i, fh := range h.Files {
		f := minutes.PacketFile{Nominee: fh.Nominee, Kind: fh.Kind, File: fh.File}
		tag, err := br.ReadByte()
		if err != nil {
			return fail("file %d: %v", i+1, err)
		}
		switch tag {
		case tagNoPDF:
			why, err := readBlock(br, maxText)
			if err != nil {
				return fail("file %d: %v", i+1, err)
			}
			f.Problem = string(why)
			if f.Problem == "" {
				f.Problem = "không có bản PDF"
			}
		case tagData:
			var data []byte
			over := false
			for {
				chunk, err := readBlock(br, maxChunk)
				if err != nil {
					return fail("file %d: %v", i+1, err)
				}
				if len(chunk) == 0 {
					break
				}
				total += int64(len(chunk))
				if total > maxTotal {
					return dossier.Round{}, time.Time{}, nil, fmt.Errorf("%w: %w: more than %d bytes", ErrFrame, errTooMuch, maxTotal)
				}
				if over = over || int64(len(data)+len(chunk)) > maxFile; over {
					data = nil // keep reading to the file's end, keep nothing
					continue
				}
				data = append(data, chunk...)
			}
			f.PDF = data
			if over {
				f.PDF, f.Problem = nil, fmt.Sprintf("tệp quá lớn (trên %d MB)", maxFile>>20)
			}
		default:
			return fail("file %d: unknown tag %q", i+1, tag)
		}
		files = append(files, f)
	}
	return h.Round, h.At, files, nil
}

func readBlock(r io.Reader, max int) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if int64(size) > int64(max) {
		return nil, fmt.Errorf("block of %d bytes, over %d", size, max)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Output is the assembled packet and what became of each document.
type Output struct {
	PDF     []byte
	Entries []document.PacketEntry
}

type outputHeader struct {
	Entries []document.PacketEntry `json:"entries,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

// writeOutput writes the output frame: the packet, or why it could not be made (failure).
func writeOutput(w io.Writer, out Output, failure string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head, err := json.Marshal(outputHeader{Entries: out.Entries, Error: failure})
	if err != nil {
		return err
	}
	if _, err := bw.WriteString(magic); err != nil {
		return err
	}
	if err := writeBlock(bw, head); err != nil {
		return err
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(out.PDF)))
	if _, err := bw.Write(n[:]); err != nil {
		return err
	}
	if _, err := bw.Write(out.PDF); err != nil {
		return err
	}
	return bw.Flush()
}

// readOutput reads the child's answer; failure is the child's own account of why it made no
// packet.
func readOutput(data []byte) (out Output, failure string, err error) {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return Output{}, "", fmt.Errorf("%w: no packet output", ErrFrame)
	}
	r := &byteReader{b: data[len(magic):]}
	head, err := readBlock(r, maxHeader)
	if err != nil {
		return Output{}, "", fmt.Errorf("%w: output header: %v", ErrFrame, err)
	}
	var h outputHeader
	if err := json.Unmarshal(head, &h); err != nil {
		return Output{}, "", fmt.Errorf("%w: output header: %v", ErrFrame, err)
	}
	if h.Error != "" {
		return Output{}, h.Error, nil
	}
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return Output{}, "", fmt.Errorf("%w: output length: %v", ErrFrame, err)
	}
	size := binary.BigEndian.Uint64(n[:])
	if size != uint64(len(r.b)) {
		return Output{}, "", fmt.Errorf("%w: the packet has %d bytes, the frame says %d", ErrFrame, len(r.b), size)
	}
	return Output{PDF: r.b, Entries: h.Entries}, "", nil
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
