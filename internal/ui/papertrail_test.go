package ui

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/minutes"
)

// The round page's paper trail: the ballot and packet for the board, the packet's sending as
// recorded, the packet step in the deadlines marked done.
func TestRoundTrailGolden(t *testing.T) {
	rd := goldenRound(t)
	rep := dossier.Status(rd, goldenState(t, rd), goldenNow)
	sent, err := dossier.ParsePacketSent(rd, "2028-11-29T15:00", "Bản giấy qua Văn phòng Tỉnh ủy", goldenNow.AddDate(0, 0, 10))
	if err != nil {
		t.Fatal(err)
	}
	sent.RecordedAt, sent.RecordedBy = time.Date(2028, 11, 29, 9, 0, 0, 0, time.UTC), "tochuc"
	for _, c := range []struct {
		name string
		p    auth.Principal
		sent *dossier.PacketSent
	}{{"round-trail-organizer", goldenOrganizer, &sent}, {"round-trail-viewer", goldenViewer, nil}} {
		t.Run(c.name, func(t *testing.T) {
			pg := buildRoundPage(rd, rep, nil, c.p, goldenNow)
			pg.User = newUserView(c.p)
			addRoundTrail(&pg, rd, c.sent, false, c.p, goldenNow)
			page := renderGolden(t, "round", c.name, pg)
			box := between(t, page, `id="phieu-ho-so"`, "</section>")
			mustContain(t, c.name, box, "8 người thuộc diện lấy phiếu", "Hạn gửi: 23:59 30/11/2028")
			if c.sent != nil {
				mustContain(t, c.name, box, `action="/rounds/binh-son-btv-2028/ballot"`, `href="/rounds/binh-son-btv-2028/packet"`,
					`action="/rounds/binh-son-btv-2028/packet/sent"`, "Đã gửi 15 giờ 00 phút ngày 29/11/2028", "đã gửi đúng hạn")
				mustContain(t, c.name, between(t, page, `id="deadlines"`, "</table>"), "đã gửi đúng hạn (15 giờ 00 phút ngày 29/11/2028)")
			} else {
				mustNotContain(t, c.name, box, "/ballot", "/packet", "<form")
				mustContain(t, c.name, box, "chưa ghi nhận")
			}
		})
	}
	// A State round sends reports to the delegates, and says so.
	state := rd
	state.Track = dossier.TrackState
	pg := buildRoundPage(state, rep, nil, goldenOrganizer, goldenNow)
	addRoundTrail(&pg, state, nil, false, goldenOrganizer, goldenNow)
	if pg.Trail.PacketName != "báo cáo gửi đại biểu" {
		t.Errorf("State packet: %q", pg.Trail.PacketName)
	}
	for _, d := range pg.Deadlines {
		if d.Name == dossier.DeadlinePacket && d.Label != "Hạn gửi báo cáo đến đại biểu" {
			t.Errorf("State packet step: %q", d.Label)
		}
	}
}

