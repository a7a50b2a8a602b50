package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

func TestIsConflictErrors(t *testing.T) {
	wrongSeq := &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence, Description: "wrong last sequence: 7"}
	replicated := &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequenceConstant, Description: "wrong last sequence"}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"key exists", jetstream.ErrKeyExists, true},
		{"key exists, wrapped", fmt.Errorf("dossier: store round r1: %w", jetstream.ErrKeyExists), true},
		{"wrong last sequence", wrongSeq, true},
		{"wrong last sequence, wrapped", fmt.Errorf("minutes: store tally r1: %w", wrongSeq), true},
		{"wrong last sequence of a replicated stream", fmt.Errorf("publish: index r1: %w", replicated), true},
		{"revision mismatch", fmt.Errorf("%w: %w", replicated, jetstream.ErrKeyRevisionMismatch), true},
		{"revision mismatch alone", jetstream.ErrKeyRevisionMismatch, true},
		{"other API error", &jetstream.APIError{Code: 404, ErrorCode: jetstream.JSErrCodeMessageNotFound}, false},
		{"key not found", jetstream.ErrKeyNotFound, false},
		{"plain error", errors.New("wrong last sequence"), false},
		{"context ended", context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		if got := IsConflict(tc.err); got != tc.want {
			t.Errorf("%s: IsConflict(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// The errors a real server gives to a losing Create and a stale Update are conflicts; the
// winner's write and a missing key are not.
func TestIsConflictOnServer(t *testing.T) {
	ctx := context.Background()
	kv, err := provisionTestJS(t).CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cas", History: 4})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := kv.Create(ctx, "k", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, "k", []byte("again")); !IsConflict(err) {
		t.Errorf("second Create: %v, want a conflict", err)
	}
	next, err := kv.Update(ctx, "k", []byte("2"), rev)
	if IsConflict(err) || err != nil {
		t.Fatalf("Update at the latest revision: %v", err)
	}
	if _, err := kv.Update(ctx, "k", []byte("stale"), rev); !IsConflict(err) {
		t.Errorf("Update at a stale revision: %v, want a conflict", err)
	}
	if _, err := kv.Update(ctx, "k", []byte("3"), next); err != nil {
		t.Errorf("Update at the latest revision after a lost one: %v", err)
	}
	if _, err := kv.Get(ctx, "missing"); err == nil || IsConflict(err) {
		t.Errorf("Get of a missing key: %v, want an error that is not a conflict", err)
	}
}

func TestCompareAndSet(t *testing.T) {
	ctx := context.Background()
	kv, err := provisionTestJS(t).CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cas", History: 4})
	if err != nil {
		t.Fatal(err)
	}
	value := func() string {
		t.Helper()
		e, err := kv.Get(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		return string(e.Value())
	}
	first, err := CompareAndSet(ctx, kv, "k", []byte("a"), 0)
	if err != nil {
		t.Fatalf("create at revision 0: %v", err)
	}
	if _, err := CompareAndSet(ctx, kv, "k", []byte("lost"), 0); !IsConflict(err) {
		t.Errorf("second create at revision 0: %v, want a conflict", err)
	}
	second, err := CompareAndSet(ctx, kv, "k", []byte("b"), first)
	if err != nil || second <= first {
		t.Fatalf("update at the read revision: %d %v", second, err)
	}
	if _, err := CompareAndSet(ctx, kv, "k", []byte("stale"), first); !IsConflict(err) {
		t.Errorf("update at a stale revision: %v, want a conflict", err)
	}
	if got := value(); got != "b" {
		t.Errorf("value %q after the lost writes, want %q", got, "b")
	}
	// A deleted key reads as absent, so the next write is at revision 0 and must create it again.
	if err := kv.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := CompareAndSet(ctx, kv, "k", []byte("c"), 0); err != nil {
		t.Fatalf("create over a deleted key: %v", err)
	}
	if got := value(); got != "c" {
		t.Errorf("value %q after re-creating, want %q", got, "c")
	}
}

func TestGetJSON(t *testing.T) {
	ctx := context.Background()
	kv, err := provisionTestJS(t).CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "json"})
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	if _, rev, err := GetJSON[rec](ctx, kv, "missing"); !errors.Is(err, jetstream.ErrKeyNotFound) || rev != 0 {
		t.Errorf("missing key: rev %d, %v; want ErrKeyNotFound", rev, err)
	}
	rev, err := kv.Put(ctx, "good", []byte(`{"name":"Trần Quốc Hùng","n":3}`))
	if err != nil {
		t.Fatal(err)
	}
	got, gotRev, err := GetJSON[rec](ctx, kv, "good")
	if err != nil || got != (rec{Name: "Trần Quốc Hùng", N: 3}) || gotRev != rev {
		t.Errorf("good key: %+v rev %d %v; want the value at rev %d", got, gotRev, err, rev)
	}
	// The value read is what CompareAndSet writes over.
	if _, err := CompareAndSet(ctx, kv, "good", []byte(`{"n":4}`), gotRev); err != nil {
		t.Errorf("write at the revision read: %v", err)
	}
	if _, err := kv.Put(ctx, "bad", []byte(`{"name":`)); err != nil {
		t.Fatal(err)
	}
	bad, badRev, err := GetJSON[rec](ctx, kv, "bad")
	if err == nil || !strings.Contains(err.Error(), "decode bad") || errors.Is(err, jetstream.ErrKeyNotFound) || bad != (rec{}) || badRev != 0 {
		t.Errorf("bad JSON: %+v rev %d %v; want a decode error naming the key and nothing else", bad, badRev, err)
	}
}
