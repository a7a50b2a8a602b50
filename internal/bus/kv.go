package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// IsConflict reports whether a compare-and-set write to a key-value bucket lost to another
// writer: Create found the key already there (ErrKeyExists), or Update was given a revision that
// is no longer the latest (JetStream's "wrong last sequence"). Every read–modify–write loop of
// tinnhiem asks this one question to decide between reading again and failing.
//
// A replicated bucket (R>1, the cluster deployment) reports a write that races another one for
// the same key with a second code, 10164, rather than 10071; nats.go maps it to
// ErrKeyRevisionMismatch for Update and ErrKeyExists for Create. Both codes are conflicts here,
// or every loop would fail instead of retrying exactly when writers are busiest.
func IsConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return true
	}
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// CompareAndSet is the write of a read–modify–write loop: it stores value under key only if the
// key is still at revision rev, the one read. Revision 0 means the read found no key (never
// written, or deleted), and the write creates it. A writer that lost the race gets an error for
// which IsConflict is true and reads again.
func CompareAndSet(ctx context.Context, kv jetstream.KeyValue, key string, value []byte, rev uint64) (uint64, error) {
	if rev == 0 {
		return kv.Create(ctx, key, value)
	}
	return kv.Update(ctx, key, value, rev)
}

// GetJSON is the read of a read–modify–write loop: the JSON value of key and the revision to
// hand to CompareAndSet. A missing key is jetstream.ErrKeyNotFound, for the caller to answer in
// its own terms: a not-found error of its package, or an empty value at revision 0.
func GetJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (T, uint64, error) {
	var v T
	e, err := kv.Get(ctx, key)
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		var zero T
		return zero, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, e.Revision(), nil
}
