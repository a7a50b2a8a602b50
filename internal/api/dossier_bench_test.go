package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/app/apptest"
	"tinnhiem/internal/auth"
)

// BenchmarkDossierStatus5000 is GET /api/v1/rounds/{r}/dossiers of a 5,000-person round with
// ~9,500 documents, through the API's HTTP handler: authentication, the round and its stored
// projection read from a real nats-server, the status computed and encoded (issue 13 point 6:
// under 50 ms).
//
//	go test -run XXX -bench DossierStatus5000 ./internal/api/
func BenchmarkDossierStatus5000(b *testing.B) {
	env := apptest.Start(b, apptest.Options{})
	rd, st := dossiertest.BigRound(b, 5000)
	ctx := context.Background()
	saved, _, err := env.Stores.Rounds.Save(ctx, rd, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.Stores.Dossiers.Save(ctx, st, 0); err != nil {
		b.Fatal(err)
	}
	_, tok := env.User(b, "bantochuc", []string{auth.RoleOrganizer}, saved.Organization)
	h := (&Server{App: env.App, Log: slog.New(slog.DiscardHandler), Ready: func(context.Context) error { return nil }}).Handler()
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/rounds/"+saved.ID+"/dossiers", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || rec.Body.Len() < 5000*100 {
		b.Fatalf("HTTP %d, %d bytes: %.300s", rec.Code, rec.Body.Len(), rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
