package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
	"tinnhiem/minutes"
)

// The tally page's sealing warnings and publication, and the public page of published results.

// tallyTrail is what the tally page adds before the seal and after it.
type tallyTrail struct {
	// Warnings are what sealing now would warn of (shown with the seal button, with the
	// committee's confirmation box); WarningsUnread when they could not be read.
	Warnings       []string
	WarningsUnread bool
	// Publication: Public says the round's results are published by rule; Published is the
	// version published (nil: none yet).
	Public       bool
	Internal     string // why an internal round publishes nothing, in words
	Published    *publishedView
	CanPublish   bool
	PublishURL   string
	LatestSealed int // the newest sealed version, offered for publication
}

type publishedView struct {
	Version       int
	At, By        string
	URL, JSONURL  string
	Outdated      bool // a newer version was sealed since
	LatestVersion int
}

// tallyTrailOf reads the sealing warnings and the publication for the tally page; what cannot
// be read is said on the page, the figures still show.
func (s *Server) tallyTrailOf(r *http.Request, p auth.Principal, pg *tallyPage, o app.TallyOverview) {
	rd := o.Round
	t := &tallyTrail{PublishURL: "/rounds/" + rd.ID + "/publish"}
	if o.MayViewDraft && o.Draft != nil {
		_, ws, err := s.app.SealWarnings(r.Context(), p, rd.ID)
		if err != nil {
			s.log.Error("ui: sealing warnings", "round", rd.ID, "err", err)
			t.WarningsUnread = true
		}
		for _, w := range ws {
			t.Warnings = append(t.Warnings, w.Message)
		}
	}
	if n := len(o.Versions); n > 0 {
		t.LatestSealed = o.Versions[n-1].Version
	}
	public, pub, err := s.app.PublicationOf(r.Context(), p, rd.ID)
	if err != nil {
		s.log.Error("ui: publication", "round", rd.ID, "err", err)
	}
	t.Public = public
	if !public {
		t.Internal = "Kết quả của đợt này không công bố công khai (publication: internal)."
		if rd.Track == dossier.TrackParty {
			t.Internal = "Kết quả lấy phiếu tín nhiệm khối Đảng (Quy định 96-QĐ/TW) chỉ thông báo tại hội nghị và cho cấp có thẩm quyền quản lý; đợt này không công bố công khai (publication: internal)."
		}
	}
	t.CanPublish = public && app.May(p, app.PublishResults, &rd) && t.LatestSealed > 0
	if pub != nil {
		t.Published = &publishedView{Version: pub.Version, At: localTime(rd, pub.PublishedAt), By: pub.PublishedBy,
			URL: app.PublicPath(rd.ID), JSONURL: app.PublicPath(rd.ID) + ".json",
			Outdated: t.LatestSealed > pub.Version, LatestVersion: t.LatestSealed}
		t.CanPublish = t.CanPublish && t.Published.Outdated
	}
	pg.Trail = t
}

// publish makes the latest sealed version's results public, from the tally page.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa công bố được", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	pub, err := s.app.Publish(r.Context(), p, r.PathValue("round"), max(version, 0))
	if err != nil {
		s.failed(w, r, p, err, "Chưa công bố được")
		return
	}
	http.Redirect(w, r, "/rounds/"+pub.Round.ID+"/tally?ok=published#cong-bo", http.StatusSeeOther)
}

// publicPages serves the published results of public rounds to anyone, without login: the
// page, its JSON and the results notice. A round that does not exist, is internal or has
// published nothing answers the same 404.
type publicPages struct {
	s       *Server
	notices *noticeCache
}

func newPublicPages(s *Server) *publicPages {
	return &publicPages{s: s, notices: &noticeCache{max: 64, m: map[string][]byte{}}}
}

// publicPage is the page of a round's published results.
type publicPage struct {
	chrome
	Found    bool
	Res      minutes.PublicResults
	VoteDate string
	Sealed   string
	Publish  string
	Rows     []publicRow
	Notice   string
	JSON     string
	Combined bool
	Track    string
	People   string // who is summoned: "người", or "đại biểu" on the State track
	Message  string // why nothing is shown (not found)
}

type publicRow struct {
	minutes.PublicPerson
	Flag cell
}

