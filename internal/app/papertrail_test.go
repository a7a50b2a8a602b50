package app

import (
	"fmt"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

// What the packet carries: per person on the ballot, in roster order and the round's kinds,
// the current accepted paper (a late one too: it is the person's paper), every explanation
// that answered a request; never a rejected paper, a paper waiting for review, a request for
// explanation (it names who asked) or anything of a person off the ballot.
func TestPacketDocuments(t *testing.T) {
	rd := dossiertest.Round(t) // n01, n02 on the ballot; n03 retiring
	st := dossiertest.NewBuilder(t, rd.ID).
		Doc("sa1-old", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).
		Doc("sa1", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).
		Doc("ad1", "n01", dossier.KindAssetDeclaration, dossier.StatusLate).
		Req("rq1", "n01", dossier.StatusAccepted, "").
		Req("rq2", "n01", dossier.StatusAccepted, "").
		Expl("ex1", "n01", dossier.StatusAccepted, "rq1", "").
		Expl("ex2", "n01", dossier.StatusAccepted, "rq2", "").
		Doc("sa2", "n02", dossier.KindSelfAssessment, dossier.StatusNeedsReview).
		Doc("ad2", "n02", dossier.KindAssetDeclaration, dossier.StatusRejected).
		Doc("sa3", "n03", dossier.KindSelfAssessment, dossier.StatusAccepted).State
	rep := dossier.Status(rd, st, time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC))
	got := fmt.Sprint(PacketDocuments(rd, rep))
	// (The fixture gives explanations no file name.)
	want := fmt.Sprint([]PacketDocument{
		{ID: "sa1", Nominee: "n01", Kind: dossier.KindSelfAssessment, File: "sa1.pdf"},
		{ID: "ad1", Nominee: "n01", Kind: dossier.KindAssetDeclaration, File: "ad1.pdf"},
		{ID: "ex1", Nominee: "n01", Kind: dossier.KindExplanation},
		{ID: "ex2", Nominee: "n01", Kind: dossier.KindExplanation},
	})
	if got != want {
		t.Errorf("packet documents\n got %s\nwant %s", got, want)
	}
	// A round that sends the self-assessments alone sends nothing else.
	rd.Packet = []dossier.Kind{dossier.KindSelfAssessment}
	if got := PacketDocuments(rd, rep); len(got) != 1 || got[0].ID != "sa1" {
		t.Errorf("self-assessments only: %+v", got)
	}
}
