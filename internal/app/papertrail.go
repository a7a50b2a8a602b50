package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/packetbox"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/store"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
)

// The paper trail around the vote: the ballot paper, the voters' packet and the record of its
// sending.

// Ballot is the ballot paper of a round as PDF: the persons on the ballot in roster order,
// copies numbered copies (0: one copy, unnumbered). It is dated by the round's last change, so
// the same round gives the same bytes.
func (a *App) Ballot(ctx context.Context, p auth.Principal, roundID string, copies int) (dossier.Round, []byte, error) {
	rd, err := a.round(ctx, p, roundID, PrintBallot)
	if err != nil {
		return rd, nil, err
	}
	if copies < 0 || copies > document.MaxBallotCopies {
		return rd, nil, invalid("số bản phiếu không hợp lệ", []problem.Problem{{Path: "copies", Code: "bad_copies",
			Message: fmt.Sprintf("số bản phiếu phải từ 1 đến %d (bỏ trống: một phiếu không đánh số)", document.MaxBallotCopies)}})
	}
	if len(rd.OnBallot()) == 0 {
		return rd, nil, fail(Conflict, "empty_ballot", "đợt %s không có người nào thuộc diện lấy phiếu tín nhiệm: không có gì để in", rd.ID)
	}
	at := rd.UpdatedAt
	if at.IsZero() {
		at = a.now()
	}
	pdf, err := minutes.Ballot(rd, copies, at)
	if errors.Is(err, document.ErrInvalidModel) {
		return rd, nil, fail(Conflict, "cannot_print", "chưa in được phiếu: %v", err)
	}
	if err != nil {
		return rd, nil, internalf("ballot %s: %w", rd.ID, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "ballot.print", Round: rd.ID, Details: map[string]string{"copies": strconv.Itoa(copies)}})
	return rd, pdf, nil
}

// BallotFileName is the download name of a round's ballot.
func BallotFileName(rd dossier.Round) string {
	return "Phiếu lấy phiếu tín nhiệm - " + rd.ID + ".pdf"
}

// PacketFileName is the download name of a round's voters' packet.
func PacketFileName(rd dossier.Round) string {
	if rd.Track == dossier.TrackState {
		return "Báo cáo gửi đại biểu - " + rd.ID + ".pdf"
	}
	return "Hồ sơ gửi người tham gia lấy phiếu - " + rd.ID + ".pdf"
}

// Packet is an assembled voters' packet and what became of each document.
type Packet struct {
	Round   dossier.Round
	PDF     []byte
	Entries []document.PacketEntry
	// Merged, Missing and Unreadable count the entries: documents merged, documents a person
	// owes and has not sent (an explanation nobody asked for is not missing), documents that
	// could not be merged.
	Merged, Missing, Unreadable int
}

