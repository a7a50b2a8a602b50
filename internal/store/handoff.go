package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// Handoff hands the bytes of the small uploads this process has just stored to its own ingest
// worker, so that the worker does not read back through JetStream what the process received a
// moment before: that read (the description, the chunk, its digest) cost the server a third of
// a millisecond for a 60 KB dossier PDF, a twentieth of a document's whole cost under the load
// tool. The store stays the only copy that counts: an upload is accepted once stored and
// announced, as before, and whatever the handoff does not hold — a file read by a worker in
// another process, again after a crash or a failed attempt, or after the handoff dropped it — is
// read from the store.
//
// Only a process that runs ingest workers enables it (Enable); it holds at most maxBytes, each
// file for at most ttl, and drops the oldest first. Its methods do nothing on a nil Handoff.
type Handoff struct {
	enabled atomic.Bool
	mu      sync.Mutex
	files   map[string]handedFile // by document id
	queue   []handedID            // in the order put, for dropping the oldest
	size    int64
	max     int64
	ttl     time.Duration
	now     func() time.Time
}

type handedFile struct {
	data []byte
	sha  string
	at   time.Time
}

type handedID struct {
	id string
	at time.Time
}

// Handoff bounds: a few hundred dossier PDFs, and long past the moment a worker takes a file it
// is free to take (a file kept longer waits behind a backlog: it is read from the store then).
const (
	DefaultHandoffBytes = 8 << 20
	DefaultHandoffTTL   = time.Minute
)

// NewHandoff returns a disabled handoff holding at most maxBytes, each file at most ttl.
func NewHandoff(maxBytes int64, ttl time.Duration) *Handoff {
	return &Handoff{files: map[string]handedFile{}, max: maxBytes, ttl: ttl, now: time.Now}
}

// Enable makes Put keep files: this process's ingest worker takes them.
func (h *Handoff) Enable() {
	if h != nil {
		h.enabled.Store(true)
	}
}

// Enabled reports whether Put keeps files.
func (h *Handoff) Enabled() bool { return h != nil && h.enabled.Load() }

// Put keeps data, the bytes of document id whose sha256 is sha, for the worker; the handoff owns
// data from then on. A file larger than the whole handoff is not kept.
func (h *Handoff) Put(id, sha string, data []byte) {
	if !h.Enabled() || int64(len(data)) > h.max {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	if old, ok := h.files[id]; ok {
		h.size -= int64(len(old.data))
	}
	h.files[id] = handedFile{data: data, sha: sha, at: now}
	h.queue = append(h.queue, handedID{id: id, at: now})
	h.size += int64(len(data))
	// Drop what was taken already, what is too old, and the oldest while over the bound.
	for len(h.queue) > 0 {
		q := h.queue[0]
		f, ok := h.files[q.id]
		switch {
		case ok && f.at != q.at: // put again since: its newer entry is further on
		case ok && h.size <= h.max && now.Sub(q.at) <= h.ttl:
			return
		case ok:
			delete(h.files, q.id)
			h.size -= int64(len(f.data))
		}
		h.queue[0] = handedID{}
		h.queue = h.queue[1:]
	}
}

// Take returns, and forgets, the bytes kept for document id when they are the bytes whose
// sha256 is sha; ok is false when they are not kept (or are not those bytes).
func (h *Handoff) Take(id, sha string) (data []byte, ok bool) {
	if h == nil {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, found := h.files[id]
	if !found {
		return nil, false
	}
	delete(h.files, id)
	h.size -= int64(len(f.data))
	if f.sha != sha || h.now().Sub(f.at) > h.ttl {
		return nil, false
	}
	return f.data, true
}

// Drop forgets the bytes kept for document id (an upload that was not committed).
func (h *Handoff) Drop(id string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.files[id]; ok {
		delete(h.files, id)
		h.size -= int64(len(f.data))
	}
}
