package minutes

import (
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/minutes/document"
)

// Explained names a person whose written explanation was distributed to the voters.
type Explained struct {
	Name, Position string
}

// BuildModel turns a round and one sealed tally version into what the three documents print.
func BuildModel(rd dossier.Round, s Sealed, explained []Explained) document.Model {
	loc := rd.Location()
	res := s.Result
	vote, _ := time.ParseInLocation(time.DateOnly, rd.VoteDate, loc)
	at := func(v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := dossier.ParseDeadline(v, loc)
		if err != nil {
			return time.Time{}
		}
		return t
	}
	m := document.Model{
		Track:               document.Track(rd.Track),
		ParentOrganization:  rd.ParentOrganization,
		Organization:        rd.Organization,
		OrganizationHeading: headingOf(rd.Organization, rd.ParentOrganization, rd.Place),
		Place:               rd.Place,
		Title:               rd.Title,
		SessionName:         s.Session.Name,
		Venue:               s.Session.Venue,
		VoteDate:            vote,
		Location:            loc,
		SealedAt:            s.SealedAt,
		DocNumbers:          map[document.Kind]string{},
		OpenedAt:            at(s.Session.CountingOpenedAt),
		ClosedAt:            at(s.Session.CountingClosedAt),
		SessionOpenedAt:     at(s.Session.SessionOpenedAt),
		SessionClosedAt:     at(s.Session.SessionClosedAt),
		Chair:               s.Session.Chair,
		ChairPosition:       s.Session.ChairPosition,
		Secretary:           s.Session.Secretary,
		Agenda:              s.Session.Agenda,
		CommitteeFormation:  s.Session.CommitteeFormation,
		Summoned:            res.Summoned,
		Present:             res.Present,
		Issued:              res.Issued,
		Collected:           res.Collected,
		ValidBallots:        res.ValidBallots,
		InvalidBallots:      res.InvalidBallots,
		QuorumMet:           res.QuorumMet,
		InvalidReasons:      s.Session.InvalidReasons,
		Irregularities:      s.Session.Irregularities,
		DossiersSentAt:      s.Session.DossiersSentAt,
		ExplanationsSentAt:  s.Session.ExplanationsSentAt,
		DenominatorWords:    res.DenominatorText,
		BlankRuleWords:      BlankRowWords(res.BlankRow),
		Copies:              s.Session.Copies,
		ReportTo:            s.Session.ReportTo,
		Recipients:          s.Session.Recipients,
		Signer:              document.Signer{On: s.Session.SignerOn, Title: s.Session.SignerTitle, Name: s.Session.SignerName},
		TallyJSON:           s.Canonical,
	}
	for k, v := range s.Session.DocNumbers {
		m.DocNumbers[document.Kind(k)] = v
	}
	for _, c := range res.Committee {
		m.Committee = append(m.Committee, document.Member{Name: c.Name, Role: c.Role})
	}
	for _, a := range res.Absent {
		m.Absent = append(m.Absent, document.Absentee{Name: a.Name, Reason: a.Reason})
	}
	for _, n := range rd.Nominees {
		if !n.OnBallot() {
			m.Excluded = append(m.Excluded, document.Exclusion{Name: n.Name, Position: n.Position, Reason: n.ExemptReason})
		}
	}
	for _, e := range explained {
		m.Explanations = append(m.Explanations, document.Explanation{Name: e.Name, Position: e.Position})
	}
	for _, n := range res.Nominees {
		m.Rows = append(m.Rows, document.Row{
			Order: n.Order, Name: n.Name, Position: n.Position, Valid: n.Counts.Valid,
			Cao: n.Counts.Cao, TinNhiem: n.Counts.TinNhiem, Thap: n.Counts.Thap,
			CaoPct: n.PercentText.Cao, TinNhiemPct: n.PercentText.TinNhiem, ThapPct: n.PercentText.Thap,
			Flag: Consequence(rd.Track, n.Flags),
		})
	}
	return m
}

// headingOf is the issuing body as the header prints it under its superior body: the
// organization without its place name ("Tỉnh ủy Bình Sơn" → "Tỉnh ủy"). Without a superior
// body above it the full name stays (a People's Council names its province itself).
func headingOf(org, parent, place string) string {
	if place != "" && parent != "" {
		if h, ok := strings.CutSuffix(org, " "+place); ok && strings.TrimSpace(h) != "" {
			return strings.TrimSpace(h)
		}
	}
	return ""
}
