package minutes

import (
	"time"

	"tinnhiem/dossier"
	"tinnhiem/minutes/document"
)

// BallotModel is the ballot paper of a round: the persons on the ballot in roster order (exempt
// persons never appear), the round's heading and its blank-row rule. copies > 0 numbers that
// many copies; at is the PDF's creation date.
func BallotModel(rd dossier.Round, copies int, at time.Time) document.BallotModel {
	vote, _ := time.ParseInLocation(time.DateOnly, rd.VoteDate, rd.Location())
	b := document.BallotModel{
		Track: document.Track(rd.Track), ParentOrganization: rd.ParentOrganization, Organization: rd.Organization,
		OrganizationHeading: headingOf(rd.Organization, rd.ParentOrganization, rd.Place), Place: rd.Place,
		Title: rd.Title, VoteDate: vote, CreatedAt: at, Copies: copies,
		BlankRuleWords: BlankRowWords(rd.Rules.BlankRow),
	}
	for _, n := range rd.OnBallot() {
		b.Persons = append(b.Persons, document.BallotPerson{Name: n.Name, Position: n.Position})
	}
	return b
}

// Ballot renders the round's ballot paper (see BallotModel).
func Ballot(rd dossier.Round, copies int, at time.Time) ([]byte, error) {
	return document.RenderBallot(BallotModel(rd, copies, at))
}

// Notice renders the public results notice (Thông báo kết quả) of a sealed version: per person
// the counts, the percentages and the threshold reached. The caller publishes it only for a
// round whose results are public (dossier.Round.IsPublic).
func Notice(rd dossier.Round, rec Record, s Sealed) ([]byte, error) {
	return document.Render(document.KindNotice, BuildRecordModel(rd, rec, s, nil))
}
