package bus

import (
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// IsConflict reports whether a compare-and-set write to a key-value bucket lost to another
// writer: Create found the key already there (ErrKeyExists), or Update was given a revision that
// is no longer the latest (JetStream's "wrong last sequence"). Every read–modify–write loop of
// tinnhiem asks this one question to decide between reading again and failing.
func IsConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
