package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

func pendingDoc(at time.Time) dossier.Document {
	return dossier.Document{ID: ingest.NewID(at), Round: "r1", Status: dossier.StatusPending, ReceivedAt: at, File: "a.pdf"}
}

// A waiter learns of a change to the record it waits on at once, and of nothing else.
func TestWaitForVerdict(t *testing.T) {
	srv := bustest.Start(t)
	docs := NewDocuments(srv.KV(t, bus.BucketDocuments))
	docs.watch.recheck = time.Hour // only the watch can wake a waiter in time
	ctx := context.Background()
	d := pendingDoc(time.Now())
	if err := docs.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	other := pendingDoc(time.Now())
	if err := docs.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	// Nothing happens: the wait ends with its context, the record as it was.
	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	got, err := docs.WaitFor(short, d.ID, dossier.Document.Final)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || got.Status != dossier.StatusPending {
		t.Fatalf("no verdict: %s %v", got.Status, err)
	}
	done := make(chan dossier.Document, 1)
	go func() {
		got, err := docs.WaitFor(ctx, d.ID, dossier.Document.Final)
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	time.Sleep(100 * time.Millisecond)
	_, rev, _ := docs.Get(ctx, other.ID)
	other.Status = dossier.StatusAccepted
	if err := docs.Update(ctx, other, rev); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		t.Fatalf("woke for another document's verdict: %+v", got)
	case <-time.After(100 * time.Millisecond):
	}
	_, rev, _ = docs.Get(ctx, d.ID)
	d.Status, d.Revision = dossier.StatusAccepted, 1
	if err := docs.Update(ctx, d, rev); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		if got.Status != dossier.StatusAccepted {
			t.Errorf("woke with %s", got.Status)
		}
	case <-time.After(time.Minute):
		t.Fatal("the waiter never heard of the verdict")
	}
	if _, err := docs.WaitFor(ctx, ingest.NewID(time.Now()), dossier.Document.Final); !errors.Is(err, ingest.ErrNotFound) {
		t.Errorf("unknown document: %v", err)
	}
}

// On a replicated bucket a record a replica does not have yet is looked for again for the settle
// period (a client asks for the document whose 202 it just got); one that never comes is not
// found after it.
func TestLookupSettles(t *testing.T) {
	srv := bustest.Start(t)
	docs := NewDocuments(srv.KV(t, bus.BucketDocuments))
	ctx := context.Background()
	missing := pendingDoc(time.Now())
	if _, _, err := docs.Lookup(ctx, missing.ID); !errors.Is(err, ingest.ErrNotFound) {
		t.Fatalf("one node: %v", err)
	}

	docs.Replicated(time.Second)
	late := pendingDoc(time.Now())
	go func() {
		time.Sleep(300 * time.Millisecond) // the write reaching this replica late
		if err := docs.Create(ctx, late); err != nil {
			t.Error(err)
		}
	}()
	if got, _, err := docs.Lookup(ctx, late.ID); err != nil || got.ID != late.ID {
		t.Fatalf("late record: %v %+v", err, got)
	}
	start := time.Now()
	if _, _, err := docs.Lookup(ctx, missing.ID); !errors.Is(err, ingest.ErrNotFound) || time.Since(start) < 700*time.Millisecond {
		t.Fatalf("missing record: %v after %v, before the settle period", err, time.Since(start))
	}
}

// The watch hands a waiter the record as written, the latest when several changes came before
// the waiter took one, and never blocks on a waiter that does not take it.
func TestDocWatchHandsLatestValue(t *testing.T) {
	w := newDocWatch(nil)
	w.running = true // no watch on a store: notify is driven by hand
	ch, stop := w.subscribe("d1")
	defer stop()
	w.notify("d1", []byte(`{"document_id":"d1","status":"pending"}`))
	w.notify("d1", []byte(`{"document_id":"d1","status":"accepted"}`))
	w.notify("d2", []byte(`{"document_id":"d2","status":"accepted"}`))
	select {
	case v := <-ch:
		if string(v) != `{"document_id":"d1","status":"accepted"}` {
			t.Errorf("waiter got %s, want the latest record", v)
		}
	default:
		t.Fatal("the waiter was not told")
	}
	select {
	case v := <-ch:
		t.Errorf("told twice, or of another document: %s", v)
	default:
	}
}
