package minutes

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/pdfmerge"
	"tinnhiem/minutes/document"
)

func TestHeadingOf(t *testing.T) {
	tests := []struct{ org, parent, place, want string }{
		// The parent names the same place: the short form reads right.
		{"Tỉnh ủy Bình Sơn", "Đảng bộ tỉnh Bình Sơn", "Bình Sơn", "Tỉnh ủy"},
		// A district under the province: the place belongs to the district, keep it.
		{"Huyện ủy An Lạc", "Đảng bộ tỉnh Bình Sơn", "An Lạc", ""},
		{"Đảng ủy xã An Phú", "Đảng bộ huyện An Lạc", "An Phú", ""},
		{"Huyện ủy An Lạc", "Đảng bộ huyện An Lạc", "An Lạc", "Huyện ủy"},
		// Case and spacing of the parent do not matter.
		{"Thành ủy Bình Sơn", "ĐẢNG BỘ THÀNH PHỐ  BÌNH SƠN", "Bình Sơn", "Thành ủy"},
		{"Hội đồng nhân dân tỉnh Bình Sơn", "", "Bình Sơn", ""},
		{"Tỉnh ủy Bình Sơn", "Đảng bộ tỉnh Bình Sơn", "", ""},
		{"Bình Sơn", "Đảng bộ tỉnh Bình Sơn", "Bình Sơn", ""},
	}
	for _, tt := range tests {
		if got := headingOf(tt.org, tt.parent, tt.place); got != tt.want {
			t.Errorf("headingOf(%q, %q, %q) = %q, want %q", tt.org, tt.parent, tt.place, got, tt.want)
		}
	}
	// From outside: a district body's header names the district.
	rd := blankRound(dossier.BlankRowVoidRow)
	rd.Organization, rd.Place = "Huyện ủy An Lạc", "An Lạc"
	res, err := Compute(RosterOf(rd), RulesOf(rd), parseFile(t, "blank.csv").Input(Attendance{Summoned: 7, Present: 6, Issued: 6, Collected: 6, Absent: []Absentee{{Name: "Lý Văn Tám"}}}, committee3()))
	if err != nil {
		t.Fatal(err)
	}
	m := BuildModel(rd, Sealed{Version: 1, SealedAt: time.Date(2028, 12, 15, 4, 0, 0, 0, time.UTC), Result: res, Canonical: []byte(`{}`)}, nil)
	if text := renderText(t, document.KindCounting, m); !strings.Contains(text, "HUYỆN ỦY AN LẠC") {
		t.Errorf("the district's name is not in the header:\n%s", text[:min(len(text), 400)])
	}
}

// trailReport is the status of a round of four: n01 complete, n02 missing the asset
// declaration, n03 owing an explanation, n04 exempt and missing everything.
func trailReport() dossier.Report {
	return dossier.Report{Nominees: []dossier.NomineeStatus{
		{Nominee: "n01", Name: "Trần Văn An", Complete: true, Requests: []dossier.RequestStatus{
			{State: dossier.RequestAnswered}, {Late: true, State: dossier.RequestSetAside}}},
		{Nominee: "n02", Name: "Lê Thị Bình", Missing: []dossier.Kind{dossier.KindAssetDeclaration}},
		{Nominee: "n03", Name: "Phạm Văn Cường", Complete: false, OpenRequests: 1, Requests: []dossier.RequestStatus{
			{State: dossier.RequestOpen}, {Late: true, State: dossier.RequestAnswered}, {Late: true, State: dossier.RequestAwaitingDecision}}},
		{Nominee: "n04", Name: "Đỗ Văn Dũng", Exempt: "Nghỉ hưu", Complete: true, Requests: []dossier.RequestStatus{{State: dossier.RequestOpen}}},
	}}
}

func TestRequestCountsOf(t *testing.T) {
	rd := blankRound(dossier.BlankRowVoidRow)
	rd.Deadlines.ExplanationRequest.At = time.Date(2028, 12, 5, 16, 59, 59, 0, time.UTC)
	got := RequestCountsOf(rd, trailReport())
	want := document.RequestCounts{Deadline: rd.Deadlines.ExplanationRequest.At, OnTime: 2, Late: 3, Admitted: 1, SetAside: 1, Undecided: 1, Answered: 2, Persons: 2}
	if got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
}

