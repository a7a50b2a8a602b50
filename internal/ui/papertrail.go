package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

// The paper trail on the round page: the ballot to print, the voters' packet to download, and
// the record of its sending (a form for the board). The pages call the same core as
// GET /api/v1/rounds/{r}/ballot, …/packet and POST …/packet/sent.

// roundTrail is the round page's paper-trail box.
type roundTrail struct {
	CanBallot, CanPacket, CanRecord bool
	BallotURL, PacketURL, SentURL   string
	OnBallot                        int
	PacketName, PacketTitle         string // "hồ sơ gửi người tham gia lấy phiếu" / "báo cáo gửi đại biểu"
	PacketKinds                     string // what it carries, in words
	Deadline                        string // the packet deadline, local time
	// Sent is the record; nil when nothing was recorded (SentUnread: it could not be read).
	Sent       *sentView
	SentUnread bool
	// Today prefills the form's date (the round's time zone).
	Today string
}

type sentView struct {
	When, Channel, RecordedBy, RecordedAt string
	Status                                cell
}

// addRoundTrail fills the round page's paper-trail box and marks the packet step in the
// deadlines as done once its sending is recorded. It is pure, like buildRoundPage.
func addRoundTrail(pg *roundPage, rd dossier.Round, sent *dossier.PacketSent, unread bool, p auth.Principal, now time.Time) {
	t := &roundTrail{
		CanBallot: app.May(p, app.PrintBallot, &rd), CanPacket: app.May(p, app.BuildPacket, &rd), CanRecord: app.May(p, app.RecordPacket, &rd),
		BallotURL: "/rounds/" + rd.ID + "/ballot", PacketURL: "/rounds/" + rd.ID + "/packet", SentURL: "/rounds/" + rd.ID + "/packet/sent",
		OnBallot: len(rd.OnBallot()), PacketName: packetName(rd), PacketTitle: capitalize(packetName(rd)), SentUnread: unread,
		Today: now.In(rd.Location()).Format(time.DateOnly),
	}
	var kinds []string
	for _, k := range rd.PacketKinds() {
		kinds = append(kinds, lowerInitial(kindLabel(k)))
	}
	t.PacketKinds = strings.Join(kinds, ", ")
	if at := rd.Deadlines.Packet.At; !at.IsZero() {
		t.Deadline = localTime(rd, at)
	}
	if sent != nil {
		v := &sentView{When: sent.When(rd), Channel: sent.Channel, RecordedBy: sent.RecordedBy, RecordedAt: localTime(rd, sent.RecordedAt),
			Status: cell{Label: "đã gửi đúng hạn", Class: "ok"}}
		if !sent.OnTime(rd) {
			v.Status = cell{Label: "gửi sau hạn", Class: "warn"}
		}
		t.Sent = v
	}
	pg.Trail = t
	for i := range pg.Deadlines {
		row := &pg.Deadlines[i]
		if row.Name != dossier.DeadlinePacket {
			continue
		}
		if t.Sent != nil {
			row.Left, row.Class = t.Sent.Status.Label+" ("+t.Sent.When+")", t.Sent.Status.Class
		}
	}
}

// packetName is what the packet is called on the track.
func packetName(rd dossier.Round) string {
	if rd.Track == dossier.TrackState {
		return "báo cáo gửi đại biểu"
	}
	return "hồ sơ gửi người tham gia lấy phiếu"
}

// roundTrailOf reads the packet record for the round page; an unreadable record leaves the
// rest of the page standing.
func (s *Server) roundTrailOf(r *http.Request, p auth.Principal, pg *roundPage, rd dossier.Round) {
	v, err := s.app.PacketSent(r.Context(), p, rd.ID)
	if err != nil {
		s.log.Error("ui: packet record", "round", rd.ID, "err", err)
	}
	addRoundTrail(pg, rd, v.Sent, err != nil, p, s.app.Now())
}

// ballotPDF downloads the ballot paper (?copies=N numbered copies).
func (s *Server) ballotPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	copies := 0
	if v := strings.TrimSpace(r.URL.Query().Get("copies")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa in được phiếu", "Số bản phiếu phải là một số (1, 2, …) hoặc để trống.")
			return
		}
		copies = n
	}
	rd, pdf, err := s.app.Ballot(r.Context(), p, r.PathValue("round"), copies)
	if err != nil {
		s.failed(w, r, p, err, "Chưa in được phiếu")
		return
	}
	servePDF(w, app.BallotFileName(rd), pdf)
}

// packetPDF downloads the voters' packet.
func (s *Server) packetPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	pk, err := s.app.Packet(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.failed(w, r, p, err, "Chưa lập được hồ sơ")
		return
	}
	servePDF(w, app.PacketFileName(pk.Round), pk.PDF)
}

// recordPacketSent records the sending of the packet from the round page's form.
func (s *Server) recordPacketSent(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa ghi nhận được", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	sentAt := strings.TrimSpace(r.PostFormValue("sent_date"))
	if tm := strings.TrimSpace(r.PostFormValue("sent_time")); sentAt != "" && tm != "" {
		sentAt += "T" + tm
	}
	v, err := s.app.RecordPacketSent(r.Context(), p, r.PathValue("round"), sentAt, r.PostFormValue("channel"))
	if err != nil {
		s.failed(w, r, p, err, "Chưa ghi nhận được việc gửi hồ sơ")
		return
	}
	http.Redirect(w, r, "/rounds/"+v.Round.ID+"?ok=packet-sent#phieu-ho-so", http.StatusSeeOther)
}

// servePDF writes a generated PDF as a download.
func servePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", web.ContentDisposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf)
}

// lowerInitial puts a label's first letter in lower case, to use it inside a sentence.
func lowerInitial(s string) string {
	for i, c := range s {
		return strings.ToLower(string(c)) + s[i+len(string(c)):]
	}
	return s
}
