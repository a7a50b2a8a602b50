package minutes

import (
	"time"

	"tinnhiem/dossier"
	"tinnhiem/minutes/document"
)

// PacketFile is the current accepted version of one document of a person, as PDF (a Word
// file through its PDF rendering). A person may have several of one kind (explanations).
type PacketFile struct {
	Nominee string
	Kind    dossier.Kind
	File    string
	PDF     []byte
}

// Packet assembles the voters' packet of a round: the persons on the ballot in roster order,
// each with their documents of the kinds the round sends (dossier.Round.PacketKinds). A
// missing document or one that cannot be merged is marked on the contents and in the entries,
// never fatal. at dates the packet; tool reads and merges the documents (internal/pdfmerge).
func Packet(rd dossier.Round, files []PacketFile, at time.Time, tool document.PDFTool) ([]byte, []document.PacketEntry, error) {
	loc := rd.Location()
	vote, _ := time.ParseInLocation(time.DateOnly, rd.VoteDate, loc)
	p := document.PacketModel{
		Track: document.Track(rd.Track), ParentOrganization: rd.ParentOrganization, Organization: rd.Organization,
		OrganizationHeading: headingOf(rd.Organization, rd.ParentOrganization, rd.Place), Place: rd.Place,
		Title: rd.Title, VoteDate: vote, CreatedAt: at,
	}
	for _, k := range rd.PacketKinds() {
		// Explanations exist only where a request was made; other papers only when sent.
		optional := k == dossier.KindExplanation || k == dossier.KindOther
		p.Kinds = append(p.Kinds, document.PacketKind{Kind: string(k), Label: k.Label(), Optional: optional})
	}
	byPerson := map[string][]document.PacketDoc{}
	for _, f := range files {
		byPerson[f.Nominee] = append(byPerson[f.Nominee], document.PacketDoc{Kind: string(f.Kind), File: f.File, PDF: f.PDF})
	}
	for _, n := range rd.OnBallot() {
		person := document.PacketPerson{Name: n.Name, Position: n.Position, Docs: byPerson[n.ID]}
		if d, err := time.Parse(time.DateOnly, n.Appointed); err == nil {
			person.Appointed = d
		}
		p.Persons = append(p.Persons, person)
	}
	return document.RenderPacket(p, tool)
}