func TestSealWarnings(t *testing.T) {
	rd := blankRound(dossier.BlankRowVoidRow)
	loc := rd.Location()
	rd.Deadlines.Packet.At = time.Date(2028, 11, 30, 23, 59, 59, 0, loc).UTC()
	rep := trailReport()

	ws := SealWarnings(rd, rep, nil)
	issues := SealIssues(rd, rep, nil)
	if len(ws) != 2 || ws[0].Code != CodeDossierIncomplete || ws[1].Code != CodePacketNotRecorded || len(issues) != 2 {
		t.Fatalf("warnings %+v issues %q", ws, issues)
	}
	for _, w := range []string{"2 người", "Lê Thị Bình (bản kê khai tài sản, thu nhập)", "Phạm Văn Cường (báo cáo giải trình (1 đề nghị))"} {
		if !strings.Contains(ws[0].Message, w) {
			t.Errorf("%q lacks %q", ws[0].Message, w)
		}
	}
	if strings.Contains(ws[0].Message, "Đỗ Văn Dũng") || strings.Contains(ws[0].Message, "Trần Văn An") {
		t.Errorf("an exempt or complete person is named: %q", ws[0].Message)
	}
	if !strings.Contains(ws[1].Message, "30/11/2028") {
		t.Errorf("the packet warning does not give the deadline: %q", ws[1].Message)
	}

	onTime := &dossier.PacketSent{SentAt: time.Date(2028, 11, 30, 9, 0, 0, 0, loc).UTC(), Channel: "giấy"}
	if ws := SealWarnings(rd, rep, onTime); len(ws) != 1 || ws[0].Code != CodeDossierIncomplete {
		t.Errorf("sent on time: %+v", ws)
	}
	late := &dossier.PacketSent{SentAt: time.Date(2028, 12, 1, 0, 0, 0, 0, loc).UTC(), DateOnly: true, Channel: "giấy"}
	if ws := SealWarnings(rd, rep, late); len(ws) != 2 || ws[1].Code != CodePacketLate || !strings.Contains(ws[1].Message, "ngày 01/12/2028") {
		t.Errorf("sent late: %+v", ws)
	}
	complete := dossier.Report{Nominees: []dossier.NomineeStatus{{Nominee: "n01", Complete: true}}}
	if ws := SealWarnings(rd, complete, onTime); len(ws) != 0 {
		t.Errorf("all in order: %+v", ws)
	}
}