// The public page of published results, and the one answer when there are none.
func TestPublicPageGolden(t *testing.T) {
	rd := goldenRound(t)
	rd.Track, rd.Publication = dossier.TrackState, dossier.PublicationPublic
	res, err := minutes.Compute(minutes.RosterOf(rd), minutes.RulesOf(rd), minutes.Input{
		Attendance: minutes.Attendance{Summoned: 45, Present: 44, Issued: 44, Collected: 44},
		Counts: map[string]minutes.Counts{"n01": {Cao: 42, TinNhiem: 2}, "n02": {Cao: 44}, "n03": {Cao: 40, TinNhiem: 4}, "n04": {Cao: 20, Thap: 24}, "n05": {Cao: 10, Thap: 34},
			"n06": {Cao: 30, TinNhiem: 14}, "n08": {Cao: 44}, "n09": {Cao: 43, TinNhiem: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := minutes.Sealed{Version: 2, SealedAt: time.Date(2028, 12, 15, 9, 0, 0, 0, time.UTC), Result: res}
	pub := minutes.PublicResultsOf(rd, s, minutes.Publication{Version: 2, PublishedAt: time.Date(2028, 12, 16, 2, 0, 0, 0, time.UTC)})
	pg := buildPublicPage(pub)
	page := renderGolden(t, "public", "public-results", pg)
	mustContain(t, "public", page, "Nguyễn Thị Thanh Hà", "97,78%", "Tín nhiệm thấp trên 1/2 đến dưới 2/3", "Tín nhiệm thấp từ 2/3 trở lên",
		`href="/public/rounds/binh-son-btv-2028/thong-bao-ket-qua.pdf"`, "phiên bản 2", "16:00 15/12/2028")
	mustNotContain(t, "public", page, "Đăng xuất", "Đặng Quang Vinh") // no session; exempt persons are not voted on
	renderGolden(t, "public", "public-not-found", publicPage{chrome: chrome{Title: "Không tìm thấy"}, Message: "Không có kết quả lấy phiếu tín nhiệm nào được công bố ở địa chỉ này."})
}

// Through the pages, as the board uses them: the ballot and the packet download, the sending
// recorded with the form, the seal with the committee's confirmation, the publication and the
// public page without login.
func TestPaperTrailPages(t *testing.T) {
	ts := newTestSystem(t, systemOptions{workers: true})
	const r = "/rounds/" + roundBinhSon
	org := ts.login("tochuc")

	res := org.get(r + "/ballot?copies=2")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("ballot: %d %s", res.StatusCode, res.Header)
	}
	if text := pdfTextOf(t, []byte(res.Body)); !strings.Contains(text, "Phiếu số 2/2") || !strings.Contains(text, "Trần Quốc Hùng") || strings.Contains(text, "Đặng Quang Vinh") {
		t.Errorf("ballot text: %s", text)
	}
	if res := org.get(r + "/ballot?copies=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("copies=x: %d", res.StatusCode)
	}

	// An accepted self-assessment of n02 travels in the packet.
	doc := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nNguyễn Thị Thanh Hà\nPhó Bí thư Thường trực Tỉnh ủy\n\nVề phẩm chất chính trị và đạo đức lối sống của người báo cáo.")
	d := ts.putDocument(dossier.Document{Round: roundBinhSon, File: "ha.pdf", Size: int64(len(doc)), ReceivedAt: time.Now(), Status: dossier.StatusAccepted,
		Nominee: "n02", Kind: dossier.KindSelfAssessment})
	if _, err := ts.st.Uploads.Objects.PutBytes(ts.ctx, d.ID, doc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the projection", 10*time.Second, func() bool {
		st, _, _ := ts.dossiers.State(ts.ctx, roundBinhSon)
		_, ok := st.Docs[d.ID]
		return ok
	})
	res = org.get(r + "/packet")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("packet: %d %s", res.StatusCode, res.Body)
	}
	mustContain(t, "packet", pdfTextOf(t, []byte(res.Body)), "HỒ SƠ GỬI NGƯỜI THAM GIA LẤY PHIẾU", "Về phẩm chất chính trị và đạo đức lối sống")

	// The sending: a form with problems answers them, nothing stored; then recorded.
	bad := org.postForm(r+"/packet/sent", url.Values{"sent_date": {"2028-13-01"}, "channel": {""}})
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", bad.StatusCode)
	}
	mustContain(t, "bad form", bad.Body, "Thời điểm gửi không hợp lệ", "Bắt buộc phải ghi hình thức gửi")
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	res = org.postForm(r+"/packet/sent", url.Values{"sent_date": {yesterday}, "sent_time": {"09:15"}, "channel": {"Thư điện tử công vụ"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=packet-sent") {
		t.Fatalf("record: %d %s", res.StatusCode, res.Body)
	}
	page := org.get(r).Body
	mustContain(t, "round page", between(t, page, `id="phieu-ho-so"`, "</section>"), "Thư điện tử công vụ", "9 giờ 15 phút", "đã gửi đúng hạn")
	// Not from another site.
	foreign := org.ts.browser()
	foreign.client.Jar = org.client.Jar
	foreign.origin = "https://evil.example"
	if res := foreign.postForm(r+"/packet/sent", url.Values{"sent_date": {yesterday}, "channel": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form: %d", res.StatusCode)
	}
	// A viewer sees the record, not the forms, and may not download.
	viewer := ts.login("xem")
	vpage := viewer.get(r).Body
	mustNotContain(t, "viewer round page", vpage, `action="/rounds/binh-son-btv-2028/ballot"`, `id="ghi-nhan-gui"`)
	for _, p := range []string{r + "/ballot", r + "/packet"} {
		if res := viewer.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d", p, res.StatusCode)
		}
	}

	// The seal with the committee's confirmation: the warnings before, the issues after.
	rd, err := ts.st.Rounds.Get(ts.ctx, roundBinhSon)
	if err != nil {
		t.Fatal(err)
	}
	counts := "nominee,cao,tin_nhiem,thap,invalid\nn01,40,3,2,0\nn02,40,3,2,0\nn03,40,3,2,0\nn04,40,3,2,0\nn05,40,3,2,0\nn06,40,3,2,0\nn08,40,3,2,0\nn09,40,3,2,0\n"
	if _, err := ts.st.Tallies.Import(ts.ctx, rd, tallyEntry(t, counts, 45)); err != nil {
		t.Fatal(err)
	}
	counter := ts.login("kiemphieu")
	tally := counter.get(r + "/tally").Body
	mustContain(t, "tally page", tally, `id="canh-bao-niem-phong"`, "chưa đầy đủ", `name="confirm"`, `id="khong-cong-bo"`)
	res = counter.postForm(r+"/tally/seal", url.Values{"confirm": {"1"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=sealed-confirmed") {
		t.Fatalf("seal: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	rec, _, err := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if err != nil || len(rec.Versions) != 1 || len(rec.Versions[0].Issues) == 0 || !strings.Contains(rec.Versions[0].Issues[0], "chưa đầy đủ") {
		t.Fatalf("sealed issues: %v %+v", err, rec.Versions)
	}
	// A Party round: no publication, and nothing public.
	if res := org.postForm(r+"/publish", url.Values{"version": {"1"}}); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "không công bố công khai") {
		t.Errorf("publish a Party round: %d", res.StatusCode)
	}
	anon := ts.browser()
	if res := anon.get("/public/rounds/" + roundBinhSon); res.StatusCode != http.StatusNotFound {
		t.Errorf("public Party round: %d", res.StatusCode)
	}

	// The State round of Tân Lập: sealed, published from its tally page, public without login.
	tl, err := ts.st.Rounds.Get(ts.ctx, roundTanLap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.st.Tallies.Import(ts.ctx, tl, tallyEntry(t, "nominee,cao,tin_nhiem,thap,invalid\nt01,20,5,3,0\nt02,8,2,18,0\n", 28)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.st.Tallies.Seal(ts.ctx, tl, "tanlap"); err != nil {
		t.Fatal(err)
	}
	if res := anon.get("/public/rounds/" + roundTanLap); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "Lý Thị Ngọc") {
		t.Errorf("before publishing: %d", res.StatusCode)
	}
	tanlap := ts.login("tanlap")
	mustContain(t, "State tally page", tanlap.get("/rounds/"+roundTanLap+"/tally").Body, `id="form-cong-bo"`, "Công bố kết quả (phiên bản 1)")
	res = tanlap.postForm("/rounds/"+roundTanLap+"/publish", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Body)
	}
	mustContain(t, "tally page after", tanlap.get("/rounds/"+roundTanLap+"/tally").Body, `id="da-cong-bo"`, "/public/rounds/"+roundTanLap)
	pub := anon.get("/public/rounds/" + roundTanLap)
	if pub.StatusCode != http.StatusOK || pub.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("public page: %d %v", pub.StatusCode, pub.Header)
	}
	mustContain(t, "public page", pub.Body, "Lý Thị Ngọc", "Châu Văn Phúc", "66,67%", "60%", "Tín nhiệm thấp trên 1/2 đến dưới 2/3")
	js := anon.get("/public/rounds/" + roundTanLap + ".json")
	if js.StatusCode != http.StatusOK || !strings.Contains(js.Body, `"over_half_low": true`) {
		t.Errorf("public JSON: %d %s", js.StatusCode, js.Body)
	}
	notice := anon.get("/public/rounds/" + roundTanLap + "/thong-bao-ket-qua.pdf")
	again := anon.get("/public/rounds/" + roundTanLap + "/thong-bao-ket-qua.pdf")
	if notice.StatusCode != http.StatusOK || notice.Body != again.Body {
		t.Fatalf("notice: %d, same bytes twice: %v", notice.StatusCode, notice.Body == again.Body)
	}
	mustContain(t, "notice", pdfTextOf(t, []byte(notice.Body)), "THÔNG BÁO", "Lý Thị Ngọc", "60%")
	if res := anon.get("/public/rounds/" + roundTanLap + "/khac.pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another file: %d", res.StatusCode)
	}
}

func tallyEntry(t *testing.T, csv string, present int) minutes.Entry {
	t.Helper()
	sheet, err := minutes.ParseSheet(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return minutes.Entry{No: 1, By: "kiemphieu", Input: sheet.Input(minutes.Attendance{Present: present, Issued: present, Collected: present}, nil)}
}

func pdfTextOf(t *testing.T, data []byte) string {
	t.Helper()
	res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(res.Text), " ")
}
