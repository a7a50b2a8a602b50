package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
)

// The paper trail: the ballot, the voters' packet and its sending, sealing warnings,
// publication.

// writePDF answers a generated PDF as a download.
func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", web.ContentDisposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf)
}

// ballot is GET /api/v1/rounds/{round}/ballot[?copies=N]: the ballot paper as PDF.
func (s *Server) ballot(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	copies := 0
	if v := r.URL.Query().Get("copies"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_copies", "copies phải là số bản phiếu (1, 2, …), không phải "+strconv.Quote(v))
			return
		}
		copies = n
	}
	rd, pdf, err := s.App.Ballot(r.Context(), p, r.PathValue("round"), copies)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, app.BallotFileName(rd), pdf)
}

// packet is GET /api/v1/rounds/{round}/packet: the voters' packet as PDF. The headers count the
// documents merged, the kinds a person has nothing of, and the documents that could not be
// merged (the packet's contents name them).
func (s *Server) packet(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	pk, err := s.App.Packet(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("X-Packet-Merged", strconv.Itoa(pk.Merged))
	w.Header().Set("X-Packet-Missing", strconv.Itoa(pk.Missing))
	w.Header().Set("X-Packet-Unreadable", strconv.Itoa(pk.Unreadable))
	writePDF(w, app.PacketFileName(pk.Round), pk.PDF)
}

// packetSentAnswer is the recorded sending of a round's packet.
type packetSentAnswer struct {
	Recorded   bool   `json:"recorded"`
	SentAt     string `json:"sent_at,omitempty"`
	DateOnly   bool   `json:"date_only,omitempty"`
	Channel    string `json:"channel,omitempty"`
	RecordedAt string `json:"recorded_at,omitempty"`
	RecordedBy string `json:"recorded_by,omitempty"`
	Deadline   string `json:"deadline,omitempty"`
	OnTime     bool   `json:"on_time"`
	Applied    bool   `json:"applied"`
	// When and DeadlineLocal say both in the round's time zone, as the minutes print them.
	When          string `json:"when,omitempty"`
	DeadlineLocal string `json:"deadline_local,omitempty"`
}

func packetSentAnswerOf(v app.PacketSentView) packetSentAnswer {
	a := packetSentAnswer{OnTime: v.OnTime, Applied: v.Applied}
	if at := v.Round.Deadlines.Packet.At; !at.IsZero() {
		a.Deadline, a.DeadlineLocal = utcStamp(at), v.Round.FormatTime(at)
	}
	if p := v.Sent; p != nil {
		a.Recorded, a.SentAt, a.DateOnly, a.Channel, a.When = true, utcStamp(p.SentAt), p.DateOnly, p.Channel, p.When(v.Round)
		a.RecordedAt, a.RecordedBy = utcStamp(p.RecordedAt), p.RecordedBy
	}
	return a
}

// packetSent is GET /api/v1/rounds/{round}/packet/sent: the record, if any.
func (s *Server) packetSent(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := s.App.PacketSent(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, packetSentAnswerOf(v))
}

// recordPacketSent is POST /api/v1/rounds/{round}/packet/sent {"sent_at","channel"}.
func (s *Server) recordPacketSent(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not record it for this round learns that before whether the body is right.
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !app.May(p, app.RecordPacket, &rd) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
		return
	}
	var body struct {
		SentAt  string `json:"sent_at"`
		Channel string `json:"channel"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"sent_at":"YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM","channel":"hình thức gửi"}`)
		return
	}
	v, err := s.App.RecordPacketSent(r.Context(), p, rd.ID, body.SentAt, body.Channel)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !v.Applied {
		status = http.StatusAccepted // the projector is behind; the record is safely in the stream
	}
	web.WriteJSON(w, status, packetSentAnswerOf(v))
}

// sealConfirm reads whether the committee confirmed the sealing warnings: {"confirm": true} in
// the body, or ?confirm=1. Sealing took no body before the warnings existed, and scripts may
// still send anything: a body that is not a JSON object confirms nothing; only a "confirm"
// that is not a boolean is refused.
func sealConfirm(r *http.Request) (bool, error) {
	q := r.URL.Query().Get("confirm")
	confirm := q == "1" || q == "true"
	var body map[string]json.RawMessage
	if json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body) != nil {
		return confirm, nil
	}
	if raw, ok := body["confirm"]; ok {
		var c bool
		if err := json.Unmarshal(raw, &c); err != nil {
			return false, fmt.Errorf(`"confirm" phải là true hoặc false, không phải %s`, raw)
		}
		confirm = confirm || c
	}
	return confirm, nil
}

// sealAnswer is the answer to a seal: the version, and the sealing warnings — confirmed into
// the minutes' issues or not.
type sealAnswer struct {
	Version  int               `json:"version"`
	SHA256   string            `json:"sha256"`
	SealedAt time.Time         `json:"sealed_at"`
	Sealed   bool              `json:"sealed"`
	Warnings []problem.Problem `json:"warnings"`
	// Confirmed: the warnings went into the minutes; Issues is what they print.
	Confirmed bool     `json:"confirmed"`
	Issues    []string `json:"issues"`
}

func sealAnswerOf(o app.SealOutcome) sealAnswer {
	a := sealAnswer{Version: o.Version, SHA256: o.SHA256, SealedAt: o.SealedAt, Sealed: true, Warnings: o.Warnings,
		Confirmed: o.Confirmed, Issues: o.Issues}
	if a.Warnings == nil {
		a.Warnings = []problem.Problem{}
	}
	if a.Issues == nil {
		a.Issues = []string{}
	}
	return a
}

// sealWarnings is GET /api/v1/rounds/{round}/tally/warnings: what the committee would be
// warned of if it sealed now.
func (s *Server) sealWarnings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, ws, err := s.App.SealWarnings(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"warnings": ws})
}

// publishAnswer is the answer to a publication.
type publishAnswer struct {
	Round       string `json:"round"`
	Version     int    `json:"version"`
	PublishedAt string `json:"published_at"`
	PublishedBy string `json:"published_by"`
	Changed     bool   `json:"changed"`
	// URL and JSON are the public page and its data, open without login.
	URL  string `json:"url"`
	JSON string `json:"json"`
}

// publish is POST /api/v1/rounds/{round}/publish [{"version": N}]: the latest sealed version by
// default.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not publish this round learns that before whether the body is right.
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !app.May(p, app.PublishResults, &rd) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
		return
	}
	var body struct {
		Version int `json:"version"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"version": N} (bỏ trống: phiên bản niêm phong mới nhất)`)
		return
	}
	if body.Version < 0 {
		writeError(w, http.StatusBadRequest, "bad_version", "version phải là số phiên bản (1, 2, …)")
		return
	}
	pub, err := s.App.Publish(r.Context(), p, rd.ID, body.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, publishAnswer{Round: pub.Round.ID, Version: pub.Version, PublishedAt: utcStamp(pub.PublishedAt),
		PublishedBy: pub.PublishedBy, Changed: pub.Changed, URL: app.PublicPath(pub.Round.ID), JSON: app.PublicPath(pub.Round.ID) + ".json"})
}
