package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `minutes fetch` run right after `tally seal` gives the whole set of the sealed version, not
// whatever part the minutes workers have stored so far (or an error while they render).
func TestMinutesFetchRightAfterSeal(t *testing.T) {
	ts := startServer(t, t.TempDir())
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", round45)); err != nil {
		t.Fatal(err)
	}
	ids := []string{"n01", "n02", "n03", "n04", "n05"}
	csv := ballots(ids, map[string][3]int{"n01": {45, 0, 0}, "n02": {44, 1, 0}, "n03": {42, 2, 1}, "n04": {40, 5, 0}, "n05": {26, 10, 9}}, 45)
	if _, err := ts.cli(t, "tally", "import", "--round", "btv-45", "--present", "45", "--issued", "45", "--collected", "45",
		writeFile(t, "phieu.csv", csv)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.cli(t, "tally", "seal", "--round", "btv-45"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bien-ban")
	out, err := ts.cli(t, "minutes", "fetch", "--round", "btv-45", "-o", dir)
	if err != nil {
		t.Fatalf("fetch right after the seal: %v %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) != 3 || strings.Count(out, ".pdf") != 3 {
		t.Fatalf("fetched %v; output %s", files, out)
	}
	for _, f := range files {
		if data, _ := os.ReadFile(f); !strings.HasPrefix(string(data), "%PDF-") {
			t.Errorf("%s is not a PDF", f)
		}
	}
	// A version that was never sealed is refused at once, whatever the wait.
	if out, err := ts.cli(t, "minutes", "fetch", "--round", "btv-45", "--version", "7", "-o", dir); err == nil {
		t.Errorf("fetch of an unsealed version: %s", out)
	}
}
