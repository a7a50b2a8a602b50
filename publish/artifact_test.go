package publish_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/publish"
)

func newStore(t *testing.T) (*bustest.Server, *publish.Store) {
	ns := bustest.Start(t)
	return ns, &publish.Store{Objects: ns.Objects(t, bus.ObjectArtifacts), Index: ns.KV(t, bus.BucketArtifacts)}
}

func TestPutListFindOpen(t *testing.T) {
	ctx := context.Background()
	_, s := newStore(t)
	if list, err := s.List(ctx, "r1"); err != nil || len(list) != 0 {
		t.Fatalf("empty round: %v %v", list, err)
	}
	if _, err := s.Find(ctx, "r1", "bien-ban-kiem-phieu", 0); !errors.Is(err, publish.ErrNotFound) {
		t.Fatalf("find before any artifact: %v", err)
	}
	v1 := []byte("%PDF-1.4 version one")
	v2 := []byte("%PDF-1.4 version two, corrected")
	a1, err := s.Put(ctx, publish.Artifact{Round: "r1", Version: 1, Kind: "bien-ban-kiem-phieu", Title: "Biên bản kiểm phiếu", FileName: "Biên bản kiểm phiếu - r1 - v1.pdf"}, v1)
	if err != nil {
		t.Fatal(err)
	}
	// Storing the same version again (a redelivered render) replaces, never duplicates.
	if _, err := s.Put(ctx, a1, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, publish.Artifact{Round: "r1", Version: 2, Kind: "bien-ban-kiem-phieu"}, v2); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, "r1")
	if err != nil || len(list) != 2 || list[0].Version != 1 || list[1].Version != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if len(a1.SHA256) != 64 || a1.Size != int64(len(v1)) || a1.Object != "r1/v1/bien-ban-kiem-phieu.pdf" {
		t.Fatalf("artifact %+v", a1)
	}
	latest, err := s.Find(ctx, "r1", "bien-ban-kiem-phieu", 0)
	if err != nil || latest.Version != 2 {
		t.Fatalf("latest: %+v %v", latest, err)
	}
	first, err := s.Find(ctx, "r1", "bien-ban-kiem-phieu", 1)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, v1) {
		t.Fatalf("version 1 read back: %q %v", got, err)
	}
	if err := s.MarkVerified(ctx, "r1", 1, "bien-ban-kiem-phieu"); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List(ctx, "r1")
	if !list[0].Verified || list[1].Verified {
		t.Fatalf("verified flags: %+v", list)
	}
}

// Bytes that no longer match their recorded checksum are never served silently.
func TestChecksumMismatchIsAnError(t *testing.T) {
	ctx := context.Background()
	_, s := newStore(t)
	a, err := s.Put(ctx, publish.Artifact{Round: "r1", Version: 1, Kind: "bao-cao-ket-qua"}, []byte("%PDF-1.4 original"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Objects.PutBytes(ctx, a.Object, []byte("%PDF-1.4 tampered")); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(ctx, a); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("tampered artifact verified: %v", err)
	}
}
