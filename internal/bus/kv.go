package bus

import (
	"context"
	"errors"

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
