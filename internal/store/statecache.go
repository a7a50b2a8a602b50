package store

import (
	"sync"

	"tinnhiem/dossier"
)

// maxCachedDocs bounds the decoded projections kept, in documents (some 250 bytes each).
const maxCachedDocs = 200_000

// stateCache keeps decoded dossier projections by round and KV revision. What it keeps is its own
// copy, handed out to readers as is: nobody may change it (Dossiers.State clones it for writers).
type stateCache struct {
	mu      sync.Mutex
	max     int
	docs    int
	tick    uint64
	entries map[string]*cachedState
}

type cachedState struct {
	rev  uint64
	st   *dossier.State
	used uint64
}

func newStateCache(maxDocs int) *stateCache {
	return &stateCache{max: maxDocs, entries: map[string]*cachedState{}}
}

func (c *stateCache) get(round string, rev uint64) (*dossier.State, bool) {
	c.mu.Lock()
	e, ok := c.entries[round]
	if ok && e.rev == rev {
		c.tick++
		e.used = c.tick
	}
	c.mu.Unlock()
	if !ok || e.rev != rev {
		return nil, false
	}
	return e.st, true
}

func (c *stateCache) put(round string, rev uint64, st *dossier.State) {
	c.keep(round, rev, st.Clone())
}

// latest returns the state kept for round, whatever its revision, and that revision.
func (c *stateCache) latest(round string) (*dossier.State, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[round]
	if !ok {
		return nil, 0, false
	}
	c.tick++
	e.used = c.tick
	return e.st, e.rev, true
}

// keep is put without the copy: cp becomes the cache's own, and nobody may change it after.
func (c *stateCache) keep(round string, rev uint64, cp *dossier.State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[round]; ok {
		if old.rev > rev {
			return // a newer one is kept already
		}
		c.docs -= len(old.st.Docs)
		delete(c.entries, round)
	}
	if len(cp.Docs) > c.max {
		return
	}
	// The least recently used make room.
	for c.docs+len(cp.Docs) > c.max && len(c.entries) > 0 {
		var victim string
		var oldest uint64
		for r, e := range c.entries {
			if victim == "" || e.used < oldest {
				victim, oldest = r, e.used
			}
		}
		c.docs -= len(c.entries[victim].st.Docs)
		delete(c.entries, victim)
	}
	c.tick++
	c.entries[round] = &cachedState{rev: rev, st: cp, used: c.tick}
	c.docs += len(cp.Docs)
}
