package store

import (
	"bytes"
	"testing"
	"time"
)

func TestHandoff(t *testing.T) {
	clock := time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)
	h := NewHandoff(100, time.Minute)
	h.now = func() time.Time { return clock }

	h.Put("a", "sha-a", []byte("aaaa"))
	if _, ok := h.Take("a", "sha-a"); ok {
		t.Fatal("a disabled handoff kept a file")
	}
	h.Enable()

	h.Put("a", "sha-a", []byte("aaaa"))
	if _, ok := h.Take("a", "sha-other"); ok {
		t.Error("bytes handed over for another digest")
	}
	if _, ok := h.Take("a", "sha-a"); ok {
		t.Error("a refused entry is still there")
	}

	h.Put("b", "sha-b", []byte("bbbb"))
	if got, ok := h.Take("b", "sha-b"); !ok || string(got) != "bbbb" {
		t.Errorf("Take(b) = %q, %v", got, ok)
	}
	if _, ok := h.Take("b", "sha-b"); ok {
		t.Error("taken twice")
	}

	// The oldest goes first when the bound is passed.
	h.Put("c", "sha-c", bytes.Repeat([]byte("c"), 60))
	h.Put("d", "sha-d", bytes.Repeat([]byte("d"), 60))
	if _, ok := h.Take("c", "sha-c"); ok {
		t.Error("c kept past the bound")
	}
	if _, ok := h.Take("d", "sha-d"); !ok {
		t.Error("d, the newest, dropped")
	}
	if h.size != 0 || len(h.files) != 0 {
		t.Errorf("size %d, %d files left", h.size, len(h.files))
	}

	// Too old: not handed over, dropped on the next put.
	h.Put("e", "sha-e", []byte("e"))
	h.Put("f", "sha-f", []byte("f"))
	clock = clock.Add(2 * time.Minute)
	if _, ok := h.Take("e", "sha-e"); ok {
		t.Error("a file handed over past its time")
	}
	h.Put("g", "sha-g", []byte("g"))
	if _, ok := h.files["f"]; ok {
		t.Error("f not dropped once too old")
	}
	h.Drop("g")
	if h.size != 0 || len(h.files) != 0 {
		t.Errorf("size %d, %d files left after Drop", h.size, len(h.files))
	}

	// Larger than the whole handoff: never kept.
	h.Put("big", "sha-big", make([]byte, 101))
	if _, ok := h.Take("big", "sha-big"); ok {
		t.Error("a file over the bound kept")
	}

	var nilH *Handoff
	nilH.Enable()
	nilH.Put("x", "s", []byte("x"))
	nilH.Drop("x")
	if _, ok := nilH.Take("x", "s"); ok {
		t.Error("a nil handoff handed something over")
	}
}
