package document

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/pdftext"
)

// extract reads a rendered PDF back with the ingest extractor, the same code that reads staff
// uploads, so the documents are checked the way the system itself would read them.
func extract(t testing.TB, b []byte) pdftext.Result {
	t.Helper()
	res, err := pdftext.Extract(bytes.NewReader(b), int64(len(b)), pdftext.Limits{})
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	return res
}

// flat joins all text with single spaces, so a sentence wrapped across lines reads whole.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// runningText is the running text without page numbers and footers, so a paragraph that crosses a
// page break reads on.
func runningText(res pdftext.Result, hash string) string {
	var b strings.Builder
	for i, p := range res.PageTexts {
		ls := strings.Split(p, "\n")
		if i > 0 && len(ls) > 0 && ls[0] == strconv.Itoa(i+1) {
			ls = ls[1:]
		}
		for _, l := range ls {
			if !strings.Contains(l, hash) {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// lines returns every extracted line of the document.
func lines(res pdftext.Result) []string {
	var out []string
	for _, p := range res.PageTexts {
		out = append(out, strings.Split(p, "\n")...)
	}
	return out
}

func containsLine(all []string, sub string) bool {
	for _, l := range all {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// cellLines lays out the name column as Render does and returns how each row's name is broken.
func cellLines(t testing.TB, m Model) [][]string {
	t.Helper()
	fonts := fontFaces()
	covers := make([]*coverage, len(fonts))
	for i, f := range fonts {
		c, err := parseCoverage(f)
		if err != nil {
			t.Fatal(err)
		}
		covers[i] = c
	}
	m, err := clean(m, covers)
	if err != nil {
		t.Fatal(err)
	}
	s := &sheet{pdf: newPDF(fonts)}
	d := &doc{m: m, s: s}
	marks, _ := d.markers()
	tb, body := resultTable(s, m.Rows, marks, m.CombinedShare)
	s.font("", tb.size)
	out := make([][]string, len(body))
	for i, row := range body {
		out[i] = s.wrap(row[1], tb.widths[1]-2*padH)
	}
	return out
}

type roundTripCase struct {
	name string
	m    Model
}

func roundTripCases() []roundTripCase {
	return []roundTripCase{
		{"party-15", fixture(TrackParty, 15)},
		{"state-15", fixture(TrackState, 15)},
		{"party-200", fixture(TrackParty, 200)},
		{"below-quorum", belowQuorum()},
		{"long-names", longNames()},
		{"state-papertrail", paperTrail()},
		{"party-public", partyPublic()},
	}
}

// TestRoundTrip renders every document of every fixture, extracts its text and finds every
// person, figure and required statement exactly.
func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases() {
		nameLines := cellLines(t, tc.m)
		for _, kind := range Kinds() {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				b, err := Render(kind, tc.m)
				if err != nil {
					t.Fatal(err)
				}
				res := extract(t, b)
				checkDocument(t, kind, tc.m, res, nameLines)
			})
		}
	}
}

func checkDocument(t *testing.T, kind Kind, m Model, res pdftext.Result, nameLines [][]string) {
	all := lines(res)
	sum := sha256.Sum256(m.TallyJSON)
	hash := hex.EncodeToString(sum[:])
	text := flat(runningText(res, hash))
	must := func(what, sub string) {
		t.Helper()
		if !strings.Contains(text, sub) {
			t.Errorf("%s: %q not found in the extracted text", what, sub)
		}
	}
	mustNot := func(what, sub string) {
		t.Helper()
		if strings.Contains(text, sub) {
			t.Errorf("%s: %q found but must not be there", what, sub)
		}
	}
	if !norm.NFC.IsNormalString(res.Text) {
		t.Error("extracted text is not NFC")
	}

	// Every page carries the tally's hash; pages from the second are numbered at the top.
	for i, p := range res.PageTexts {
		if !strings.Contains(p, hash) {
			t.Errorf("page %d: footer without the tally sha256", i+1)
		}
		first, _, _ := strings.Cut(p, "\n")
		if i == 0 && first == "1" {
			t.Error("page 1 is numbered; numbering starts on page 2")
		}
		if i > 0 && first != strconv.Itoa(i+1) {
			t.Errorf("page %d: first line %q, want the page number", i+1, first)
		}
	}

	// Header by track.
	if m.Track == TrackParty {
		must("party title", "ĐẢNG CỘNG SẢN VIỆT NAM")
		must("number", "Số "+m.DocNumbers[kind])
		mustNot("national title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	} else {
		must("national title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
		must("motto", "Độc lập - Tự do - Hạnh phúc")
		must("number", "Số: "+m.DocNumbers[kind])
	}
	if kind == KindReport {
		must("place and date", "Bình Sơn, ngày 15 tháng 12 năm 2028")
	} else {
		must("place and date", dateLine(m.Place, m.VoteDate))
	}
	must("subject", flat(m.Title[len("Lấy"):]))
	switch kind {
	case KindCounting:
		must("title", "BIÊN BẢN KIỂM PHIẾU")
	case KindSession:
		must("title", upper(Title(KindSession, m.Track)))
	case KindReport:
		must("title", "BÁO CÁO")
	}
	public := m.Publication == PublicationPublic || m.Publication == "" && m.Track == TrackState
	if kind == KindReport && !public {
		must("not public", "không công bố công khai")
		if m.Track == TrackParty {
			must("confidential mark", "MẬT")
		}
	}
	if kind == KindReport && public {
		mustNot("confidential mark", "MẬT")
		mustNot("not public", "không công bố")
		must("public", "công bố công khai")
	}
	if kind == KindReport {
		for _, b := range m.Basis {
			must("basis", trimEnd(b))
		}
		if m.CombinedShare {
			must("combined share heading", "cao và")
		}
	}
	if m.Requests != nil && kind != KindCounting {
		must("requests", "hạn nhận đề nghị giải trình")
	}
	if m.Track == TrackState {
		mustNot("recall of deputies", "bãi nhiệm")
	}

	// Attendance, quorum, ballots, settings.
	// A People's Council summons its delegates: "đại biểu", where a conference says "người".
	people := "người"
	if m.Track == TrackState {
		people = "đại biểu"
		mustNot("persons where delegates are meant", "người được triệu tập")
	}
	must("summoned", fmt.Sprintf("triệu tập: %d %s", m.Summoned, people))
	must("present", fmt.Sprintf("có mặt: %d %s", m.Present, people))
	must("issued", fmt.Sprintf("phát ra: %d phiếu", m.Issued))
	must("collected", fmt.Sprintf("thu vào: %d phiếu", m.Collected))
	must("valid", fmt.Sprintf("hợp lệ: %d phiếu", m.ValidBallots))
	must("denominator", m.DenominatorWords)
	must("blank rule", m.BlankRuleWords)
	if m.QuorumMet {
		must("quorum", "đủ điều kiện tiến hành lấy phiếu tín nhiệm")
		mustNot("invalid banner", "KHÔNG ĐỦ ĐIỀU KIỆN")
	} else {
		must("invalid banner", "KHÔNG ĐỦ ĐIỀU KIỆN LẤY PHIẾU TÍN NHIỆM")
		must("not valid", "kết quả kiểm phiếu (nếu có) không có giá trị")
		must("below quorum", fmt.Sprintf("Số người có mặt (%d/%d) chưa đạt 2/3", m.Present, m.Summoned))
	}
	if kind != KindReport {
		for _, a := range m.Absent {
			must("absent", a.Name)
			if a.Reason != "" {
				must("absence reason", a.Reason)
			}
		}
		for _, r := range m.InvalidReasons {
			must("invalid reason", r)
		}
	}
	for _, e := range m.Excluded {
		if kind == KindCounting {
			break
		}
		must("excluded", withPosition(e.Name, e.Position))
		must("exclusion reason", e.Reason)
	}
	for _, i := range m.Irregularities {
		if kind != KindReport {
			must("irregularity", i)
		}
	}

	// People who sign or are named.
	switch kind {
	case KindCounting:
		for _, c := range m.Committee {
			must("committee member", c.Name)
			if !containsLine(all, upper(c.Role)) {
				t.Errorf("signature title %q missing", upper(c.Role))
			}
		}
	case KindSession:
		for _, c := range m.Committee {
			must("committee member", c.Name)
		}
		must("chair", m.Chair)
		must("secretary", m.Secretary)
		switch {
		case !m.PacketKnown:
			must("dossiers sent", m.DossiersSentAt)
		case m.Packet == nil:
			must("no sending recorded", "Không có ghi nhận về việc gửi")
		default:
			must("sending recorded", m.Packet.When)
			mustNot("free text when a record exists", m.DossiersSentAt)
		}
		for _, e := range m.Explanations {
			must("explanation", e.Name)
		}
		for i, a := range m.Agenda {
			must("agenda", fmt.Sprintf("%d. %s", i+1, a))
		}
	case KindReport:
		must("signer", m.Signer.Name)
		must("signer title", upper(m.Signer.Title))
		must("recipient", m.ReportTo)
	}

	// One row per person: the name as laid out, and all figures on the row's line.
	headers := 0
	for _, l := range all {
		if strings.HasPrefix(l, "STT Họ và tên Chức vụ") || m.CombinedShare && strings.HasPrefix(l, "STT") {
			headers++
		}
	}
	rowPages := map[int]bool{}
	for i, r := range m.Rows {
		for _, part := range nameLines[i] {
			if !containsLine(all, part) {
				t.Errorf("row %d: name line %q not found", i+1, part)
			}
		}
		if len(nameLines[i]) == 1 && !containsLine(all, r.Name) {
			t.Errorf("row %d: name %q not found on one line", i+1, r.Name)
		}
		figures := fmt.Sprintf("%d %d %s %d %s %d %s", r.Valid, r.Cao, r.CaoPct, r.TinNhiem, r.TinNhiemPct, r.Thap, r.ThapPct)
		found := false
		for p, page := range res.PageTexts {
			for _, l := range strings.Split(page, "\n") {
				if strings.Contains(l, figures) && strings.HasPrefix(l, strconv.Itoa(r.Order)+" ") {
					found = true
					rowPages[p] = true
				}
			}
		}
		if !found {
			t.Errorf("row %d: no line starting %d and holding %q", i+1, r.Order, figures)
		}
		if r.Flag != "" && m.QuorumMet {
			must("threshold and consequence", flagText(r))
		}
	}
	// The header is repeated on every page the table reaches.
	if headers != len(rowPages) {
		t.Errorf("table header appears %d times for rows on %d pages", headers, len(rowPages))
	}
	if len(m.Rows) >= 50 && len(rowPages) < 2 {
		t.Errorf("%d rows on %d page(s): the table should break across pages", len(m.Rows), len(rowPages))
	}
}

// TestEmbedded reads the PDF structure: the tally is attached byte for byte under its name, and
// the title and author are set.
func TestEmbedded(t *testing.T) {
	for _, tc := range roundTripCases()[:2] {
		for _, kind := range Kinds() {
			b, err := Render(kind, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatalf("%s %s: %v", tc.name, kind, err)
			}
			names := r.Trailer().Key("Root").Key("Names").Key("EmbeddedFiles").Key("Names")
			if names.Len() != 2 {
				t.Fatalf("%s %s: embedded files name tree has %d entries, want 2", tc.name, kind, names.Len())
			}
			spec := names.Index(1)
			if got := spec.Key("UF").Text(); got != AttachmentName {
				t.Errorf("%s %s: attachment named %q, want %q", tc.name, kind, got, AttachmentName)
			}
			rc := spec.Key("EF").Key("F").Reader()
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.m.TallyJSON) {
				t.Errorf("%s %s: attachment differs from the tally JSON", tc.name, kind)
			}
			info := r.Trailer().Key("Info")
			if got, want := info.Key("Author").Text(), tc.m.Organization; got != want {
				t.Errorf("%s %s: author %q, want %q", tc.name, kind, got, want)
			}
			if got, want := info.Key("Title").Text(), Title(kind, tc.m.Track)+" – "+tc.m.Title; got != want {
				t.Errorf("%s %s: title %q, want %q", tc.name, kind, got, want)
			}
			if got := info.Key("CreationDate").Text(); got != "D:"+tc.m.SealedAt.UTC().Format("20060102150405") {
				t.Errorf("%s %s: creation date %q, want the seal time", tc.name, kind, got)
			}
		}
	}
}
