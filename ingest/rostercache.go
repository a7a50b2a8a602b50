package ingest

import (
	"slices"
	"sync"
)

// rosterCache keeps the rosters compiled last for a Recognizer (see there). A roster is found
// again only by the very same persons in the same order, and a compiled roster is never changed
// once built, so recognition gives what it gives without it.
type rosterCache struct {
	mu      sync.Mutex
	entries []*roster // most recently used first
	size    int       // rosterSize of entries
}

// rosterCacheMax bounds the rosters kept, in letters of their names (rosterSize): what a compiled
// roster holds grows with them, about 40 bytes a letter (600 a person of a usual name), so the
// cache holds at most about 8 MB — a 5,000-person round beside a hundred small ones — however
// long the names of a round file are.
const rosterCacheMax = 200_000

// rosterSize is the letters of the roster's names, and one for each person.
func rosterSize(r *roster) int {
	n := len(r.people)
	for _, p := range r.names {
		n += len(p.fold)
	}
	return n
}

// get gives the compiled roster of people, compiling it when it is not kept (always, for a
// nil cache).
func (c *rosterCache) get(people []Person) *roster {
	if c == nil {
		return newRoster(slices.Clone(people))
	}
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
	size := rosterSize(r)
	if size > rosterCacheMax {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.entries, func(e *roster) bool { return slices.Equal(e.people, people) }) {
		return r // compiled meanwhile by another document of the round
	}
	c.entries = slices.Insert(c.entries, 0, r)
	c.size += size
	for c.size > rosterCacheMax {
		last := c.entries[len(c.entries)-1]
		c.entries = c.entries[:len(c.entries)-1]
		c.size -= rosterSize(last)
	}
	return r
}
