package ui

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tinnhiem/internal/auth"
	"tinnhiem/internal/requestid"
)

// pagesOnly is a Server that renders pages and serves its static files, without a core: enough
// for the pages that need none.
func pagesOnly(t *testing.T) *Server {
	t.Helper()
	s := &Server{log: slog.New(slog.DiscardHandler), assets: map[string]string{}}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		t.Fatal(err)
	}
	s.static = static
	if s.pages, err = parsePages(s.assetURL); err != nil {
		t.Fatal(err)
	}
	return s
}

// A system error tells the person the id of the request, to pass on to whoever reads the logs;
// a page that is merely not found does not.
func TestSystemErrorPageNamesTheRequest(t *testing.T) {
	s := pagesOnly(t)
	ctx := requestid.With(context.Background(), "3f9c2d7e5f1a4c3b9e8d7a6b5c4d3e2f")
	p := auth.Principal{Username: "lan"}

	w := httptest.NewRecorder()
	s.internal(w, httptest.NewRequest(http.MethodGet, "/rounds/x", nil).WithContext(ctx), p, errors.New("nats: timeout"))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "mã yêu cầu <code>3f9c2d7e5f1a4c3b9e8d7a6b5c4d3e2f</code>") {
		t.Errorf("system error page: HTTP %d\n%s", w.Code, w.Body.String())
	}
	if strings.Contains(w.Body.String(), "nats: timeout") {
		t.Error("the cause of a system error reached the page")
	}

	w = httptest.NewRecorder()
	s.notFound(w, httptest.NewRequest(http.MethodGet, "/rounds/x", nil).WithContext(ctx), p, "Không có trang này.")
	if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "3f9c2d7e") {
		t.Errorf("not-found page: HTTP %d, request id shown: %v", w.Code, strings.Contains(w.Body.String(), "3f9c2d7e"))
	}
}