func (pp *publicPages) round(w http.ResponseWriter, r *http.Request) {
	id, asJSON := strings.CutSuffix(r.PathValue("round"), ".json")
	res, err := pp.s.app.PublicResults(r.Context(), id)
	if err != nil {
		pp.fail(w, r, err, asJSON)
		return
	}
	if asJSON {
		web.WriteJSON(w, http.StatusOK, res)
		return
	}
	pp.s.render(w, r, http.StatusOK, "public", buildPublicPage(res))
}

// buildPublicPage is the page of a round's published results. It is pure, for the golden test.
func buildPublicPage(res minutes.PublicResults) publicPage {
	pg := publicPage{chrome: chrome{Title: "Kết quả lấy phiếu tín nhiệm — " + res.Organization}, Found: true, Res: res,
		VoteDate: voteDate(res.VoteDate), Notice: app.PublicNoticePath(res.Round), JSON: app.PublicPath(res.Round) + ".json",
		Combined: res.CombinedShare, Track: trackLabel(res.Track), People: minutes.PeopleWord(res.Track)}
	// Times in the round's time zone, as its own pages show them.
	zone := dossier.Round{Timezone: res.Timezone}
	pg.Sealed, pg.Publish = localTime(zone, res.SealedAt), localTime(zone, res.PublishedAt)
	for _, n := range res.Persons {
		row := publicRow{PublicPerson: n, Flag: cell{Label: "không", Class: "muted"}}
		switch {
		case n.Thresholds.TwoThirdsLow:
			row.Flag = cell{Label: minutes.ThresholdWords(n.Thresholds), Class: "bad"}
		case n.Thresholds.OverHalfLow:
			row.Flag = cell{Label: minutes.ThresholdWords(n.Thresholds), Class: "warn"}
		}
		pg.Rows = append(pg.Rows, row)
	}
	return pg
}

// file is the results notice of a published round (thong-bao-ket-qua.pdf).
func (pp *publicPages) file(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != "thong-bao-ket-qua.pdf" {
		pp.fail(w, r, &app.Error{Kind: app.NotFound}, false)
		return
	}
	res, err := pp.s.app.PublicResults(r.Context(), r.PathValue("round"))
	if err != nil {
		pp.fail(w, r, err, false)
		return
	}
	key := fmt.Sprintf("%s/v%d/%d/%s/%s", res.Round, res.Version, res.SealedAt.Unix(), res.Title, res.Organization)
	pdf, ok := pp.notices.get(key)
	if !ok {
		if pdf, err = pp.s.app.PublicNotice(r.Context(), res.Round, res.Version); err != nil {
			pp.fail(w, r, err, false)
			return
		}
		pp.notices.put(key, pdf)
	}
	servePDF(w, app.NoticeFileName(res), pdf)
}

// fail answers a public request that found nothing with the one 404 (page or JSON), and
// anything else as an error of the server.
func (pp *publicPages) fail(w http.ResponseWriter, r *http.Request, err error, asJSON bool) {
	status := http.StatusNotFound
	msg := "Không có kết quả lấy phiếu tín nhiệm nào được công bố ở địa chỉ này."
	if e, ok := app.AsError(err); !ok || e.Kind != app.NotFound {
		pp.s.log.Error("ui: public results", "path", r.URL.Path, "err", err)
		status, msg = http.StatusInternalServerError, "Lỗi hệ thống; hãy thử lại sau ít phút."
		if ok && e.Kind == app.Conflict {
			status, msg = http.StatusConflict, capitalize(e.Message)+"."
		}
	}
	if asJSON {
		code := "not_found"
		if status != http.StatusNotFound {
			code = "error"
		}
		web.WriteJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": strings.TrimSuffix(msg, ".")}})
		return
	}
	pp.s.render(w, r, status, "public", publicPage{chrome: chrome{Title: "Không tìm thấy"}, Message: msg})
}

// noticeCache keeps rendered notices: a published version renders to the same bytes every
// time, and a page open to everyone must not render a PDF per visit.
type noticeCache struct {
	mu    sync.Mutex
	max   int
	m     map[string][]byte
	order []string
}

func (c *noticeCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *noticeCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[key] = b
	c.order = append(c.order, key)
}
