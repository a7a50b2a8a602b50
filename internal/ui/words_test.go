package ui

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/auth"
)

func TestCountdown(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	// "By 25/11" means until the end of that day, local time.
	at := time.Date(2028, 11, 25, 23, 59, 59, 999999999, loc)
	cases := []struct {
		now  time.Time
		want string
	}{
		{at.Add(-20 * 24 * time.Hour), "còn 20 ngày"},
		{at.Add(-3 * 24 * time.Hour), "còn 3 ngày"},
		{at.Add(-(2*24*time.Hour + 23*time.Hour)), "còn 2 ngày 23 giờ"},
		{at.Add(-(24*time.Hour + 30*time.Minute)), "còn 1 ngày"},
		{at.Add(-24 * time.Hour), "còn 1 ngày"},
		{at.Add(-(24*time.Hour - time.Nanosecond)), "còn 23 giờ"},
		{at.Add(-time.Hour), "còn 1 giờ"},
		{at.Add(-59 * time.Minute), "còn 59 phút"},
		{at.Add(-30 * time.Second), "còn 1 phút"},
		{at, "còn 1 phút"}, // the deadline's own instant is still on time
		{at.Add(time.Nanosecond), "đã quá hạn"},
		// The next morning in Hà Nội is still 25/11 in UTC: the round's zone decides.
		{time.Date(2028, 11, 25, 17, 30, 0, 0, time.UTC), "đã quá hạn"},
		{time.Date(2028, 11, 25, 16, 30, 0, 0, time.UTC), "còn 30 phút"},
	}
	for _, c := range cases {
		if got := countdown(c.now, at); got != c.want {
			t.Errorf("countdown(%s) = %q, want %q", c.now.In(loc).Format(time.RFC3339Nano), got, c.want)
		}
	}
	if got := countdownClass(at.Add(-71*time.Hour), at); got != "warn" {
		t.Errorf("71h before: class %q, want warn", got)
	}
	if got := countdownClass(at.Add(-73*time.Hour), at); got != "ok" {
		t.Errorf("73h before: class %q, want ok", got)
	}
	if got := countdownClass(at.Add(time.Second), at); got != "bad" {
		t.Errorf("after: class %q, want bad", got)
	}
}

// TestWordsAreVietnamese: every code a page can show has words, in NFC, and none of them is the
// code itself.
func TestWordsAreVietnamese(t *testing.T) {
	check := func(kind, code, words string) {
		t.Helper()
		if words == "" || words == code || strings.Contains(words, "_") {
			t.Errorf("%s %q: words %q", kind, code, words)
		}
		if !norm.NFC.IsNormalString(words) {
			t.Errorf("%s %q: %q is not NFC", kind, code, words)
		}
	}
	for _, s := range []string{dossier.StatusAccepted, dossier.StatusLate, dossier.StatusNeedsReview, dossier.StatusRejected, dossier.StatusPending, dossier.StatusMissing} {
		check("state", s, stateLabel(s))
		check("document status", s, documentStatusLabel(s))
	}
	want := map[string]string{dossier.StatusAccepted: "đã nộp", dossier.StatusLate: "nộp muộn", dossier.StatusNeedsReview: "chờ xác nhận",
		dossier.StatusRejected: "bị từ chối", dossier.StatusMissing: "còn thiếu"}
	for code, w := range want {
		if got := stateLabel(code); got != w {
			t.Errorf("stateLabel(%s) = %q, want %q", code, got, w)
		}
	}
	for _, k := range dossier.AllKinds() {
		check("kind", string(k), kindLabel(k))
	}
	for _, r := range []string{"not_pdf", "encrypted", "corrupt", "too_large", "too_complex", "too_many_pages", "empty", "no_text_layer",
		ingest.ReasonUnknownNominee, ingest.ReasonAmbiguousNominee, ingest.ReasonKindUncertain, ingest.ReasonDuplicate,
		ingest.ReasonRemovedNominee, ingest.ReasonUnknownRound, ingest.ReasonInternalError, ingest.WarnNomineeMismatch, ingest.WarnKindMismatch,
		ingest.ReasonUnknownKind, ingest.ReasonUnsupportedFormat, ingest.ReasonUndecodableText, ingest.ReasonOCRUncertain, "something_new"} {
		check("reason", r, reasonLabel(r))
		if r != "something_new" && reasonLabel(r) == reasonLabel("something_new") {
			t.Errorf("reason %s has no words of its own", r)
		}
	}
	warnings := []string{ingest.WarnKindMismatch, ingest.WarnNomineeMismatch, ingest.WarnAmbiguousNominee, ingest.WarnKindUncertain,
		ingest.WarnNomineeVariant, "nominee_exempt", ingest.WarnLegacyEncoding, "something_new"}
	for _, c := range ingest.CriterionCodes() {
		warnings = append(warnings, ingest.WarnMissingCriterion+c)
	}
	for _, w := range warnings {
		check("warning", w, warningLabel(w))
	}
	for _, f := range []string{"pdf", "docx", "doc", "odt", "rtf", "jpeg", "png", "tiff", "something_new"} {
		check("format", f, formatLabel(f))
		if f != "something_new" && formatLabel(f) == formatLabel("something_new") {
			t.Errorf("format %s has no words of its own", f)
		}
	}
	for _, s := range []string{dossier.RequestOpen, dossier.RequestAnswered, dossier.RequestAwaitingDecision, dossier.RequestSetAside} {
		check("request state", s, requestStateLabel(s))
	}
	for _, d := range dossier.AllDeadlines() {
		for _, tr := range []string{dossier.TrackParty, dossier.TrackState} {
			check("deadline", d, deadlineLabel(dossier.Round{Track: tr}, d))
		}
	}
	if party, state := deadlineLabel(dossier.Round{Track: dossier.TrackParty}, dossier.DeadlinePacket), deadlineLabel(dossier.Round{Track: dossier.TrackState}, dossier.DeadlinePacket); party == state || !strings.Contains(state, "đại biểu") {
		t.Errorf("the packet step: Party %q, State %q", party, state)
	}
	for _, r := range auth.AllRoles() {
		check("role", r, roleLabel(r))
	}
	for _, tr := range []string{dossier.TrackParty, dossier.TrackState} {
		check("track", tr, trackLabel(tr))
	}
	for _, f := range []string{"", "id", "track", "organization", "parent_organization", "title", "place", "timezone", "vote_date",
		"deadlines.dossier", "summoned", "required[1]", "rules.denominator", "alerts[0]", "notify.emails[0]", "nominees[3].name", "kind", "nominee", "unknown"} {
		check("field", f, fieldLabel(f))
	}
}

