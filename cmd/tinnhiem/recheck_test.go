package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// Issue "Dossier tracking", changes to the round: a paper received before its person was on the
// roster is refused as nobody's; once the person is added, it is read again and counts.
func TestPersonAddedAfterTheirPaperArrived(t *testing.T) {
	ts := startServer(t, t.TempDir())
	withoutHung := strings.Replace(round45, "  - {id: n01, name: Trần Quốc Hùng, position: Bí thư Tỉnh ủy}\n", "", 1)
	if withoutHung == round45 {
		t.Fatal("test bug: n01 not removed")
	}
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", withoutHung)); err != nil {
		t.Fatal(err)
	}
	asset, err := os.ReadFile("../../ingest/pdftext/testdata/lo-ke-khai-tai-san.pdf")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.cli(t, "upload", "--round", "btv-45", writeFile(t, "kk.pdf", string(asset)))
	if err != nil {
		t.Fatal(err)
	}
	var u uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &u); err != nil {
		t.Fatal(err)
	}
	if u.Status != "rejected" || u.Reason != "unknown_nominee" {
		t.Fatalf("before the person is on the roster: %+v", u)
	}
	// The same file sent again meanwhile: only the first copy is read again.
	out, err = ts.cli(t, "upload", "--round", "btv-45", writeFile(t, "kk-lan-2.pdf", string(asset)))
	if err != nil {
		t.Fatal(err)
	}
	var again uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &again); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round2.yaml", round45)); err != nil {
		t.Fatal(err)
	}
	admin := ts.token(t, "admin", ts.adminPassword(t))
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		res := ts.api(t, http.MethodGet, "/api/v1/documents/"+u.DocumentID, admin, nil)
		var d struct {
			Status, Nominee, Kind string
			Revision              int
		}
		_ = json.Unmarshal(res.Body, &d)
		if d.Status == "accepted" && d.Nominee == "n01" && d.Kind == "asset_declaration" && d.Revision == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after n01 was added: %s", res.Body)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		res := ts.api(t, http.MethodGet, "/api/v1/rounds/btv-45/dossiers", admin, nil)
		var st []struct {
			Nominee   string            `json:"nominee"`
			Documents map[string]string `json:"documents"`
		}
		_ = json.Unmarshal(res.Body, &st)
		if len(st) > 0 && st[0].Nominee == "n01" && st[0].Documents["asset_declaration"] == "accepted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dossier of n01: %s", res.Body)
		}
	}
	res := ts.api(t, http.MethodGet, "/api/v1/documents/"+again.DocumentID, admin, nil)
	var d struct {
		Status, Nominee string
	}
	_ = json.Unmarshal(res.Body, &d)
	if d.Nominee == "n01" && d.Status == "accepted" {
		t.Errorf("the later copy counts too: %s", res.Body)
	}
}
