package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
)

// BenchmarkRoundPage renders the page of a large round (300 persons, 600 documents) from its
// projection: the work of one GET /rounds/{id} apart from reading NATS.
func BenchmarkRoundPage(b *testing.B) {
	var y strings.Builder
	y.WriteString("id: lon-2028\ntrack: state\norganization: Hội đồng nhân dân tỉnh Bình Sơn\ntitle: Lấy phiếu tín nhiệm\nvote_date: 2028-12-15\nsummoned: 400\nnominees:\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&y, "  - {id: p%03d, name: Nguyễn Văn Người Thứ %d, position: Đại biểu}\n", i, i)
	}
	rd, err := dossier.ParseRound([]byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	st := dossier.NewState(rd.ID)
	at := time.Date(2028, 11, 1, 0, 0, 0, 0, time.UTC)
	seq := uint64(0)
	for i, n := range rd.Nominees {
		for _, k := range []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration} {
			seq++
			d := dossier.Document{ID: fmt.Sprintf("d%028d", seq), Round: rd.ID, Nominee: n.ID, Kind: k, Status: []string{dossier.StatusAccepted, dossier.StatusLate, dossier.StatusRejected}[i%3],
				ReceivedAt: at.Add(time.Duration(seq) * time.Minute), Revision: 1, File: "tai-lieu.pdf"}
			if _, err := st.ApplyDocument(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: d}, seq); err != nil {
				b.Fatal(err)
			}
		}
	}
	pages, err := parsePages(func(n string) string { return "/static/" + n })
	if err != nil {
		b.Fatal(err)
	}
	p := auth.Principal{Username: "tochuc", Roles: []string{auth.RoleOrganizer}, Organizations: []string{rd.Organization}}
	now := time.Date(2028, 11, 20, 0, 0, 0, 0, time.UTC)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		pg := buildRoundPage(rd, dossier.Status(rd, st, now), nil, p, now)
		var buf bytes.Buffer
		if err := pages["round"].ExecuteTemplate(&buf, "layout", pg); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}

// BenchmarkHTTPPages measures whole requests through the server on a real nats-server: the home
// page of an administrator who sees 100 rounds, and one round's page.
func BenchmarkHTTPPages(b *testing.B) {
	ts := newTestSystem(b, systemOptions{})
	for i := 0; i < 98; i++ {
		rd := mustRoundTB(b, ts, roundBinhSon)
		rd.ID = fmt.Sprintf("dot-%03d", i)
		rd.Title = fmt.Sprintf("Đợt thử %d", i)
		if _, _, err := ts.st.Rounds.Save(ts.ctx, rd, "admin", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	admin := ts.login("admin")
	for _, c := range []struct{ name, path string }{{"home-100-rounds", "/"}, {"round", "/rounds/" + roundBinhSon}, {"tally", "/rounds/" + roundBinhSon + "/tally"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if res := admin.get(c.path); res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", c.path, res.StatusCode)
				}
			}
		})
	}
}

func mustRoundTB(b testing.TB, ts *testSystem, id string) dossier.Round {
	rd, err := ts.st.Rounds.Get(ts.ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	return rd
}
