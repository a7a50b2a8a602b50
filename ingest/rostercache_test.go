package ingest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
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
	// Bounded by the letters of the names, however long they are.
	long := func(n int, prefix string) []Person {
		out := generatedRoster(n)
		for i := range out {
			out[i].Name = prefix + out[i].Name
		}
		return out
	}
	c.get(generatedRoster(5000))
	c.get(long(400, strings.Repeat("Nguyễn ", 60)))
	c.get(long(400, strings.Repeat("Lê ", 60)))
	if c.size > rosterCacheMax || c.size != sumSizes(c.entries) {
		t.Errorf("%d letters kept (%d counted), at most %d", sumSizes(c.entries), c.size, rosterCacheMax)
	}
	if c.get(people) == r2 {
		t.Error("the oldest roster still kept")
	}
	if c.get(long(1000, strings.Repeat("Trần ", 60))) == nil || c.size > rosterCacheMax {
		t.Error("a roster over the bound")
	}
}

func sumSizes(rs []*roster) int {
	n := 0
	for _, r := range rs {
		n += rosterSize(r)
	}
	return n
}

// Documents of several rounds recognised at once read each its own roster.
func TestRosterCacheConcurrent(t *testing.T) {
	rosters, _ := loadCorpus(t)
	text := "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: %s\nNgười báo cáo\n%s\n"
	var rc Recognizer
	var wg sync.WaitGroup
	for k, people := range rosters {
		for i, p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := rc.Recognize(fmt.Sprintf(text, p.Name, p.Name), rosters[k], Declared{})
				if want := Recognize(fmt.Sprintf(text, p.Name, p.Name), rosters[k], Declared{}); !reflect.DeepEqual(got, want) {
					t.Errorf("%s %d: with the rosters kept %+v, without %+v", k, i, got, want)
				}
				if got.Nominee != p.ID && len(got.Candidates) == 0 {
					t.Errorf("%s %d: nominee %q, want %q", k, i, got.Nominee, p.ID)
				}
			}()
		}
	}
	wg.Wait()
}
