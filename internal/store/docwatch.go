package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
)

// docWatch tells waiters that a document record changed. One KV watch on every record serves
// the whole process (long-polls of `GET /api/v1/documents/{id}?wait=…` come by the hundred a
// second; a watch each would be a consumer each): it starts with the first waiter and runs until
// the connection closes, and starts again with the next waiter after that.
type docWatch struct {
	kv jetstream.KeyValue
	// recheck is how often a waiter reads the record again without being told: should the
	// watch miss a change (it is starting again after a reconnect), the wait still ends.
	recheck time.Duration

	mu      sync.Mutex
	running bool
	waiters map[string]map[chan []byte]struct{}
}

func newDocWatch(kv jetstream.KeyValue) *docWatch {
	return &docWatch{kv: kv, recheck: 2 * time.Second, waiters: map[string]map[chan []byte]struct{}{}}
}

// subscribe registers interest in a document's changes; the channel receives (without
// blocking the watch) the record's value after each change: the latest one when several came
// before the waiter took one. The returned function unregisters.
func (w *docWatch) subscribe(id string) (<-chan []byte, func()) {
	ch := make(chan []byte, 1)
	w.mu.Lock()
	set := w.waiters[id]
	if set == nil {
		set = map[chan []byte]struct{}{}
		w.waiters[id] = set
	}
	set[ch] = struct{}{}
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		if err := w.start(); err != nil {
			w.mu.Lock()
			w.running = false
			w.mu.Unlock()
		}
	}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(set, ch)
		if len(w.waiters[id]) == 0 {
			delete(w.waiters, id)
		}
	}
}

func (w *docWatch) start() error {
	kw, err := w.kv.Watch(context.Background(), docKey("*"), jetstream.UpdatesOnly(), jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	go func() {
		for e := range kw.Updates() {
			if e == nil {
				continue
			}
			w.notify(strings.TrimPrefix(e.Key(), "doc."), e.Value())
		}
		w.mu.Lock()
		w.running = false
		w.mu.Unlock()
	}()
	return nil
}

func (w *docWatch) notify(id string, value []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.waiters[id] {
		// Only the latest value matters: one the waiter has not taken yet is replaced.
		select {
		case <-ch:
		default:
		}
		ch <- value // cannot block: the lock is held, and only notify sends
	}
}

// WaitFor returns document id once done(record) holds — at once when it holds already — or the
// record as it stands when ctx ends (its error then is ctx's). A document unknown is ErrNotFound
// at once.
func (s *Documents) WaitFor(ctx context.Context, id string, done func(dossier.Document) bool) (dossier.Document, error) {
	changed, stop := s.watch.subscribe(id)
	defer stop()
	// Lookup, not Get: each read may be answered by another replica, one behind the others.
	d, _, err := s.Lookup(ctx, id)
	for {
		if err != nil {
			if ctx.Err() != nil && !errors.Is(err, ingest.ErrNotFound) {
				return d, ctx.Err()
			}
			return d, err
		}
		if done(d) {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case value := <-changed:
			// The watch hands over the record as written: no read again. A value that does
			// not decode (never written so) is read from the store instead.
			var next dossier.Document
			if json.Unmarshal(value, &next) == nil && next.ID == id {
				d = next
			} else {
				d, _, err = s.Lookup(ctx, id)
			}
		case <-time.After(s.watch.recheck):
			d, _, err = s.Lookup(ctx, id)
		}
	}
}
