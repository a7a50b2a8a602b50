package store

import (
	"context"
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
	waiters map[string]map[chan struct{}]struct{}
}

func newDocWatch(kv jetstream.KeyValue) *docWatch {
	return &docWatch{kv: kv, recheck: 2 * time.Second, waiters: map[string]map[chan struct{}]struct{}{}}
}

// subscribe registers interest in a document's changes; the channel receives (without
// blocking the watch) after each change. The returned function unregisters.
func (w *docWatch) subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	set := w.waiters[id]
	if set == nil {
		set = map[chan struct{}]struct{}{}
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
			w.notify(strings.TrimPrefix(e.Key(), "doc."))
		}
		w.mu.Lock()
		w.running = false
		w.mu.Unlock()
	}()
	return nil
}

func (w *docWatch) notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.waiters[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// WaitFor returns document id once done(record) holds — at once when it holds already — or the
// record as it stands when ctx ends (its error then is ctx's). A document unknown is ErrNotFound
// at once.
func (s *Documents) WaitFor(ctx context.Context, id string, done func(dossier.Document) bool) (dossier.Document, error) {
	changed, stop := s.watch.subscribe(id)
	defer stop()
	for {
		// Lookup, not Get: each read may be answered by another replica, one behind the others.
		d, _, err := s.Lookup(ctx, id)
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
		case <-changed:
		case <-time.After(s.watch.recheck):
		}
	}
}
