package dossier

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Tracks of the two legal regimes (DOMAIN.md).
const (
	TrackParty = "party"
	TrackState = "state"
)

// Denominators and blank-row rules a round may choose.
const (
	DenominatorSummoned       = "summoned"
	DenominatorPresent        = "present"
	DenominatorCollected      = "collected"
	DenominatorValidForPerson = "valid_for_person"

	BlankRowVoidRow    = "void_row"
	BlankRowVoidBallot = "void_ballot"
)

// DefaultTimezone is the time zone of a round that names none.
const DefaultTimezone = "Asia/Ho_Chi_Minh"

// Deadline names, as used in alerts and the API. The first three judge documents; the others
// are steps of the board (DOMAIN.md): the list of persons (State track, 45 days before the
// session), the Fatherland Front's opinions (State track, 25 days) and the sending of the
// voters' packet (Party 15 days, State 20 days before the vote).
const (
	DeadlineDossier            = "dossier"
	DeadlineExplanationRequest = "explanation_request"
	DeadlineExplanation        = "explanation"
	DeadlineList               = "list"
	DeadlineFrontOpinions      = "front_opinions"
	DeadlinePacket             = "packet"
)

// AllDeadlines lists every deadline in the order they fall by default. A round tracks only
// those its track has (Round.DeadlineNames): a Party round has no list or Front step.
func AllDeadlines() []string {
	return []string{DeadlineList, DeadlineDossier, DeadlineFrontOpinions, DeadlinePacket, DeadlineExplanationRequest, DeadlineExplanation}
}

// Publication settings of a round (DOMAIN.md "Around the vote").
const (
	PublicationPublic   = "public"
	PublicationInternal = "internal"
)

