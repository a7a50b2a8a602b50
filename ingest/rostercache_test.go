package ingest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// A roster is found again only by the same persons in the same order; a change of anybody's
// name or id, or of the order, compiles it anew, and the persons kept stay bounded.
func TestRosterCache(t *testing.T) {
	c := &rosterCache{}
	people := []Person{{"n01", "Nguyễn Văn Hùng"}, {"n02", "Lê Văn Tâm"}}
	r := c.get(people)
	if c.get(slices.Clone(people)) != r {
		t.Error("the same persons compiled twice")
	}
	// The caller's slice is the caller's: changing it later changes nothing kept.
	people[1].Name = "Lê Văn Tám"
	r2 := c.get(people)
	if r2 == r || r2.people[1].Name != "Lê Văn Tám" || r.people[1].Name != "Lê Văn Tâm" {
		t.Errorf("a renamed person found the old roster (%q, %q)", r2.people[1].Name, r.people[1].Name)
	}
	if c.get([]Person{people[1], people[0]}) == r2 {
		t.Error("another order found the same roster")
	}
	big := generatedRoster(rosterCacheMax/2 + 1)
	c.get(big)
	c.get(generatedRoster(rosterCacheMax/2 + 2))
	if c.persons > rosterCacheMax || c.persons != sumPersons(c.entries) {
		t.Errorf("%d persons kept (%d counted), at most %d", sumPersons(c.entries), c.persons, rosterCacheMax)
	}
	if c.get(generatedRoster(rosterCacheMax+1)) == nil || c.persons > rosterCacheMax {
		t.Error("a roster over the bound")
	}
}

func sumPersons(rs []*roster) int {
	n := 0
	for _, r := range rs {
		n += len(r.people)
	}
	return n
}

// Documents of several rounds recognised at once read each its own roster.
func TestRosterCacheConcurrent(t *testing.T) {
	rosters, _ := loadCorpus(t)
	text := "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: %s\nNgười báo cáo\n%s\n"
	var wg sync.WaitGroup
	for k, people := range rosters {
		for i, p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := Recognize(fmt.Sprintf(text, p.Name, p.Name), rosters[k], Declared{})
				if got.Nominee != p.ID && len(got.Candidates) == 0 {
					t.Errorf("%s %d: nominee %q, want %q", k, i, got.Nominee, p.ID)
				}
			}()
		}
	}
	wg.Wait()
}
