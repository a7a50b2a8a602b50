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

// ExplainedIn lists the persons of a dossier report whose written explanation answered a
// request, for the session minutes ("dossiers and explanations distributed").
func ExplainedIn(rep dossier.Report) []Explained {
	var out []Explained
	for _, n := range rep.Nominees {
		for _, r := range n.Requests {
			if r.AnsweredBy != "" {
				out = append(out, Explained{Name: n.Name, Position: n.Position})
				break
			}
		}
	}
	return out
}

// BuildModel turns a round and one sealed tally version into what the three documents print.
// A correction (version 2 on) carries its number and reason; when it was sealed the version it
// replaces is not in s, and the documents name that version by its number: BuildRecordModel
// gives them its seal time too.
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
		Version:             s.Version,
		CorrectionReason:    s.Reason,
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
		VoidMarked:          res.VoidMarked,
		VoidBadRow:          res.VoidBadRow,
		QuorumMet:           res.QuorumMet,
		InvalidReasons:      s.Session.InvalidReasons,
		Irregularities:      s.Session.Irregularities,
		DossiersSentAt:      s.Session.DossiersSentAt,
		ExplanationsSentAt:  s.Session.ExplanationsSentAt,
		DenominatorWords:    DenominatorWordsFor(rd.Track, res.Denominator),
		BlankRuleWords:      BlankRowWords(res.BlankRow),
		Copies:              s.Session.Copies,
		ReportTo:            s.Session.ReportTo,
		Recipients:          s.Session.Recipients,
		Signer:              document.Signer{On: s.Session.SignerOn, Title: s.Session.SignerTitle, Name: s.Session.SignerName},
		TallyJSON:           s.Canonical,
		Publication:         rd.Publication,
		Basis:               rd.Basis,
		CombinedShare:       rd.Report.CombinedShare,
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
		combined := n.Counts.Cao + n.Counts.TinNhiem
		m.Rows = append(m.Rows, document.Row{
			Order: n.Order, Name: n.Name, Position: n.Position, Valid: n.Counts.Valid,
			Cao: n.Counts.Cao, TinNhiem: n.Counts.TinNhiem, Thap: n.Counts.Thap,
			CaoPct: n.PercentText.Cao, TinNhiemPct: n.PercentText.TinNhiem, ThapPct: n.PercentText.Thap,
			Combined: combined, CombinedPct: FormatPercent(combined, n.Denominator),
			Flag:      Consequence(rd.Track, n.Flags),
			Threshold: ThresholdText(rd.Track, res.Denominator, n.Flags),
			BlankRows: n.BlankRows, SpoiledRows: n.SpoiledRows,
			OtherInvalid: max(0, n.Counts.Invalid-res.InvalidBallots-n.BlankRows-n.SpoiledRows),
		})
	}
	return m
}

// BuildRecordModel is BuildModel for version s of the record rec: a correction also says when
// the version it replaces was sealed.
func BuildRecordModel(rd dossier.Round, rec Record, s Sealed, explained []Explained) document.Model {
	m := BuildModel(rd, s, explained)
	m.ReplacesSealedAt = ReplacedSealedAt(rec, s.Version)
	return m
}

// ReplacedSealedAt is when the version that version corrects (the one before it) was sealed;
// zero for a first version or one the record does not hold.
func ReplacedSealedAt(rec Record, version int) time.Time {
	if _, ok := rec.Version(version); !ok || version < 2 {
		return time.Time{}
	}
	prev, ok := rec.Version(version - 1)
	if !ok {
		return time.Time{}
	}
	return prev.SealedAt
}

// headingOf is the issuing body as the header prints it under its superior body. The short
// form without the place ("Tỉnh ủy Bình Sơn" → "Tỉnh ủy") is right only when the superior
// body names the same place ("ĐẢNG BỘ TỈNH BÌNH SƠN" / "TỈNH ỦY"): under "Đảng bộ tỉnh Bình
// Sơn" the district's "Huyện ủy An Lạc" keeps its name, or the header would not say which
// district. Without a superior body the full name stays (a People's Council names its
// province itself). "" means the full name.
func headingOf(org, parent, place string) string {
	org, parent, place = dossier.NFC(org), dossier.NFC(parent), dossier.NFC(place)
	if place == "" || parent == "" {
		return ""
	}
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	if !strings.HasSuffix(fold(parent), " "+fold(place)) {
		return ""
	}
	if h, ok := strings.CutSuffix(org, " "+place); ok && strings.TrimSpace(h) != "" {
		return strings.TrimSpace(h)
	}
	return ""
}