// Packet assembles the voters' packet of a round: for each person on the ballot, their current
// accepted document of each kind the round sends (every explanation that answered a request),
// the original when it is a PDF, else its PDF rendering; a document with neither is marked on
// the contents. The merge runs in a child process with limits (packetbox), never here.
func (a *App) Packet(ctx context.Context, p auth.Principal, roundID string) (Packet, error) {
	rd, st, err := a.roundState(ctx, p, roundID, BuildPacket)
	if err != nil {
		return Packet{}, err
	}
	if a.cfg.Packer == nil {
		return Packet{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật việc lập hồ sơ gửi người tham gia lấy phiếu")
	}
	if len(rd.OnBallot()) == 0 {
		return Packet{}, fail(Conflict, "empty_ballot", "đợt %s không có người nào thuộc diện lấy phiếu tín nhiệm: không có hồ sơ để gửi", rd.ID)
	}
	rep := dossier.Status(rd, st, a.now())
	var sources []packetbox.Source
	for _, pd := range PacketDocuments(rd, rep) {
		sources = append(sources, a.packetSource(pd))
	}
	out, err := a.cfg.Packer.Assemble(ctx, packetbox.Input{Round: rd, At: a.now(), Sources: sources})
	switch {
	case errors.Is(err, packetbox.ErrBusy):
		return Packet{}, &Error{Kind: TooMany, Code: "busy", RetryAfter: 30 * time.Second,
			Message: "máy chủ đang lập các hồ sơ khác; hãy thử lại sau ít phút"}
	case errors.Is(err, packetbox.ErrTooSlow), errors.Is(err, packetbox.ErrTooBig):
		a.log.Warn("packet refused by its limits", "round", rd.ID, "err", err)
		return Packet{}, &Error{Kind: TooLarge, Code: "too_complex",
			Message: "không lập được hồ sơ trong giới hạn thời gian và bộ nhớ cho phép (có tệp quá lớn hoặc không đọc được); hãy kiểm tra các tài liệu đã tiếp nhận"}
	case err != nil && ctx.Err() != nil:
		return Packet{}, ctx.Err()
	case err != nil:
		return Packet{}, internalf("packet %s: %w", rd.ID, err)
	}
	pk := Packet{Round: rd, PDF: out.PDF, Entries: out.Entries}
	for _, e := range out.Entries {
		optional := dossier.Kind(e.Kind) == dossier.KindExplanation || dossier.Kind(e.Kind) == dossier.KindOther
		switch {
		case e.Missing && optional:
		case e.Missing:
			pk.Missing++
		case e.Problem != "":
			pk.Unreadable++
		default:
			pk.Merged++
		}
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "packet.build", Round: rd.ID, Details: map[string]string{
		"merged": strconv.Itoa(pk.Merged), "missing": strconv.Itoa(pk.Missing), "unreadable": strconv.Itoa(pk.Unreadable),
		"bytes": strconv.Itoa(len(pk.PDF)),
	}})
	return pk, nil
}

// PacketDocument names one document the packet carries.
type PacketDocument struct {
	ID      string
	Nominee string
	Kind    dossier.Kind
	File    string
}

// PacketDocuments picks the documents of the packet from the dossier report, persons in roster
// order and kinds in the round's order: of each kind the current version when it was accepted
// (on time or late: a late paper is still the person's paper, and whether it completes the
// dossier is the minutes' and the warnings' business, not the voters'); of explanations, every
// one that answered a request, else the current one.
func PacketDocuments(rd dossier.Round, rep dossier.Report) []PacketDocument {
	var out []PacketDocument
	for _, ns := range rep.Nominees {
		if ns.Exempt != "" {
			continue
		}
		for _, k := range rd.PacketKinds() {
			counts := func(v dossier.DocVersion) bool {
				return v.Status == dossier.StatusAccepted || v.Status == dossier.StatusLate
			}
			versions := ns.Versions[k]
			var ids []string
			if k == dossier.KindExplanation {
				for _, q := range ns.Requests {
					if q.AnsweredBy != "" && !slices.Contains(ids, q.AnsweredBy) {
						ids = append(ids, q.AnsweredBy)
					}
				}
			}
			if len(ids) == 0 {
				for _, v := range versions {
					if v.Current && counts(v) {
						ids = append(ids, v.DocumentID)
					}
				}
			}
			for _, id := range ids {
				d := PacketDocument{ID: id, Nominee: ns.Nominee, Kind: k}
				for _, v := range versions {
					if v.DocumentID == id {
						d.File = v.File
					}
				}
				out = append(out, d)
			}
		}
	}
	return out
}

