// Package document lays out the minutes of a confidence vote as PDF: the counting minutes, the
// session minutes and the result report, in the Party or State administrative style, from a plain
// view model that the caller fills in Vietnamese.
package document

import "time"

// Track is the legal track of a round; it decides the header, the wording and who may read the results.
type Track string

// The two tracks of DOMAIN.md.
const (
	TrackParty Track = "party" // Quy định 96-QĐ/TW
	TrackState Track = "state" // Nghị quyết 96/2023/QH15
)

// Publication settings: whether the results are published (the report's secrecy line).
const (
	PublicationPublic   = "public"
	PublicationInternal = "internal"
)

// Kind is one of the three documents generated for a sealed tally.
type Kind string

// The three documents. The values double as file-name stems.
const (
	KindCounting Kind = "bien-ban-kiem-phieu" // Biên bản kiểm phiếu
	KindSession  Kind = "bien-ban-hoi-nghi"   // Biên bản hội nghị / kỳ họp
	KindReport   Kind = "bao-cao-ket-qua"     // Báo cáo kết quả
)

// Documents made around the vote rather than from the minutes' figures alone: the public
// results notice (from a sealed tally, for a round that publishes) and the ballot paper
// (RenderBallot).
const (
	KindNotice Kind = "thong-bao-ket-qua" // Thông báo kết quả
	KindBallot Kind = "phieu-lay-phieu"   // Phiếu lấy phiếu tín nhiệm
)

// Kinds lists the documents in the order they are usually signed.
func Kinds() []Kind { return []Kind{KindCounting, KindSession, KindReport} }

// Title is the Vietnamese name of a document in sentence case, e.g. "Biên bản kiểm phiếu";
// it is empty for an unknown kind or track.
func Title(kind Kind, track Track) string {
	if track != TrackParty && track != TrackState {
		return ""
	}
	switch kind {
	case KindCounting:
		return "Biên bản kiểm phiếu"
	case KindSession:
		if track == TrackState {
			return "Biên bản kỳ họp"
		}
		return "Biên bản hội nghị"
	case KindReport:
		return "Báo cáo kết quả"
	case KindNotice:
		return "Thông báo kết quả"
	case KindBallot:
		return "Phiếu lấy phiếu tín nhiệm"
	}
	return ""
}

// Model is everything the three documents print. Strings are already in Vietnamese; they are
// NFC-normalised before rendering and must not contain characters above U+FFFF.
type Model struct {
	Track Track

	// ParentOrganization is printed in capitals above the issuing body (e.g. "Đảng bộ tỉnh Bình Sơn");
	// it may be empty (a provincial People's Council has none).
	ParentOrganization string
	// Organization is the issuing body in full (e.g. "Tỉnh ủy Bình Sơn"): PDF author, body text.
	Organization string
	// OrganizationHeading is the issuing body as the header prints it under the parent
	// (e.g. "Tỉnh ủy"); empty means Organization. In both header names a "\n" chooses where
	// the name breaks; without one it breaks before the place ("… / TỈNH BÌNH SƠN").
	OrganizationHeading string
	// Place is the place name of the date line ("Bình Sơn, ngày …").
	Place string
	// Title is the subject line, "Lấy phiếu tín nhiệm đối với …".
	Title string
	// SessionName names the conference or session, e.g. "Hội nghị Tỉnh ủy lần thứ 25"
	// or "Kỳ họp thứ 12, Hội đồng nhân dân tỉnh khóa XI"; empty means a generic wording.
	SessionName string
	// Venue is where the session and the counting took place, e.g. "Hội trường Tỉnh ủy".
	Venue string

	// VoteDate is the calendar date of the vote; its year, month and day are used as given.
	VoteDate time.Time
	// ReportDate dates the result report; zero means the date of SealedAt. Either way the
	// report is never dated before VoteDate (a tally may be sealed early, in a test round).
	ReportDate time.Time
	// Location is the round's time zone for every clock time printed; nil means UTC+7.
	Location *time.Location
	// SealedAt is when the tally was sealed. It is the PDF creation and modification date,
	// which keeps the output reproducible; it must be set.
	SealedAt time.Time
	// Version is the sealed tally version the documents are made from; 0 is taken as 1. From
	// version 2 on the documents are a correction and say so under their title.
	Version int
	// ReplacesSealedAt is when the version this correction replaces was sealed; zero when not
	// known, and the notice then names that version by its number.
	ReplacesSealedAt time.Time
	// CorrectionReason is why the sealed tally was corrected (version 2 on).
	CorrectionReason string
	// DocNumbers holds each document's number and symbol without "Số", e.g. "05-BB/TU" or
	// "12/BB-HĐND"; a missing one leaves a dotted space to fill by hand.
	DocNumbers map[Kind]string

	// OpenedAt and ClosedAt bound the counting; SessionOpenedAt and SessionClosedAt the
	// session. A zero time prints a dotted space to fill by hand.
	OpenedAt, ClosedAt               time.Time
	SessionOpenedAt, SessionClosedAt time.Time

	// Chair presides over the session, ChairPosition is their office; Secretary keeps the minutes.
	Chair, ChairPosition, Secretary string
	Agenda                          []string
	// Committee is the counting committee (ban kiểm phiếu) in the order to list it.
	Committee []Member
	// CommitteeFormation says how the committee was formed, e.g. "Hội nghị biểu quyết thông
	// qua bằng hình thức giơ tay, 43/43 đồng chí tán thành."
	CommitteeFormation string

	Summoned, Present int
	Issued, Collected int
	ValidBallots      int
	InvalidBallots    int
	// VoidMarked and VoidBadRow say why ballots were void, when the ballots were entered one
	// by one: marked void as a whole by the committee (not the issued form, a name struck
	// out, something added), and void because a row was blank or double-marked under the
	// whole-ballot rule. InvalidReasons adds what the committee wrote itself.
	VoidMarked, VoidBadRow int
	QuorumMet              bool
	Absent                 []Absentee
	InvalidReasons         []string
	Irregularities         []string
	Excluded               []Exclusion
	DossiersSentAt         string // free text, e.g. "ngày 28/11/2028"; see PacketKnown
	// PacketKnown says the caller looked up the recorded sending of the voters' packet: then
	// Packet (nil when none was recorded) is what the session minutes print, and the
	// free-text DossiersSentAt is not used.
	PacketKnown bool
	Packet      *PacketSending
	// Requests counts the requests for explanation; nil leaves the sentence out.
	Requests           *RequestCounts
	Explanations       []Explanation
	ExplanationsSentAt string // free text, e.g. "ngày 12/12/2028"
	DenominatorWords   string // the denominator setting in words
	BlankRuleWords     string // the blank-row setting in words
	Rows               []Row
	Copies             int    // copies of each minutes; 0 leaves the sentence out
	ReportTo           string // the level that manages the persons, e.g. "Ban Tổ chức Trung ương"
	// Recipients is the "Nơi nhận" list of the report; empty derives one from ReportTo.
	Recipients []string
	Signer     Signer // who signs the result report
	// Publication is "public" or "internal"; "" takes the track's default (State public,
	// Party internal). It decides the report's confidentiality mark and closing line.
	Publication string
	// Basis are the local texts the report cites after the regulation, e.g. "Kế hoạch số
	// 104-KH/TU ngày 01/11/2028 của Ban Thường vụ Tỉnh ủy".
	Basis []string
	// CombinedShare adds to the report's table the share of "tín nhiệm cao" and "tín
	// nhiệm" together (Row.Combined, Row.CombinedPct).
	CombinedShare bool

	// TallyJSON is the canonical tally record. Each PDF embeds it as an attachment and prints its
	// sha256 in every page footer, so a printed page can be checked against the record.
	TallyJSON []byte
}

