package api

import (
	"cmp"
	"net/http"
	"slices"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
)

// documentRow is one document of a round in GET /api/v1/rounds/{round}/documents: the verdict
// fields of DESIGN §4 with the person's name, newest first.
type documentRow struct {
	DocumentID string `json:"document_id"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Kind       string `json:"kind"`
	Nominee    string `json:"nominee"`
	Name       string `json:"name,omitempty"`
	Reason     string `json:"reason"`
	ReceivedAt string `json:"received_at,omitempty"`
}

// listRoundDocuments lists every document received for a round, whatever its verdict and
// whether or not it names a person, as the dossier projection knows them, followed by those
// still being read (status pending).
func (s *Server) listRoundDocuments(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, st, ok := s.roundState(w, r, p)
	if !ok {
		return
	}
	names := map[string]string{}
	for _, n := range slices.Concat(rd.Nominees, rd.Removed) {
		names[n.ID] = n.Name
	}
	rows := []documentRow{}
	seen := map[string]bool{}
	if st != nil {
		for id, e := range st.Docs {
			seen[id] = true
			rows = append(rows, documentRow{DocumentID: id, File: e.File, Status: dossier.EffectiveStatus(rd, e), Kind: string(e.Kind),
				Nominee: e.Nominee, Name: names[e.Nominee], Reason: e.Reason, ReceivedAt: utcStamp(e.ReceivedAt)})
		}
	}
	slices.SortFunc(rows, func(a, b documentRow) int {
		return cmp.Or(cmp.Compare(b.ReceivedAt, a.ReceivedAt), cmp.Compare(a.DocumentID, b.DocumentID))
	})
	// Received but without a verdict yet: the ingest workers are reading them.
	if s.Docs != nil {
		pending, err := s.Docs.Pending(r.Context())
		if err != nil {
			s.internal(w, r, err)
			return
		}
		for _, id := range pending {
			if seen[id] {
				continue
			}
			d, _, err := s.Docs.Get(r.Context(), id)
			if err != nil || d.Round != rd.ID {
				continue // gone or another round's
			}
			rows = append(rows, documentRow{DocumentID: id, File: d.File, Status: "pending", Kind: string(d.Kind), Nominee: d.Nominee,
				Name: names[d.Nominee], ReceivedAt: utcStamp(d.ReceivedAt)})
		}
	}
	writeJSON(w, http.StatusOK, rows)
}
