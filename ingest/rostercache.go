package ingest

import (
	"slices"
	"sync"
)

// rosterCache keeps the rosters compiled last (names folded, syllable keys, the trie of names),
// so that the documents of one round — which come in bursts — pay for its roster once rather
// than each: 17 ms a document for a 5,000-person round, more than all the rest of recognition.
//
// It is the one piece of mutable state recognition has, and nothing outside can tell it is
// there: a roster is found again only by the very same persons in the same order, a compiled
// roster is never changed once built, and Recognize gives what it gave without it.
type rosterCache struct {
	mu      sync.Mutex
	entries []*roster // most recently used first
	persons int       // persons in entries
}

// rosterCacheMax bounds the persons kept (a compiled person is about 600 bytes): a 5,000-person
// round beside a hundred small ones.
const rosterCacheMax = 12000

var sharedRosters = &rosterCache{}

// get gives the compiled roster of people, compiling it when it is not kept.
func (c *rosterCache) get(people []Person) *roster {
	c.mu.Lock()
	for i, r := range c.entries {
		if slices.Equal(r.people, people) {
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = r
			c.mu.Unlock()
			return r
		}
	}
	c.mu.Unlock()
	r := newRoster(slices.Clone(people))
	if len(people) > rosterCacheMax {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.entries, func(e *roster) bool { return slices.Equal(e.people, people) }) {
		return r // compiled meanwhile by another document of the round
	}
	c.entries = slices.Insert(c.entries, 0, r)
	c.persons += len(people)
	for c.persons > rosterCacheMax {
		last := c.entries[len(c.entries)-1]
		c.entries = c.entries[:len(c.entries)-1]
		c.persons -= len(last.people)
	}
	return r
}