// Round is one confidence-vote round (đợt lấy phiếu) as stored. Times are UTC.
type Round struct {
	ID                 string    `json:"id"`
	Track              string    `json:"track"`
	Organization       string    `json:"organization"`
	ParentOrganization string    `json:"parent_organization,omitempty"`
	Title              string    `json:"title"`
	Place              string    `json:"place,omitempty"`
	Timezone           string    `json:"timezone"`
	VoteDate           string    `json:"vote_date"` // YYYY-MM-DD in the round's time zone
	Deadlines          Deadlines `json:"deadlines"`
	Summoned           int       `json:"summoned"`
	Required           []Kind    `json:"required"`
	Rules              Rules     `json:"rules"`
	Alerts             []Lead    `json:"alerts"`
	Notify             Notify    `json:"notify"`
	Nominees           []Nominee `json:"nominees"`
	// Publication is public or internal; "" (a round stored before the field existed) means
	// the track's default: see IsPublic.
	Publication string `json:"publication,omitempty"`
	// Packet lists the kinds sent to the voters; nil (a round stored before the field existed)
	// means the default: see PacketKinds.
	Packet []Kind `json:"packet"`
	// Basis are the local texts the result report cites ("Kế hoạch số 104-KH/TU …").
	Basis     []string      `json:"basis,omitempty"`
	Report    ReportOptions `json:"report"`
	Version   int           `json:"version"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	UpdatedBy string        `json:"updated_by,omitempty"`
	Removed   []Nominee     `json:"removed,omitempty"` // persons taken off the ballot by a re-import; their documents stay
}

// Deadlines are inclusive instants: a document received at or before At is on time. A step
// the round's track does not have is zero.
type Deadlines struct {
	Dossier            Deadline `json:"dossier"`
	ExplanationRequest Deadline `json:"explanation_request"`
	Explanation        Deadline `json:"explanation"`
	List               Deadline `json:"list,omitzero"`
	FrontOpinions      Deadline `json:"front_opinions,omitzero"`
	Packet             Deadline `json:"packet,omitzero"`
}

// ReportOptions shape the result report.
type ReportOptions struct {
	// CombinedShare adds the share of "tín nhiệm cao" and "tín nhiệm" together, as published
	// provincial summaries give it.
	CombinedShare bool `json:"combined_share,omitempty"`
}

// Deadline is the last instant at which a document still counts as on time.
type Deadline struct {
	At     time.Time `json:"at"`
	Given  string    `json:"given,omitempty"` // as written in the round file; "" when defaulted
	Source string    `json:"source"`          // "file" or "default"
}

// OnTime reports whether a document received at t meets the deadline.
func (d Deadline) OnTime(t time.Time) bool { return !t.After(d.At) }

// Rules are the per-round settings where the sources disagree (DOMAIN.md).
type Rules struct {
	Denominator string `json:"denominator"`
	BlankRow    string `json:"blank_row"`
	AcceptLate  bool   `json:"accept_late"`
}

// Notify says where the deadline watcher sends alerts.
type Notify struct {
	Emails        []string `json:"emails,omitempty"`
	Webhook       string   `json:"webhook,omitempty"`
	WebhookSecret string   `json:"webhook_secret,omitempty"`
}

// Lead is an alert lead time before a deadline.
type Lead struct {
	D    time.Duration `json:"-"`
	Text string        `json:"text"`
}

// MarshalText keeps the operator's own notation ("72h", "30m", "2d").
func (l Lead) MarshalText() ([]byte, error) { return []byte(l.Text), nil }

// UnmarshalText parses a lead such as "72h", "90m" or "3d".
func (l *Lead) UnmarshalText(b []byte) error {
	d, err := ParseLead(string(b))
	if err != nil {
		return err
	}
	*l = Lead{D: d, Text: string(b)}
	return nil
}

// ParseLead parses Go durations and a day suffix ("3d").
func ParseLead(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "d"), "%d", &n); err != nil || n <= 0 || fmt.Sprintf("%dd", n) != s {
			return 0, fmt.Errorf("thời gian báo trước không hợp lệ %q (ví dụ: 72h, 30m, 3d)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("thời gian báo trước không hợp lệ %q (ví dụ: 72h, 30m, 3d)", s)
	}
	return d, nil
}

// Nominee is a person on the roster of a round.
type Nominee struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Position        string `json:"position,omitempty"`
	Appointed       string `json:"appointed,omitempty"` // YYYY-MM-DD
	Retiring        bool   `json:"retiring,omitempty"`
	SickLeaveMonths int    `json:"sick_leave_months,omitempty"` // state track: certified serious illness
	Exempt          string `json:"exempt,omitempty"`            // manual reason entered by the board
	ExemptReason    string `json:"exempt_reason,omitempty"`     // derived: why the person is not on the ballot
}

// OnBallot reports whether the person is voted on.
func (n Nominee) OnBallot() bool { return n.ExemptReason == "" }

// Location is the round's time zone.
func (r *Round) Location() *time.Location {
	return zone(r.Timezone)
}

// zones keeps the time zones loaded: time.LoadLocation reads and parses the zone's file from
// disk at every call, and every time a page, a verdict or an answer shows is formatted in its
// round's zone (1 % of the server's CPU under the load tool). A *time.Location never changes,
// so what is kept is what LoadLocation would give again; the names are those of the rounds.
var zones sync.Map // name → *time.Location

// zone is time.LoadLocation(name), kept; UTC for a name that is no zone.
func zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, loc)
	return loc
}

// Nominee returns the person with that id.
func (r *Round) Nominee(id string) (Nominee, bool) {
	for _, n := range r.Nominees {
		if n.ID == id {
			return n, true
		}
	}
	return Nominee{}, false
}

// OnBallot lists the persons voted on, in roster order.
func (r *Round) OnBallot() []Nominee {
	var out []Nominee
	for _, n := range r.Nominees {
		if n.OnBallot() {
			out = append(out, n)
		}
	}
	return out
}

// Deadline returns the named deadline.
func (r *Round) Deadline(name string) (Deadline, bool) {
	switch name {
	case DeadlineDossier:
		return r.Deadlines.Dossier, true
	case DeadlineExplanationRequest:
		return r.Deadlines.ExplanationRequest, true
	case DeadlineExplanation:
		return r.Deadlines.Explanation, true
	case DeadlineList:
		return r.Deadlines.List, true
	case DeadlineFrontOpinions:
		return r.Deadlines.FrontOpinions, true
	case DeadlinePacket:
		return r.Deadlines.Packet, true
	}
	return Deadline{}, false
}

// DeadlineNames lists the deadlines this round tracks, in the order of AllDeadlines: those
// set, so a Party round lists no State step and a round stored before a step existed lists
// only what it has.
func (r *Round) DeadlineNames() []string {
	var out []string
	for _, name := range AllDeadlines() {
		if d, _ := r.Deadline(name); !d.At.IsZero() {
			out = append(out, name)
		}
	}
	return out
}

// DeadlineNameFor names the deadline that applies to a document of kind k ("" for none).
func (r *Round) DeadlineNameFor(k Kind) string {
	switch k {
	case KindSelfAssessment, KindAssetDeclaration:
		return DeadlineDossier
	case KindExplanationRequest:
		return DeadlineExplanationRequest
	case KindExplanation:
		return DeadlineExplanation
	}
	if slices.Contains(r.Required, k) {
		return DeadlineDossier
	}
	return ""
}

// IsPublic reports whether the round's results are published: the round's setting, else the
// track's default (State results are public by law; Party results go to the conference and
// the managing level only).
func (r *Round) IsPublic() bool {
	switch r.Publication {
	case PublicationPublic:
		return true
	case PublicationInternal:
		return false
	}
	return r.Track == TrackState
}

// DefaultPacket is what the voters receive unless the round says otherwise (DOMAIN.md): the
// self-assessment with the asset declaration attached, and any explanations.
func DefaultPacket() []Kind {
	return []Kind{KindSelfAssessment, KindAssetDeclaration, KindExplanation}
}

// PacketKinds are the kinds the round sends to the voters, in the order the packet sets them.
func (r *Round) PacketKinds() []Kind {
	if r.Packet == nil {
		return DefaultPacket()
	}
	return slices.Clone(r.Packet)
}

// DeadlineFor returns the deadline that applies to a document of kind k.
func (r *Round) DeadlineFor(k Kind) (Deadline, bool) {
	switch k {
	case KindSelfAssessment, KindAssetDeclaration:
		return r.Deadlines.Dossier, true
	case KindExplanationRequest:
		return r.Deadlines.ExplanationRequest, true
	case KindExplanation:
		return r.Deadlines.Explanation, true
	}
	if r.Required != nil {
		for _, q := range r.Required {
			if q == k {
				return r.Deadlines.Dossier, true
			}
		}
	}
	return Deadline{}, false
}

// FormatTime shows an instant in the round's time zone, Vietnamese style.
func (r *Round) FormatTime(t time.Time) string {
	return t.In(r.Location()).Format("15:04 02/01/2006")
}

var (
	roundIDPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	nomineeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
)

// NFC normalises user text and trims surrounding space.
func NFC(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

// GenerateID derives a stable round id from the organization, title and vote date, so that
// importing the same file without an id again updates the same round.
func GenerateID(org, title, voteDate string) string {
	sum := sha256.Sum256([]byte(NFC(org) + "\x00" + NFC(title) + "\x00" + voteDate))
	slug := Slug(org)
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	year := ""
	if len(voteDate) >= 4 {
		year = voteDate[:4]
	}
	parts := []string{}
	for _, p := range []string{slug, year, hex.EncodeToString(sum[:3])} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-")
}

// Slug folds Vietnamese text to lower-case ASCII words joined by hyphens.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ErrNotFound is returned when a round (or another record) does not exist.
var ErrNotFound = errors.New("not found")

// ValidRoundID reports whether id has the shape of a round id (it is used in keys and subjects).
func ValidRoundID(id string) bool { return roundIDPattern.MatchString(id) }

// NextVersion is what storing next makes of a round: a new one (old nil) starts at version 1;
// an update keeps the creation time, bumps the version and remembers who was taken off the
// roster, so nothing received for them is orphaned.
func NextVersion(old *Round, next Round, by string, now time.Time) Round {
	next.UpdatedAt, next.UpdatedBy = now.UTC(), by
	if old == nil {
		next.CreatedAt, next.Version = now.UTC(), 1
		return next
	}
	next.CreatedAt, next.Version = old.CreatedAt, old.Version+1
	next.Removed = removedNominees(*old, next)
	return next
}

// removedNominees lists persons of old (and those removed earlier) absent from next.
func removedNominees(old, next Round) []Nominee {
	present := map[string]bool{}
	for _, n := range next.Nominees {
		present[n.ID] = true
	}
	var out []Nominee
	seen := map[string]bool{}
	for _, n := range append(append([]Nominee{}, old.Nominees...), old.Removed...) {
		if present[n.ID] || seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		out = append(out, n)
	}
	return out
}
