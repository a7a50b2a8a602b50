package app

import (
	"slices"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/auth"
)

// TestPermissionTable is the role × action table, written out: each cell is what the rule
// of DESIGN §4 and DOMAIN.md says, for a Party round and a State round of the principal's own
// organization. A change to the table must change this test.
func TestPermissionTable(t *testing.T) {
	const org = "Tỉnh ủy Bình Sơn"
	party := dossier.Round{ID: "p", Organization: org, Track: dossier.TrackParty}
	state := dossier.Round{ID: "s", Organization: org, Track: dossier.TrackState}
	roles := []string{auth.RoleAdmin, auth.RoleOrganizer, auth.RoleCounter, auth.RoleViewer}
	// Letters: a admin, o organizer, c counter, v viewer; the same on both tracks unless a
	// second string is given for the State track.
	want := map[Action][2]string{
		ViewRound:         {"aocv"},
		ImportRound:       {"ao"},
		SeeWebhookSecret:  {"ao"},
		UploadDocument:    {"ao"},
		ViewDocument:      {"aocv"},
		ReadDocumentText:  {"ao"},
		DownloadDocument:  {"ao"},
		ReviewDocument:    {"ao"},
		SeeRequester:      {"ao"},
		ViewDossiers:      {"aocv"},
		DecideRequest:     {"ao"},
		RebuildDossiers:   {"ao"},
		ViewAlerts:        {"aocv"},
		ViewAlertDelivery: {"ao"},
		EnterTally:        {"aoc"},
		SealTally:         {"aoc"},
		ViewDraftTally:    {"aoc"},
		ViewResults:       {"aoc", "aocv"}, // Party results go to the conference; State results are public
		ViewRoundAudit:    {"aoc"},
		ViewAllAudit:      {"a"},
		ManageUsers:       {"a"},
		ChangeOwnPassword: {"aocv"},
		BackupSystem:      {"a"},
		PrintBallot:       {"ao"}, // the board prints the ballots
		BuildPacket:       {"ao"}, // the packet carries the documents: as DownloadDocument
		RecordPacket:      {"ao"},
		PublishResults:    {"ao"},
	}
	if len(want) != len(Actions()) {
		t.Fatalf("the table has %d actions, the test %d: write the new ones here", len(Actions()), len(want))
	}
	for act, w := range want {
		for i, rd := range []dossier.Round{party, state} {
			allowed := w[0]
			if i == 1 && w[1] != "" {
				allowed = w[1]
			}
			for _, role := range roles {
				p := auth.Principal{Username: "u", Roles: []string{role}, Organizations: []string{org}}
				got := May(p, act, &rd)
				if exp := slices.Contains([]rune(allowed), rune(role[0])); got != exp {
					t.Errorf("%s on %s round, %s: May = %v, want %v", act, rd.Track, role, got, exp)
				}
			}
		}
	}
}

// Another organization's round allows nothing, whatever the role — except to a global admin.
func TestOtherOrganizationMayNothing(t *testing.T) {
	rd := dossier.Round{ID: "r", Organization: "Tỉnh ủy Bình Sơn", Track: dossier.TrackState}
	for _, role := range []string{auth.RoleOrganizer, auth.RoleCounter, auth.RoleViewer} {
		p := auth.Principal{Username: "u", Roles: []string{role}, Organizations: []string{"Tỉnh ủy Hòa Lạc"}}
		for _, act := range Actions() {
			if May(p, act, &rd) {
				t.Errorf("%s of another organization may %s", role, act)
			}
		}
	}
	admin := auth.Principal{Username: "admin", Roles: []string{auth.RoleAdmin}}
	for _, act := range Actions() {
		if !May(admin, act, &rd) {
			t.Errorf("admin may not %s", act)
		}
	}
	if May(auth.Principal{Roles: []string{auth.RoleViewer}}, "no.such.action", &rd) {
		t.Error("an action not in the table is allowed")
	}
}

// A principal without a round: only the actions on no round (accounts, the whole trail) are
// judged by role alone; round actions open to everyone who sees a round need one.
func TestMayWithoutRound(t *testing.T) {
	viewer := auth.Principal{Roles: []string{auth.RoleViewer}, Organizations: []string{"x"}}
	organizer := auth.Principal{Roles: []string{auth.RoleOrganizer}, Organizations: []string{"x"}}
	for _, c := range []struct {
		p    auth.Principal
		act  Action
		want bool
	}{
		{organizer, ImportRound, true}, {viewer, ImportRound, false}, {viewer, ViewResults, false}, {organizer, ManageUsers, false},
		{viewer, ChangeOwnPassword, true}, {auth.Principal{Username: "no-role"}, ChangeOwnPassword, false},
	} {
		if got := May(c.p, c.act, nil); got != c.want {
			t.Errorf("%v %s without a round: %v", c.p.Roles, c.act, got)
		}
	}
}

// What may be reviewed is ingest's one rule, and MayReview of a document view follows it.
func TestReviewableRule(t *testing.T) {
	for _, c := range []struct {
		status, reason string
		want           bool
	}{
		{dossier.StatusNeedsReview, "no_text_layer", true},
		{dossier.StatusAccepted, "", true},
		{dossier.StatusLate, "", true},
		{dossier.StatusRejected, ingest.ReasonUnknownNominee, true},
		{dossier.StatusRejected, ingest.ReasonKindUncertain, true},
		{dossier.StatusRejected, "encrypted", false},
		{dossier.StatusRejected, ingest.ReasonDuplicate, false},
		{dossier.StatusPending, "", false},
	} {
		if got := ingest.Reviewable(c.status, c.reason); got != c.want {
			t.Errorf("Reviewable(%s, %s) = %v", c.status, c.reason, got)
		}
	}
}
