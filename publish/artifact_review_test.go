package publish_test

import (
	"context"
	"testing"

	"tinnhiem/publish"
)

// A redelivered render stores the same bytes again; the artifact must stay verified, since the
// ready announcement that would verify it again is de-duplicated by its message id.
func TestPutSameBytesKeepsVerified(t *testing.T) {
	ctx := context.Background()
	_, s := newStore(t)
	data := []byte("%PDF-1.4 sealed version one")
	a, err := s.Put(ctx, publish.Artifact{Round: "r1", Version: 1, Kind: "bien-ban-kiem-phieu"}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkVerified(ctx, "r1", 1, "bien-ban-kiem-phieu"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, a, data); err != nil {
		t.Fatal(err)
	}
	got, err := s.Find(ctx, "r1", "bien-ban-kiem-phieu", 1)
	if err != nil || !got.Verified {
		t.Fatalf("after storing the same bytes again: %+v %v", got, err)
	}
	// Different bytes are not the verified file: the flag goes until they are checked.
	if _, err := s.Put(ctx, a, []byte("%PDF-1.4 other bytes")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Find(ctx, "r1", "bien-ban-kiem-phieu", 1); got.Verified {
		t.Fatalf("different bytes kept the verified flag: %+v", got)
	}
}
