package app

import (
	"context"
	"errors"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
)

// Action is something a principal may or may not do to a round or within it.
type Action string

// The actions of the permission table.
const (
	ViewRound         Action = "round.view"         // see a round, its roster and deadlines
	ImportRound       Action = "round.import"       // create or change a round
	SeeWebhookSecret  Action = "round.secret"       // know that a webhook secret is set
	UploadDocument    Action = "document.upload"    // send documents in
	ViewDocument      Action = "document.view"      // a document's kind, person, status, dates
	ReadDocumentText  Action = "document.text"      // any text read from a document (excerpt, OCR)
	DownloadDocument  Action = "document.download"  // the original file
	ReviewDocument    Action = "document.review"    // confirm or correct kind and person
	SeeRequester      Action = "document.requester" // who asked for an explanation
	ViewDossiers      Action = "dossier.view"       // the status of every person's dossier
	DecideRequest     Action = "dossier.decide"     // the board's decision on a late request
	RebuildDossiers   Action = "dossier.rebuild"    // replay the projection
	ViewAlerts        Action = "alerts.view"        // deadline alerts raised
	ViewAlertDelivery Action = "alerts.delivery"    // where alerts went, and delivery errors
	EnterTally        Action = "tally.enter"        // enter the counting committee's figures
	SealTally         Action = "tally.seal"         // seal them
	ViewDraftTally    Action = "tally.draft"        // the figures before they are sealed
	ViewResults       Action = "results.view"       // sealed figures and the minutes PDFs
	ViewRoundAudit    Action = "audit.round"        // the round's audit trail
	ViewAllAudit      Action = "audit.all"          // the whole audit trail
	ManageUsers       Action = "users.manage"       // accounts: create, disable, reset a password, end tokens
	ChangeOwnPassword Action = "account.password"   // one's own password
	BackupSystem      Action = "system.backup"      // a backup of the whole store
	PrintBallot       Action = "ballot.print"       // the ballot paper: the board prints it
	BuildPacket       Action = "packet.build"       // the voters' packet: it carries the documents
	RecordPacket      Action = "packet.record"      // record that the packet was sent
	PublishResults    Action = "results.publish"    // make a sealed version's results public
)

// rule is who may do an action: holders of one of roles (admin holds every role), or anyone
// who sees the round when open says so for that round.
type rule struct {
	roles []string
	open  func(rd dossier.Round) bool
}

var anyone = func(dossier.Round) bool { return true }

// stateTrack: State-track results are public (a council resolution confirms them); Party
// results go to the conference and the managing level only (DOMAIN.md).
var stateTrack = func(rd dossier.Round) bool { return rd.Track == dossier.TrackState }

// permissions is the one table of who may do what. Round visibility comes first and is not in
// it: a round of an organization the principal does not belong to does not exist for them.
var permissions = map[Action]rule{
	ViewRound:         {open: anyone},
	ImportRound:       {roles: []string{auth.RoleOrganizer}},
	SeeWebhookSecret:  {roles: []string{auth.RoleOrganizer}},
	UploadDocument:    {roles: []string{auth.RoleOrganizer}},
	ViewDocument:      {open: anyone},
	ReadDocumentText:  {roles: []string{auth.RoleOrganizer}},
	DownloadDocument:  {roles: []string{auth.RoleOrganizer}},
	ReviewDocument:    {roles: []string{auth.RoleOrganizer}},
	SeeRequester:      {roles: []string{auth.RoleOrganizer}},
	ViewDossiers:      {open: anyone},
	DecideRequest:     {roles: []string{auth.RoleOrganizer}},
	RebuildDossiers:   {roles: []string{auth.RoleOrganizer}},
	ViewAlerts:        {open: anyone},
	ViewAlertDelivery: {roles: []string{auth.RoleOrganizer}},
	EnterTally:        {roles: []string{auth.RoleCounter, auth.RoleOrganizer}},
	SealTally:         {roles: []string{auth.RoleCounter, auth.RoleOrganizer}},
	ViewDraftTally:    {roles: []string{auth.RoleCounter, auth.RoleOrganizer}},
	ViewResults:       {roles: []string{auth.RoleCounter, auth.RoleOrganizer}, open: stateTrack},
	ViewRoundAudit:    {roles: []string{auth.RoleCounter, auth.RoleOrganizer}},
	ViewAllAudit:      {roles: []string{auth.RoleAdmin}},
	ManageUsers:       {roles: []string{auth.RoleAdmin}},
	ChangeOwnPassword: {roles: auth.AllRoles()},
	BackupSystem:      {roles: []string{auth.RoleAdmin}},
	PrintBallot:       {roles: []string{auth.RoleOrganizer}},
	BuildPacket:       {roles: []string{auth.RoleOrganizer}},
	RecordPacket:      {roles: []string{auth.RoleOrganizer}},
	PublishResults:    {roles: []string{auth.RoleOrganizer}},
}

// Actions lists every action of the table.
func Actions() []Action {
	out := make([]Action, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	return out
}

// May reports whether p may do a on round rd (nil for an action on no round). A round of an
// organization p does not belong to allows nothing.
func May(p auth.Principal, a Action, rd *dossier.Round) bool {
	r, ok := permissions[a]
	if !ok {
		return false
	}
	if rd != nil && !p.Sees(rd.Organization) {
		return false
	}
	if len(r.roles) > 0 && p.Has(r.roles...) {
		return true
	}
	return r.open != nil && rd != nil && r.open(*rd)
}

// round opens a round for an action: not found (404) when it does not exist or p may not see
// it — so that its existence is not revealed — before forbidden (403) when p sees it but may
// not do a.
func (a *App) round(ctx context.Context, p auth.Principal, id string, act Action) (dossier.Round, error) {
	rd, err := a.cfg.Rounds.Get(ctx, id)
	if errors.Is(err, dossier.ErrNotFound) || (err == nil && !p.Sees(rd.Organization)) {
		return dossier.Round{}, fail(NotFound, "not_found", "không tìm thấy đợt lấy phiếu %s", id)
	}
	if err != nil {
		return dossier.Round{}, internalf("round %s: %w", id, err)
	}
	if !May(p, act, &rd) {
		return dossier.Round{}, forbidden(act)
	}
	return rd, nil
}

// forbidden says why an action is refused, in words.
func forbidden(act Action) *Error {
	msg := "tài khoản của bạn không có quyền thực hiện thao tác này"
	switch act {
	case ViewResults:
		msg = "kết quả lấy phiếu tín nhiệm theo Quy định 96-QĐ/TW chỉ được thông báo tại hội nghị và cho cấp có thẩm quyền quản lý; tài khoản của bạn không có quyền xem"
	case UploadDocument:
		msg = "tài khoản của bạn không có quyền tải tài liệu lên"
	}
	return &Error{Kind: Forbidden, Code: "forbidden", Message: msg}
}
