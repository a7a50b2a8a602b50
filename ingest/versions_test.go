package ingest

import (
	"testing"
	"time"

	"tinnhiem/dossier"
)

func TestCurrentVersions(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	at := time.Date(2028, 11, 25, 23, 59, 59, 0, loc)
	r := dossier.Round{Timezone: "Asia/Ho_Chi_Minh"}
	r.Deadlines.Dossier = dossier.Deadline{At: at}
	vs := []Version{
		{ID: "a", Status: dossier.StatusLate, ReceivedAt: at.Add(time.Minute)},
		{ID: "b", Status: dossier.StatusAccepted, ReceivedAt: at.Add(-time.Hour)},
		{ID: "c", Status: dossier.StatusRejected, ReceivedAt: at.Add(-time.Hour)},
	}
	moved := r
	moved.Deadlines.Dossier.At = at.Add(time.Hour)
	got := CurrentVersions(moved, dossier.KindSelfAssessment, vs)
	if got[0].Status != dossier.StatusAccepted || got[1].Status != dossier.StatusAccepted || got[2].Status != dossier.StatusRejected {
		t.Errorf("deadline moved later: %+v", got)
	}
	earlier := r
	earlier.Deadlines.Dossier.At = at.Add(-2 * time.Hour)
	if got := CurrentVersions(earlier, dossier.KindSelfAssessment, vs); got[1].Status != dossier.StatusLate {
		t.Errorf("deadline moved earlier: %+v", got)
	}
	if vs[0].Status != dossier.StatusLate {
		t.Error("the stored list was changed")
	}
}