// packetSource reads one document for the packet: the original when it is a PDF, else its PDF
// rendering; without one, the reason (the contents mark it).
func (a *App) packetSource(pd PacketDocument) packetbox.Source {
	return packetbox.Source{Nominee: pd.Nominee, Kind: pd.Kind, File: pd.File,
		Open: func(ctx context.Context) (io.ReadCloser, string, error) {
			d, _, err := a.cfg.Documents.Get(ctx, pd.ID)
			if err != nil {
				return nil, "", err
			}
			open := func() (io.ReadCloser, error) { return a.cfg.Uploads.Open(ctx, d.ID) }
			if f := strings.ToLower(d.Format); f != "" && f != "pdf" {
				if d.Rendering == "" {
					return nil, fmt.Sprintf("tệp gốc dạng %s chưa có bản PDF", strings.ToUpper(f)), nil
				}
				open = func() (io.ReadCloser, error) { return a.cfg.Uploads.OpenRendering(ctx, d.Rendering) }
			}
			rc, err := open()
			if err != nil {
				return nil, "", err
			}
			return rc, "", nil
		}}
}

// PacketSentView is the recorded sending of a round's packet, as p may see it.
type PacketSentView struct {
	Round dossier.Round
	// Sent is nil when nothing was recorded.
	Sent *dossier.PacketSent
	// OnTime: sent by the packet deadline (true when nothing was recorded).
	OnTime bool
	// Applied: the projection shows it (after RecordPacketSent; else the projector is
	// behind, and the record is safely in the stream).
	Applied bool
}

// PacketSent is the recorded sending of the packet of a round.
func (a *App) PacketSent(ctx context.Context, p auth.Principal, roundID string) (PacketSentView, error) {
	rd, st, err := a.roundState(ctx, p, roundID, ViewDossiers)
	if err != nil {
		return PacketSentView{}, err
	}
	v := PacketSentView{Round: rd, Sent: st.PacketSent(), OnTime: true, Applied: true}
	if v.Sent != nil {
		v.OnTime = v.Sent.OnTime(rd)
	}
	return v, nil
}

// packetWait is how long recording the sending waits for the projection to show it.
const packetWait = 5 * time.Second

// RecordPacketSent records when and how the board sent the voters' packet ({"sent_at",
// "channel"}, dossier.ParsePacketSent): an event on the DOSSIER stream, applied by the
// projection, audited. A later record corrects an earlier one.
func (a *App) RecordPacketSent(ctx context.Context, p auth.Principal, roundID, sentAt, channel string) (PacketSentView, error) {
	if a.cfg.Dossiers == nil {
		return PacketSentView{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật theo dõi hồ sơ")
	}
	rd, err := a.round(ctx, p, roundID, RecordPacket)
	if err != nil {
		return PacketSentView{}, err
	}
	sent, err := dossier.ParsePacketSent(rd, sentAt, channel, a.now())
	if ps := problemsOf(err); ps != nil {
		return PacketSentView{}, invalid("chưa ghi nhận được việc gửi hồ sơ, không có gì được lưu", ps)
	}
	if err != nil {
		return PacketSentView{}, internalf("packet sent %s: %w", rd.ID, err)
	}
	sent.RecordedAt, sent.RecordedBy = a.now().UTC(), p.Username
	seq, err := a.cfg.Dossiers.RecordPacket(ctx, dossier.PacketSentEvent{Round: rd.ID, Sent: sent})
	if err != nil {
		return PacketSentView{}, internalf("record packet %s: %w", rd.ID, err)
	}
	a.audit(ctx, audit.Event{ID: "packet-sent-" + rd.ID + "-" + strconv.FormatUint(seq, 10), Actor: p.Username, Action: "packet.sent", Round: rd.ID,
		Details: map[string]string{"sent_at": sent.SentAt.Format(time.RFC3339), "date_only": strconv.FormatBool(sent.DateOnly),
			"channel": sent.Channel, "on_time": strconv.FormatBool(sent.OnTime(rd))}})
	v := PacketSentView{Round: rd, Sent: &sent, OnTime: sent.OnTime(rd)}
	wctx, cancel := context.WithTimeout(ctx, packetWait)
	defer cancel()
	err = a.cfg.Dossiers.WaitFor(wctx, rd.ID, store.PacketApplied(seq))
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return v, nil
	case err != nil:
		return v, internalf("packet sent %s: %w", rd.ID, err)
	}
	v.Applied = true
	return v, nil
}