func TestSmallFormats(t *testing.T) {
	cases := []struct{ got, want string }{
		{voteDate("2028-12-15"), "15/12/2028"},
		{voteDate("not a date"), "not a date"},
		{bytesLabel(900), "900 byte"},
		{bytesLabel(4096), "4 KB"},
		{bytesLabel(5 << 20), "5,0 MB"},
		{bytesLabel(1572864), "1,5 MB"},
		{capitalize("đã lưu"), "Đã lưu"},
		{capitalize(""), ""},
		{confidenceWords(0.9), "chắc chắn"},
		{confidenceWords(0.6), "khá chắc chắn"},
		{confidenceWords(0.3), "chưa chắc chắn"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	rd := dossier.Round{Timezone: "Asia/Tokyo"}
	if got := zoneLabel(rd, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)); got != "Asia/Tokyo, UTC+09:00" {
		t.Errorf("zoneLabel: %q", got)
	}
	rd = dossier.Round{Timezone: "America/New_York"}
	if got := zoneLabel(rd, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)); got != "America/New_York, UTC-05:00" {
		t.Errorf("zoneLabel: %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	cases := map[string]string{
		"":                         "/",
		"/":                        "/",
		"/rounds/binh-son?ok=1":    "/rounds/binh-son?ok=1",
		"/documents/d1#xac-nhan":   "/documents/d1#xac-nhan",
		"//evil.example":           "/",
		"/\\evil.example":          "/",
		"https://evil.example/":    "/",
		"http:/evil.example":       "/",
		"javascript:alert(1)":      "/",
		"rounds":                   "/",
		"/\t/evil.example":         "/",
		"/login":                   "/",
		"/login?next=/":            "/",
		"/%2F%2Fevil.example":      "/%2F%2Fevil.example", // a path on this site, not a host
		"/rounds/" + "x\x00y":      "/",
		strings.Repeat("/a", 2000): "/",
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext: whatever arrives in ?next=, the redirect stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//evil", "/\\evil", "https://x/", "/rounds/a?b=c#d", "/%5C%5Cevil", "\x00", "/\u2028x", "/.//evil", "/login"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", next, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q parses as %+v (%v)", next, got, u, err)
		}
		// What a browser resolves it to must be on this site too.
		base, _ := url.Parse("https://tinnhiem.example/login")
		if r := base.ResolveReference(u); r.Host != "tinnhiem.example" {
			t.Fatalf("safeNext(%q) = %q resolves to host %q", next, got, r.Host)
		}
	})
}

func TestSameOriginBehindProxy(t *testing.T) {
	cases := []struct {
		origin, host, forwarded string
		want                    bool
	}{
		{"https://tinnhiem.example", "tinnhiem.example", "", true},
		{"https://tinnhiem.example", "127.0.0.1:8080", "", false},
		{"https://tinnhiem.example", "127.0.0.1:8080", "tinnhiem.example", true},
		{"https://tinnhiem.example", "127.0.0.1:8080", "tinnhiem.example, proxy.internal", true},
		{"https://evil.example", "127.0.0.1:8080", "tinnhiem.example", false},
		{"https://tinnhiem.example:8443", "127.0.0.1:8080", "tinnhiem.example:8443", true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "http://"+c.host+"/login", nil)
		r.Host = c.host
		r.Header.Set("Origin", c.origin)
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-Host", c.forwarded)
		}
		if got := fromSameOrigin(r); got != c.want {
			t.Errorf("Origin %s, Host %s, X-Forwarded-Host %q: %v, want %v", c.origin, c.host, c.forwarded, got, c.want)
		}
	}
}

// FuzzSameOrigin: an Origin or Referer passes only when it names exactly the request's host.
func FuzzSameOrigin(f *testing.F) {
	for _, s := range []string{"https://tinnhiem.example", "http://tinnhiem.example/a", "null", "https://tinnhiem.example.evil", "https://evil/?tinnhiem.example",
		"//tinnhiem.example", "https://user@tinnhiem.example", "javascript://tinnhiem.example", "HTTPS://TINNHIEM.EXAMPLE", "https://tinnhiem.example:443"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, asOrigin bool) {
		r := httptest.NewRequest("POST", "https://tinnhiem.example/logout", nil)
		if asOrigin {
			r.Header.Set("Origin", value)
		} else {
			r.Header.Set("Referer", value)
		}
		ok := fromSameOrigin(r)
		if !ok {
			return
		}
		u, err := url.Parse(value)
		if err != nil || !strings.EqualFold(u.Host, "tinnhiem.example") || (u.Scheme != "http" && u.Scheme != "https") {
			t.Fatalf("%q accepted as same origin (asOrigin=%v)", value, asOrigin)
		}
	})
}
