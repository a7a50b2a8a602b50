package dossier

import (
	"fmt"
	"strings"
	"time"
)

// PacketSent records that the board sent the voters' packet (the dossiers, or the reports to the
// delegates): when and how. The sealing warnings and the session minutes read it; the packet
// deadline's alerts stop once it exists.
type PacketSent struct {
	SentAt time.Time `json:"sent_at"`
	// DateOnly: the board gave the day, not the time; the minutes print the date alone.
	DateOnly bool   `json:"date_only,omitempty"`
	Channel  string `json:"channel"`
	// RecordedAt and RecordedBy say who recorded it and when (the audit trail has the rest).
	RecordedAt time.Time `json:"recorded_at,omitzero"`
	RecordedBy string    `json:"recorded_by,omitempty"`
}

// maxChannel bounds the description of how the packet went ("Gửi bản giấy qua Văn phòng Tỉnh
// ủy và thư điện tử công vụ" is about 60 characters).
const maxChannel = 300

// packetClockSkew is how far in the future a sending time may lie: the clocks of the person
// recording it and of the server disagree by a little.
const packetClockSkew = 5 * time.Minute

// ParsePacketSent validates what a person records of the sending ({"sent_at","channel"}): the
// time as an RFC 3339 instant, a local date and time ("2028-11-30T09:00") or a date
// ("2028-11-30", that day) in the round's time zone; not in the future and not after the vote;
// the channel said in words. Every problem is listed, with the field's path.
func ParsePacketSent(r Round, sentAt, channel string, now time.Time) (PacketSent, error) {
	var ps problems
	loc := r.Location()
	var p PacketSent
	given := strings.TrimSpace(sentAt)
	switch {
	case given == "":
		ps.add("sent_at", "bắt buộc phải có thời điểm gửi (YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM)")
	default:
		if d, err := time.ParseInLocation(time.DateOnly, given, loc); err == nil {
			p.SentAt, p.DateOnly = d, true
		} else if t, err := ParseDeadline(given, loc); err == nil {
			p.SentAt = t
		} else {
			ps.add("sent_at", "thời điểm gửi không hợp lệ %q (dạng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM)", given)
		}
	}
	if !p.SentAt.IsZero() {
		if p.SentAt.After(now.Add(packetClockSkew)) {
			ps.add("sent_at", "thời điểm gửi %s ở tương lai", r.FormatTime(p.SentAt))
		}
		if vote, err := time.ParseInLocation(time.DateOnly, r.VoteDate, loc); err == nil && !p.SentAt.Before(vote.AddDate(0, 0, 1)) {
			ps.add("sent_at", "thời điểm gửi %s sau ngày lấy phiếu %s", r.FormatTime(p.SentAt), vote.Format("02/01/2006"))
		}
	}
	p.Channel = strings.Join(strings.Fields(NFC(channel)), " ")
	if p.Channel == "" {
		ps.add("channel", "bắt buộc phải ghi hình thức gửi (ví dụ: bản giấy qua Văn phòng, thư điện tử công vụ)")
	} else if msg := checkText(p.Channel, maxChannel); msg != "" {
		ps.add("channel", "%s", msg)
	}
	if err := ps.err(); err != nil {
		return PacketSent{}, err
	}
	p.SentAt = p.SentAt.UTC()
	return p, nil
}

// OnTime reports whether the packet went by the round's packet deadline. A date alone counts
// as sent on that day, so it is on time when the deadline falls on that day or later. A round
// with no packet deadline (stored before the step existed) has nothing to miss.
func (p PacketSent) OnTime(r Round) bool {
	dl := r.Deadlines.Packet
	if dl.At.IsZero() {
		return true
	}
	return dl.OnTime(p.SentAt)
}

// When is the sending time as the minutes print it: "ngày 28/11/2028", or with the time
// "9 giờ 30 phút ngày 28/11/2028", in the round's time zone.
func (p PacketSent) When(r Round) string {
	t := p.SentAt.In(r.Location())
	if p.DateOnly {
		return "ngày " + t.Format("02/01/2006")
	}
	return fmt.Sprintf("%d giờ %02d phút ngày %s", t.Hour(), t.Minute(), t.Format("02/01/2006"))
}
