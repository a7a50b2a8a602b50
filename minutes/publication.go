package minutes

import (
	"errors"
	"fmt"
	"time"

	"tinnhiem/dossier"
)

// Publication says which sealed version of a round's tally was made public, when and by whom.
// Only a round whose results are public (dossier.Round.IsPublic) is published; a later
// publication (of a corrected version) replaces an earlier one.
type Publication struct {
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
}

// Errors of publication.
var (
	ErrNotPublic    = errors.New("kết quả của đợt này không công bố công khai")
	ErrNotSealed    = errors.New("chưa có kết quả kiểm phiếu được niêm phong")
	ErrNoSuchSealed = errors.New("không có phiên bản niêm phong này")
)

// Publish marks sealed version version (0: the latest) as the round's public results. A round
// whose results are internal is refused (ErrNotPublic); publishing the version already
// published changes nothing and answers false.
func (rec Record) Publish(rd dossier.Round, version int, by string, now time.Time) (Record, Publication, bool, error) {
	if !rd.IsPublic() {
		return rec, Publication{}, false, ErrNotPublic
	}
	last, ok := rec.Latest()
	if !ok {
		return rec, Publication{}, false, ErrNotSealed
	}
	if version == 0 {
		version = last.Version
	}
	if _, ok := rec.Version(version); !ok {
		return rec, Publication{}, false, fmt.Errorf("%w: %d (đã niêm phong đến phiên bản %d)", ErrNoSuchSealed, version, last.Version)
	}
	if p := rec.Published; p != nil && p.Version == version {
		return rec, *p, false, nil
	}
	p := Publication{Version: version, PublishedAt: now.UTC().Truncate(time.Second), PublishedBy: by}
	rec.Published = &p
	return rec, p, true, nil
}

// PublicResults is what the public page and GET /public/rounds/{r}.json show of a published
// round: per person the counts, the percentages and the threshold reached — never the
// absentees' names, the committee, the void reasons or who recorded what.
type PublicResults struct {
	Round              string         `json:"round"`
	Title              string         `json:"title"`
	Organization       string         `json:"organization"`
	ParentOrganization string         `json:"parent_organization"` // "" when none: a contract field, always present
	Track              string         `json:"track"`
	VoteDate           string         `json:"vote_date"`
	Timezone           string         `json:"timezone"`
	Version            int            `json:"version"`
	SealedAt           time.Time      `json:"sealed_at"`
	PublishedAt        time.Time      `json:"published_at"`
	Summoned           int            `json:"summoned"`
	Present            int            `json:"present"`
	Collected          int            `json:"collected"`
	ValidBallots       int            `json:"valid_ballots"`
	InvalidBallots     int            `json:"invalid_ballots"`
	Denominator        string         `json:"denominator"`
	DenominatorText    string         `json:"denominator_text"`
	CombinedShare      bool           `json:"combined_share"`
	Persons            []PublicPerson `json:"persons"`
}

// PublicPerson is one person's published line. Percent values are numbers rounded half-up to
// two decimals, PercentText the same as printed ("97,78%").
type PublicPerson struct {
	Order       int           `json:"order"`
	Name        string        `json:"name"`
	Position    string        `json:"position"` // "" when the roster gives none
	Valid       int           `json:"valid"`
	Counts      PublicCounts  `json:"counts"`
	Denominator int           `json:"denominator"`
	Percent     PublicPercent `json:"percent"`
	PercentText PublicText    `json:"percent_text"`
	Thresholds  Flags         `json:"thresholds"`
	// Threshold and Consequence say the threshold reached and what follows, in words; "" below
	// both thresholds.
	Threshold   string `json:"threshold"`
	Consequence string `json:"consequence"`
}

// PublicCounts are one person's votes at each level.
type PublicCounts struct {
	Cao      int `json:"cao"`
	TinNhiem int `json:"tin_nhiem"`
	Thap     int `json:"thap"`
}

// PublicPercent are the shares of the denominator; Combined is cao + tín nhiệm, which published
// summaries give.
type PublicPercent struct {
	Cao      float64 `json:"cao"`
	TinNhiem float64 `json:"tin_nhiem"`
	Thap     float64 `json:"thap"`
	Combined float64 `json:"combined"`
}

// PublicText are the shares as the documents print them.
type PublicText struct {
	Cao      string `json:"cao"`
	TinNhiem string `json:"tin_nhiem"`
	Thap     string `json:"thap"`
	Combined string `json:"combined"`
}

// PublicResultsOf is the published content of sealed version s of a round.
func PublicResultsOf(rd dossier.Round, s Sealed, p Publication) PublicResults {
	res := s.Result
	out := PublicResults{
		Round: rd.ID, Title: rd.Title, Organization: rd.Organization, ParentOrganization: rd.ParentOrganization,
		Track: rd.Track, VoteDate: rd.VoteDate, Timezone: rd.Timezone, Version: s.Version, SealedAt: s.SealedAt.UTC(), PublishedAt: p.PublishedAt.UTC(),
		Summoned: res.Summoned, Present: res.Present, Collected: res.Collected,
		ValidBallots: res.ValidBallots, InvalidBallots: res.InvalidBallots,
		Denominator: res.Denominator, DenominatorText: DenominatorWordsFor(rd.Track, res.Denominator),
		CombinedShare: rd.Report.CombinedShare, Persons: []PublicPerson{},
	}
	for _, n := range res.Nominees {
		combined := n.Counts.Cao + n.Counts.TinNhiem
		out.Persons = append(out.Persons, PublicPerson{
			Order: n.Order, Name: n.Name, Position: n.Position, Valid: n.Counts.Valid,
			Counts:      PublicCounts{Cao: n.Counts.Cao, TinNhiem: n.Counts.TinNhiem, Thap: n.Counts.Thap},
			Denominator: n.Denominator,
			Percent: PublicPercent{Cao: n.Percent.Cao, TinNhiem: n.Percent.TinNhiem, Thap: n.Percent.Thap,
				Combined: PercentValue(combined, n.Denominator)},
			PercentText: PublicText{Cao: n.PercentText.Cao, TinNhiem: n.PercentText.TinNhiem, Thap: n.PercentText.Thap,
				Combined: FormatPercent(combined, n.Denominator)},
			Thresholds:  n.Flags,
			Threshold:   ThresholdText(rd.Track, res.Denominator, n.Flags),
			Consequence: Consequence(rd.Track, n.Flags),
		})
	}
	return out
}