// Member is one member of the counting committee.
type Member struct {
	Name     string
	Role     string // "Trưởng ban", "Thư ký", "Ủy viên"
	Position string // their office, optional
}

// Absentee is a person summoned who did not attend.
type Absentee struct {
	Name   string
	Reason string // empty: absent without a reason
}

// Exclusion is a person not put to the vote, with the reason (appointed this year, retiring…).
type Exclusion struct {
	Name, Position, Reason string
}

// Explanation records a written explanation that was distributed to the voters.
type Explanation struct {
	Name, Position string
}

// PacketSending is the recorded sending of the voters' packet, as the minutes print it.
type PacketSending struct {
	When    string // "ngày 28/11/2028" or "9 giờ 30 phút ngày 28/11/2028"
	Channel string // how it went, e.g. "bản giấy qua Văn phòng Tỉnh ủy"
	// Late: sent after the packet deadline, whose date Deadline gives.
	Late     bool
	Deadline time.Time
}

// RequestCounts are the requests for explanation a round received, from the dossier
// projection. Requests received by the deadline count at once; those received after it count
// only when the board admitted them.
type RequestCounts struct {
	Deadline  time.Time // the last instant requests were accepted; zero prints no date
	OnTime    int       // received by the deadline
	Late      int       // received after it: Admitted + SetAside + Undecided
	Admitted  int
	SetAside  int
	Undecided int
	// Answered counts the requests that count (on time or admitted) which the person
	// answered in writing; Persons how many persons those requests concern.
	Answered int
	Persons  int
}

// Signer signs the result report: "T/M BAN THƯỜNG VỤ" / "BÍ THƯ" / name.
type Signer struct {
	On    string // on behalf of, e.g. "T/M Ban Thường vụ"; printed in capitals
	Title string // e.g. "Bí thư"; printed in capitals
	Name  string
}

// Row is one person's result. Percentages come formatted, e.g. "97,78%".
type Row struct {
	Order                        int
	Name, Position               string
	Valid                        int
	Cao, TinNhiem, Thap          int
	CaoPct, TinNhiemPct, ThapPct string
	// Flag is the consequence text when a threshold is crossed, or "".
	Flag string
	// Threshold names the threshold reached, e.g. "Tín nhiệm thấp trên 1/2 đến dưới 2/3
	// tổng số người được triệu tập"; with Flag it makes the legend's line.
	Threshold string
	// Combined is Cao+TinNhiem and CombinedPct its share, for Model.CombinedShare.
	Combined    int
	CombinedPct string
	// BlankRows and SpoiledRows count the person's rows left blank or marked in more than one
	// box on ballots otherwise valid: void for this person only (the per-row rule).
	BlankRows, SpoiledRows int
	// OtherInvalid counts the person's invalid votes beyond whole void ballots and the rows
	// above: a committee counting by hand gives only this total per person.
	OtherInvalid int
}
