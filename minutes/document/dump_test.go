package document

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var dump = flag.String("dump", "", "write every fixture's PDFs into this directory, to look at them")

func TestDump(t *testing.T) {
	if *dump == "" {
		return
	}
	cases := map[string]Model{
		"party-15": fixture(TrackParty, 15), "state-15": fixture(TrackState, 15),
		"party-200": fixture(TrackParty, 200), "below-quorum": belowQuorum(), "long-names": longNames(),
	}
	for name, m := range cases {
		for _, k := range Kinds() {
			b, err := Render(k, m)
			if err != nil {
				t.Fatalf("%s %s: %v", name, k, err)
			}
			if err := os.WriteFile(filepath.Join(*dump, name+"-"+string(k)+".pdf"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