// TestWithTrail: the session minutes and the report state the requests received, decided and
// answered; the session minutes take the sending from its record and say so when there is
// none; confirmed sealing warnings reach the issues section.
func TestWithTrail(t *testing.T) {
	rd, rec := sealedBlank(t, dossier.BlankRowVoidRow, "", time.Date(2028, 12, 15, 4, 0, 0, 0, time.UTC))
	loc := rd.Location()
	rd.Deadlines.ExplanationRequest.At = time.Date(2028, 12, 5, 23, 59, 59, 0, loc).UTC()
	rd.Deadlines.Packet.At = time.Date(2028, 11, 30, 23, 59, 59, 0, loc).UTC()
	rep := trailReport()
	base := BuildModel(rd, rec.Versions[0], nil)
	base.DossiersSentAt = "ngày 20/11/2028" // free text the secretariat typed

	none := WithTrail(base, rd, Trail{Status: &rep, PacketLookedUp: true, Issues: SealIssues(rd, rep, nil)})
	text := renderText(t, document.KindSession, none)
	for _, w := range []string{
		"Đến hết ngày 05/12/2028 (hạn nhận đề nghị giải trình), nhận được 2 đề nghị giải trình.",
		"Sau thời hạn, nhận thêm 3 đề nghị giải trình; Ban Tổ chức quyết định: 1 đề nghị được xem xét, 1 đề nghị không xem xét, 1 đề nghị chưa có quyết định.",
		"2 đề nghị đã được giải trình bằng văn bản, 1 đề nghị chưa được giải trình.",
		"Không có ghi nhận về việc gửi hồ sơ của người được lấy phiếu tín nhiệm đến người tham gia lấy phiếu.",
		"hồ sơ của 2 người được lấy phiếu tín nhiệm chưa đầy đủ",
	} {
		if !strings.Contains(flatText(text), w) {
			t.Errorf("session minutes lack %q", w)
		}
	}
	if strings.Contains(text, "20/11/2028") {
		t.Error("the free text is printed although the record was looked up")
	}
	if report := flatText(renderText(t, document.KindReport, none)); !strings.Contains(report, "nhận được 2 đề nghị giải trình") {
		t.Error("the report does not state the requests")
	}

	sent := &dossier.PacketSent{SentAt: time.Date(2028, 12, 2, 9, 30, 0, 0, loc).UTC(), Channel: "Bản giấy qua Văn phòng Tỉnh ủy"}
	m := WithTrail(base, rd, Trail{PacketLookedUp: true, Packet: sent})
	if text := flatText(renderText(t, document.KindSession, m)); !strings.Contains(text, "đã được gửi đến người tham gia lấy phiếu vào 9 giờ 30 phút ngày 02/12/2028 (Bản giấy qua Văn phòng Tỉnh ủy), sau thời hạn gửi là ngày 30/11/2028.") {
		t.Errorf("the recorded sending is not stated:\n%s", text)
	}
	// Not looked up (the old path): the secretariat's words stay.
	if text := renderText(t, document.KindSession, base); !strings.Contains(text, "ngày 20/11/2028") {
		t.Error("the free text is lost when no record was looked up")
	}
	if empty := RequestCountsOf(rd, dossier.Report{}); empty.OnTime != 0 {
		t.Fatal(empty)
	}
	m = WithTrail(base, rd, Trail{Status: &dossier.Report{}})
	if text := flatText(renderText(t, document.KindSession, m)); !strings.Contains(text, "Đến hết ngày 05/12/2028 (hạn nhận đề nghị giải trình), không nhận được đề nghị giải trình.") {
		t.Errorf("no request: %s", text)
	}
}

// flatText joins the lines a paragraph was wrapped into.
func flatText(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestBallotAndPacketOfRound: from a round, the ballot lists exactly the persons on the ballot,
// and the packet carries every page of an accepted self-assessment with its text.
func TestBallotAndPacketOfRound(t *testing.T) {
	rd := blankRound(dossier.BlankRowVoidRow)
	rd.Nominees = append(rd.Nominees, dossier.Nominee{ID: "n04", Name: "Đỗ Văn Dũng", ExemptReason: "Đã có thông báo nghỉ hưu"})
	at := time.Date(2028, 11, 28, 2, 0, 0, 0, time.UTC)
	pdf, err := Ballot(rd, 0, at)
	if err != nil {
		t.Fatal(err)
	}
	text := extractText(t, pdf)
	for _, n := range rd.Nominees {
		if got := strings.Contains(text, n.Name); got != n.OnBallot() {
			t.Errorf("%s on the ballot: %v", n.Name, got)
		}
	}
	self, err := os.ReadFile("../ingest/pdftext/testdata/gofpdf-bao-cao-tu-danh-gia.pdf")
	if err != nil {
		t.Fatal(err)
	}
	packet, entries, err := Packet(rd, []PacketFile{{Nominee: "n02", Kind: dossier.KindSelfAssessment, File: "bc.pdf", PDF: self}}, at, pdfmerge.Tool{})
	if err != nil {
		t.Fatal(err)
	}
	all := flatText(extractText(t, packet))
	if want := firstFields(extractText(t, self), 40); !strings.Contains(all, want) {
		t.Errorf("the packet lacks the self-assessment's text %q", want)
	}
	if strings.Contains(all, "Đỗ Văn Dũng") {
		t.Error("an exempt person is in the packet")
	}
	var merged int
	for _, e := range entries {
		if !e.Missing && e.Problem == "" {
			merged++
		}
	}
	if merged != 1 {
		t.Errorf("entries %+v", entries)
	}
}

func firstFields(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

func extractText(t *testing.T, pdf []byte) string {
	t.Helper()
	res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}
