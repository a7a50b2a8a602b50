package store

import (
	"encoding/json"
	"slices"
	"sync"

	"tinnhiem/dossier"
)

// maxCachedRounds bounds the decoded rounds kept.
const maxCachedRounds = 256

// roundCache keeps decoded rounds by id and KV revision: every request and every verdict reads
// its round, and a roster of 5,000 persons is 5 ms of JSON to decode. It hands out copies whose
// slices are the caller's own.
type roundCache struct {
	mu      sync.Mutex
	entries map[string]cachedRound
}

type cachedRound struct {
	rev uint64
	r   dossier.Round
}

func newRoundCache() *roundCache { return &roundCache{entries: map[string]cachedRound{}} }

// decode returns the round stored as data at revision rev, decoding it only when not seen yet.
func (c *roundCache) decode(id string, rev uint64, data []byte) (dossier.Round, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && e.rev == rev {
		return cloneRound(e.r), nil
	}
	var r dossier.Round
	if err := json.Unmarshal(data, &r); err != nil {
		return dossier.Round{}, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCachedRounds {
		clear(c.entries) // rare: more live rounds than kept; they are read again as needed
	}
	if cur, ok := c.entries[id]; !ok || cur.rev < rev {
		c.entries[id] = cachedRound{rev: rev, r: cloneRound(r)}
	}
	c.mu.Unlock()
	return r, nil
}

// cloneRound copies a round's slices, so that changing the copy's leaves the original as it was.
func cloneRound(r dossier.Round) dossier.Round {
	r.Required = slices.Clone(r.Required)
	r.Alerts = slices.Clone(r.Alerts)
	r.Notify.Emails = slices.Clone(r.Notify.Emails)
	r.Nominees = slices.Clone(r.Nominees)
	r.Packet = slices.Clone(r.Packet)
	r.Basis = slices.Clone(r.Basis)
	r.Removed = slices.Clone(r.Removed)
	return r
}
