package dossier

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"tinnhiem/internal/problem"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

type problems []problem.Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, problem.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return problem.List(ps)
}

// roundFile is the round file as written by people (DESIGN §4), YAML or JSON.
type roundFile struct {
	ID                 string            `yaml:"id"`
	Track              string            `yaml:"track"`
	Organization       string            `yaml:"organization"`
	ParentOrganization string            `yaml:"parent_organization"`
	Title              string            `yaml:"title"`
	Place              string            `yaml:"place"`
	Timezone           string            `yaml:"timezone"`
	VoteDate           string            `yaml:"vote_date"`
	Deadlines          map[string]string `yaml:"deadlines"`
	Summoned           *int              `yaml:"summoned"`
	Required           []string          `yaml:"required"`
	Rules              rulesFile         `yaml:"rules"`
	Alerts             *[]string         `yaml:"alerts"`
	Notify             notifyFile        `yaml:"notify"`
	Nominees           []nomineeFile     `yaml:"nominees"`
	Publication        string            `yaml:"publication"`
	Packet             *[]string         `yaml:"packet"`
	Basis              []string          `yaml:"basis"`
	Report             reportFile        `yaml:"report"`
}

type reportFile struct {
	CombinedShare bool `yaml:"combined_share"`
}

type rulesFile struct {
	Denominator string `yaml:"denominator"`
	BlankRow    string `yaml:"blank_row"`
	AcceptLate  bool   `yaml:"accept_late"`
}

type notifyFile struct {
	Emails        []string `yaml:"emails"`
	Webhook       string   `yaml:"webhook"`
	WebhookSecret string   `yaml:"webhook_secret"`
}

type nomineeFile struct {
	ID              string `yaml:"id"`
	Name            string `yaml:"name"`
	Position        string `yaml:"position"`
	Appointed       string `yaml:"appointed"`
	Retiring        bool   `yaml:"retiring"`
	SickLeaveMonths int    `yaml:"sick_leave_months"`
	Exempt          string `yaml:"exempt"`
}

// MaxRoundFileSize bounds a round file; a real roster of a few hundred persons is far smaller.
const MaxRoundFileSize = 4 << 20

// DefaultAlerts are the lead times used when a round names none.
func DefaultAlerts() []string { return []string{"72h", "24h", "2h"} }

// ParseRound reads a round file (YAML or JSON) and validates it. It returns a *ValidationError
// listing every problem, with a Vietnamese message each, or the round ready to store.
func ParseRound(data []byte) (Round, error) {
	r, err := parseRound(data)
	var ve problem.List
	if errors.As(err, &ve) {
		// Messages quote what people wrote, which may be NFD or not even UTF-8; what is shown
		// back must be clean NFC text.
		for i, p := range ve {
			ve[i].Path = norm.NFC.String(strings.ToValidUTF8(p.Path, "\uFFFD"))
			ve[i].Message = norm.NFC.String(strings.ToValidUTF8(p.Message, "\uFFFD"))
		}
	}
	return r, err
}

func parseRound(data []byte) (Round, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Round{}, problem.List{{Message: "tệp đợt lấy phiếu trống"}}
	}
	if len(data) > MaxRoundFileSize {
		return Round{}, problem.List{{Message: fmt.Sprintf("tệp đợt lấy phiếu quá lớn (tối đa %d MB)", MaxRoundFileSize>>20)}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	// The file is read twice: once as a node tree, which knows where every field stands, and
	// once into the typed struct. The decoder's type errors only name a line; the tree turns
	// them into field paths people can find.
	var doc yaml.Node
	nodes := yaml.NewDecoder(bytes.NewReader(data))
	if err := nodes.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return Round{}, syntaxProblem(err)
	}
	var extra yaml.Node
	if err := nodes.Decode(&extra); err == nil {
		return Round{}, problem.List{{Message: fmt.Sprintf("tệp chỉ được chứa một đợt lấy phiếu; có thêm tài liệu YAML thứ hai ở dòng %d (sau dấu ---)", extra.Line)}}
	} else if !errors.Is(err, io.EOF) {
		return Round{}, syntaxProblem(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return Round{}, problem.List{{Message: "tệp đợt lấy phiếu phải là một bảng các trường (id, organization, vote_date, nominees, …) dạng YAML hoặc một đối tượng JSON {…}"}}
	}

	var f roundFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var typeProblems problems
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return Round{}, syntaxProblem(err)
		}
		idx := indexNodes(&doc)
		for _, m := range te.Errors {
			path, msg := idx.explain(m)
			typeProblems.add(path, "%s", msg)
		}
	}
	r, err := f.validate()
	if len(typeProblems) == 0 {
		return r, err
	}
	// A field the decoder could not read is left empty; its "missing" complaint would only
	// repeat the type problem, so it is dropped.
	var ve problem.List
	if errors.As(err, &ve) {
		for _, p := range ve {
			if !typeProblems.covers(p.Path) {
				typeProblems = append(typeProblems, p)
			}
		}
	}
	return Round{}, typeProblems.err()
}

var yamlLinePrefix = regexp.MustCompile(`^yaml: line (\d+): `)

func syntaxProblem(err error) error {
	p := problem.Problem{Code: CodeSyntax, Message: "không đọc được tệp (YAML hoặc JSON), lỗi cú pháp: " + yamlLinePrefix.ReplaceAllString(err.Error(), "dòng $1: ")}
	if m := yamlLinePrefix.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
	}
	return problem.List{p}
}

// CodeSyntax is the code of a round file that is not YAML or JSON at all.
const CodeSyntax = "syntax"

// covers reports whether a problem at path only follows from a problem already listed.
func (ps problems) covers(path string) bool {
	for _, p := range ps {
		if p.Path == "" {
			continue
		}
		if path == p.Path || strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") {
			return true
		}
	}
	return false
}

// nodeRef is one key or value of the file with its field path.
type nodeRef struct {
	line  int
	key   bool
	kind  yaml.Kind
	value string
	path  string
	used  bool
}

// nodeIndex lists the keys and values of a file in document order, the order in which the
// decoder reports its errors.
type nodeIndex struct{ refs []nodeRef }

func indexNodes(doc *yaml.Node) *nodeIndex {
	idx := &nodeIndex{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				idx.refs = append(idx.refs, nodeRef{line: k.Line, key: true, kind: k.Kind, value: k.Value, path: p})
				idx.refs = append(idx.refs, nodeRef{line: v.Line, kind: v.Kind, value: v.Value, path: p})
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				idx.refs = append(idx.refs, nodeRef{line: c.Line, kind: c.Kind, value: c.Value, path: p})
				walk(c, p)
			}
		}
	}
	walk(doc, "")
	return idx
}

// find returns the first unused key (or value) on line that matches, else any unused one there.
func (idx *nodeIndex) find(line int, key bool, match func(nodeRef) bool) (nodeRef, bool) {
	for _, fallback := range []bool{false, true} {
		for i := range idx.refs {
			r := &idx.refs[i]
			if r.used || r.line != line || r.key != key || (!fallback && !match(*r)) {
				continue
			}
			r.used = true
			return *r, true
		}
	}
	return nodeRef{}, false
}

var (
	yamlUnknownField = regexp.MustCompile(`^line (\d+): field (.+?) not found in type `)
	yamlDuplicateKey = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	yamlWrongType    = regexp.MustCompile(`^line (\d+): cannot unmarshal (!!\w+)(?: ` + "`" + `(.*)` + "`" + `)? into (.+)$`)
)

// explain turns one of the YAML decoder's type errors into a field path and a Vietnamese message.
func (idx *nodeIndex) explain(msg string) (string, string) {
	atoi := func(s string) int {
		var n int
		_, _ = fmt.Sscanf(s, "%d", &n)
		return n
	}
	if m := yamlUnknownField.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		ref, _ := idx.find(line, true, func(r nodeRef) bool { return r.value == m[2] })
		return ref.path, fmt.Sprintf("trường %q không được hỗ trợ (dòng %d); kiểm tra lại tên trường", m[2], line)
	}
	if m := yamlDuplicateKey.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		ref, _ := idx.find(line, true, func(r nodeRef) bool { return r.value == m[2] })
		return ref.path, fmt.Sprintf("trường %q bị lặp (dòng %d, đã có ở dòng %s)", m[2], line, m[3])
	}
	if m := yamlWrongType.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		// The decoder cuts long values to a few bytes; the node has them whole.
		shown := strings.TrimSuffix(m[3], "...")
		ref, found := idx.find(line, false, func(r nodeRef) bool {
			switch m[2] {
			case "!!seq":
				return r.kind == yaml.SequenceNode
			case "!!map":
				return r.kind == yaml.MappingNode
			}
			return r.kind == yaml.ScalarNode && strings.HasPrefix(r.value, shown)
		})
		var got string
		switch {
		case m[2] == "!!seq":
			got = "một danh sách"
		case m[2] == "!!map":
			got = "một bảng các trường"
		case found && ref.kind == yaml.ScalarNode:
			got = fmt.Sprintf("%q", ref.value)
		default:
			got = fmt.Sprintf("%q", m[3])
		}
		return ref.path, fmt.Sprintf("sai kiểu dữ liệu (dòng %d): cần %s, không phải %s", line, wantedType(m[4]), got)
	}
	return "", "sai kiểu dữ liệu: " + msg
}

// wantedType names a Go type of the round file the way the people writing it think of it.
func wantedType(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "một danh sách"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.Contains(goType, "."):
		return "một bảng các trường"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "một số nguyên"
	case goType == "bool":
		return "true hoặc false"
	case goType == "string":
		return "một chuỗi ký tự"
	}
	return goType
}

func (f roundFile) validate() (Round, error) {
	var ps problems
	text := func(path, s string, required bool, max int) string {
		s = NFC(s)
		if s == "" && required {
			ps.add(path, "bắt buộc phải có")
		}
		if msg := checkText(s, max); msg != "" {
			ps.add(path, "%s", msg)
		}
		return s
	}
	r := Round{
		Track:              strings.TrimSpace(f.Track),
		Organization:       text("organization", f.Organization, true, 200),
		ParentOrganization: text("parent_organization", f.ParentOrganization, false, 200),
		Title:              text("title", f.Title, true, 300),
		Place:              text("place", f.Place, false, 100),
		Timezone:           strings.TrimSpace(f.Timezone),
	}
	switch r.Track {
	case "":
		r.Track = TrackParty
	case TrackParty, TrackState:
	default:
		ps.add("track", "phải là party (Quy định 96-QĐ/TW) hoặc state (Nghị quyết 96/2023/QH15), không phải %q", f.Track)
	}
	if r.Timezone == "" {
		r.Timezone = DefaultTimezone
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		ps.add("timezone", "múi giờ không hợp lệ %q (ví dụ: Asia/Ho_Chi_Minh)", r.Timezone)
		loc = nil
	}

	var vote time.Time
	r.VoteDate = strings.TrimSpace(f.VoteDate)
	if r.VoteDate == "" {
		ps.add("vote_date", "bắt buộc phải có ngày lấy phiếu (YYYY-MM-DD)")
	} else if d, err := time.Parse(time.DateOnly, r.VoteDate); err != nil {
		ps.add("vote_date", "ngày không hợp lệ %q (dạng YYYY-MM-DD)", r.VoteDate)
	} else if loc != nil {
		vote = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	}

	id := strings.TrimSpace(f.ID)
	if id == "" && r.Organization != "" {
		id = GenerateID(r.Organization, r.Title, r.VoteDate)
	}
	if id != "" && !roundIDPattern.MatchString(id) {
		ps.add("id", "mã đợt %q chỉ gồm chữ thường không dấu, số và dấu gạch ngang, tối đa 64 ký tự", id)
	}
	r.ID = id

	if f.Summoned == nil {
		ps.add("summoned", "bắt buộc phải có số người được triệu tập")
	} else if *f.Summoned < 1 {
		ps.add("summoned", "số người được triệu tập phải lớn hơn 0, không phải %d", *f.Summoned)
	} else {
		r.Summoned = *f.Summoned
	}

	// Deadlines: a date is the end of that day in the round's time zone.
	for _, k := range slices.Sorted(maps.Keys(f.Deadlines)) { // sorted: the same file gives the same answer
		switch k {
		case DeadlineDossier, DeadlineExplanationRequest, DeadlineExplanation, DeadlinePacket:
		case DeadlineList, DeadlineFrontOpinions:
			if r.Track != TrackState {
				ps.add("deadlines."+k, "bước này chỉ có ở kỳ họp của Quốc hội, Hội đồng nhân dân (track: state)")
			}
		default:
			ps.add("deadlines."+k, "hạn không được hỗ trợ (chỉ dossier, explanation_request, explanation, packet; với track: state còn list, front_opinions)")
		}
	}
	// Given deadlines are read even when the vote date is wrong, so that their own mistakes are
	// listed in the same answer.
	var defaults map[string]time.Time
	if !vote.IsZero() {
		defaults = defaultDeadlines(r.Track, vote)
	}
	deadlineLoc := loc
	if deadlineLoc == nil {
		deadlineLoc = time.UTC
	}
	set := func(name string, dst *Deadline) {
		given := strings.TrimSpace(f.Deadlines[name])
		if given == "" {
			if at, ok := defaults[name]; ok {
				*dst = Deadline{At: at.UTC(), Source: "default"}
			}
			return
		}
		at, err := ParseDeadline(given, deadlineLoc)
		if err != nil {
			ps.add("deadlines."+name, "%v", err)
			return
		}
		if !vote.IsZero() && !at.Before(vote) {
			ps.add("deadlines."+name, "hạn %s phải trước ngày lấy phiếu %s", given, vote.Format("02/01/2006"))
			return
		}
		*dst = Deadline{At: at.UTC(), Given: given, Source: "file"}
	}
	set(DeadlineDossier, &r.Deadlines.Dossier)
	set(DeadlineExplanationRequest, &r.Deadlines.ExplanationRequest)
	set(DeadlineExplanation, &r.Deadlines.Explanation)
	set(DeadlinePacket, &r.Deadlines.Packet)
	if r.Track == TrackState {
		set(DeadlineList, &r.Deadlines.List)
		set(DeadlineFrontOpinions, &r.Deadlines.FrontOpinions)
	}

	if f.Required == nil {
		r.Required = []Kind{KindSelfAssessment, KindAssetDeclaration}
	} else {
		r.Required = []Kind{} // "required: []" means nothing is required, not "use the default"
	}
	seenKind := map[Kind]bool{}
	for i, s := range f.Required {
		k, err := ParseKind(strings.TrimSpace(s))
		path := fmt.Sprintf("required[%d]", i)
		switch {
		case err != nil:
			ps.add(path, "%v", err)
		case k == KindExplanation || k == KindExplanationRequest:
			ps.add(path, "%s chỉ cần khi có đề nghị giải trình, không thể là tài liệu bắt buộc", k)
		case seenKind[k]:
			ps.add(path, "loại tài liệu %s bị lặp", k)
		default:
			seenKind[k] = true
			r.Required = append(r.Required, k)
		}
	}

	r.Rules = Rules{Denominator: f.Rules.Denominator, BlankRow: f.Rules.BlankRow, AcceptLate: f.Rules.AcceptLate}
	switch r.Rules.Denominator {
	case "":
		r.Rules.Denominator = DenominatorSummoned
	case DenominatorSummoned, DenominatorPresent, DenominatorCollected, DenominatorValidForPerson:
	default:
		ps.add("rules.denominator", "phải là summoned, present, collected hoặc valid_for_person, không phải %q", f.Rules.Denominator)
	}
	switch r.Rules.BlankRow {
	case "":
		r.Rules.BlankRow = BlankRowVoidRow
	case BlankRowVoidRow, BlankRowVoidBallot:
	default:
		ps.add("rules.blank_row", "phải là void_row hoặc void_ballot, không phải %q", f.Rules.BlankRow)
	}

	alerts := DefaultAlerts()
	if f.Alerts != nil {
		alerts = *f.Alerts
	}
	seenLead := map[time.Duration]bool{}
	for i, s := range alerts {
		var l Lead
		if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
			ps.add(fmt.Sprintf("alerts[%d]", i), "%v", err)
			continue
		}
		if seenLead[l.D] {
			ps.add(fmt.Sprintf("alerts[%d]", i), "thời gian báo trước %s bị lặp", s)
			continue
		}
		seenLead[l.D] = true
		r.Alerts = append(r.Alerts, l)
	}

	for i, e := range f.Notify.Emails {
		a, err := mail.ParseAddress(strings.TrimSpace(e))
		if err != nil {
			ps.add(fmt.Sprintf("notify.emails[%d]", i), "địa chỉ thư điện tử không hợp lệ %q", e)
			continue
		}
		r.Notify.Emails = append(r.Notify.Emails, a.Address)
	}
	if w := strings.TrimSpace(f.Notify.Webhook); w != "" {
		u, err := url.Parse(w)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ps.add("notify.webhook", "địa chỉ webhook phải là URL http(s), không phải %q", w)
		} else {
			r.Notify.Webhook = w
		}
	}
	r.Notify.WebhookSecret = f.Notify.WebhookSecret

	r.Publication = strings.ToLower(strings.TrimSpace(f.Publication))
	switch r.Publication {
	case "":
		r.Publication = PublicationInternal
		if r.Track == TrackState {
			r.Publication = PublicationPublic
		}
	case PublicationPublic, PublicationInternal:
	default:
		ps.add("publication", "phải là public (công bố công khai) hoặc internal (không công bố), không phải %q", f.Publication)
	}
	r.Packet = f.packetKinds(&ps)
	for i, b := range f.Basis {
		path := fmt.Sprintf("basis[%d]", i)
		b = strings.Join(strings.Fields(NFC(b)), " ")
		if b == "" {
			ps.add(path, "căn cứ trống; hãy ghi tên văn bản (ví dụ: Kế hoạch số 104-KH/TU ngày 01/11/2028 của Ban Thường vụ Tỉnh ủy)")
			continue
		}
		if msg := checkText(b, 500); msg != "" {
			ps.add(path, "%s", msg)
			continue
		}
		r.Basis = append(r.Basis, b)
	}
	if len(f.Basis) > maxBasis {
		ps.add("basis", "tối đa %d căn cứ, tệp có %d", maxBasis, len(f.Basis))
	}
	r.Report = ReportOptions{CombinedShare: f.Report.CombinedShare}

	r.Nominees = f.validateNominees(&ps, r.Track, vote)
	if len(r.Nominees) > 0 && len(r.OnBallot()) == 0 {
		ps.add("nominees", "không còn ai để lấy phiếu: tất cả đều thuộc diện không lấy phiếu")
	}
	if err := ps.err(); err != nil {
		return Round{}, err
	}
	return r, nil
}

// maxBasis bounds the texts a report cites; a real report cites one to three.
const maxBasis = 20

// packetKinds reads the kinds sent to the voters: absent means the default, "packet: []" means
// the summaries alone. A request for explanation is never sent: it names who asked, which the
// person and the voters may not see (DOMAIN.md).
func (f roundFile) packetKinds(ps *problems) []Kind {
	if f.Packet == nil {
		return DefaultPacket()
	}
	out := []Kind{}
	seen := map[Kind]bool{}
	for i, s := range *f.Packet {
		path := fmt.Sprintf("packet[%d]", i)
		k, err := ParseKind(strings.TrimSpace(s))
		switch {
		case err != nil:
			ps.add(path, "%v", err)
		case k == KindExplanationRequest:
			ps.add(path, "đề nghị giải trình không gửi cho người tham gia lấy phiếu: văn bản này cho biết người đề nghị, chỉ Ban Tổ chức được biết")
		case seen[k]:
			ps.add(path, "loại tài liệu %s bị lặp", k)
		default:
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (f roundFile) validateNominees(ps *problems, track string, vote time.Time) []Nominee {
	if len(f.Nominees) == 0 {
		ps.add("nominees", "danh sách người được lấy phiếu trống")
		return nil
	}
	var out []Nominee
	ids := map[string]int{}
	for i, nf := range f.Nominees {
		path := fmt.Sprintf("nominees[%d]", i)
		n := Nominee{
			ID:              strings.TrimSpace(nf.ID),
			Name:            NFC(nf.Name),
			Position:        NFC(nf.Position),
			Appointed:       strings.TrimSpace(nf.Appointed),
			Retiring:        nf.Retiring,
			SickLeaveMonths: nf.SickLeaveMonths,
			Exempt:          NFC(nf.Exempt),
		}
		n.Name = strings.Join(strings.Fields(n.Name), " ")
		if n.Name == "" {
			ps.add(path+".name", "bắt buộc phải có họ và tên")
		} else if msg := checkText(n.Name, 100); msg != "" {
			ps.add(path+".name", "%s", msg)
		}
		if msg := checkText(n.Position, 300); msg != "" {
			ps.add(path+".position", "%s", msg)
		}
		if msg := checkText(n.Exempt, 300); msg != "" {
			ps.add(path+".exempt", "%s", msg)
		}
		if n.ID == "" {
			// A long name must not produce an id the pattern below refuses.
			n.ID = Slug(n.Name)
			if len(n.ID) > 32 {
				n.ID = strings.TrimRight(n.ID[:32], "-")
			}
		}
		if !nomineeIDPattern.MatchString(n.ID) {
			ps.add(path+".id", "mã người %q chỉ gồm chữ cái không dấu, số, '-' và '_', tối đa 32 ký tự", n.ID)
		} else if j, dup := ids[n.ID]; dup {
			ps.add(path+".id", "mã người %q trùng với nominees[%d]", n.ID, j)
		} else {
			ids[n.ID] = i
		}
		var reasons []string
		if n.Appointed != "" {
			d, err := time.Parse(time.DateOnly, n.Appointed)
			switch {
			case err != nil:
				ps.add(path+".appointed", "ngày không hợp lệ %q (dạng YYYY-MM-DD)", n.Appointed)
			case !vote.IsZero() && d.After(time.Date(vote.Year(), vote.Month(), vote.Day(), 0, 0, 0, 0, time.UTC)):
				ps.add(path+".appointed", "ngày bầu/bổ nhiệm %s sau ngày lấy phiếu", d.Format("02/01/2006"))
			case !vote.IsZero() && d.Year() == vote.Year():
				reasons = append(reasons, fmt.Sprintf("Mới được bầu/bổ nhiệm trong năm %d (ngày %s)", d.Year(), d.Format("02/01/2006")))
			}
		}
		if n.Retiring {
			reasons = append(reasons, "Đã có thông báo nghỉ hưu / nghỉ chờ hưu")
		}
		if n.SickLeaveMonths < 0 {
			ps.add(path+".sick_leave_months", "số tháng nghỉ không thể âm")
		} else if n.SickLeaveMonths > 0 && track != TrackState {
			ps.add(path+".sick_leave_months", "chỉ áp dụng cho Quốc hội, Hội đồng nhân dân (track: state); với đợt của Đảng hãy ghi lý do vào exempt")
		} else if n.SickLeaveMonths >= 6 {
			reasons = append(reasons, fmt.Sprintf("Ốm đau phải điều trị có xác nhận, nghỉ làm việc %d tháng liên tục", n.SickLeaveMonths))
		}
		if n.Exempt != "" {
			reasons = append(reasons, n.Exempt)
		}
		n.ExemptReason = strings.Join(reasons, "; ")
		out = append(out, n)
	}
	return out
}

// checkText refuses what the generated documents cannot show: characters outside the Basic
// Multilingual Plane (the PDF font cannot draw them), control characters and over-long text.
func checkText(s string, max int) string {
	if len([]rune(s)) > max {
		return fmt.Sprintf("dài quá %d ký tự", max)
	}
	for _, r := range s {
		if r > 0xFFFF {
			return fmt.Sprintf("có ký tự %q (U+%04X) không thể in trên biên bản", r, r)
		}
		if r < 0x20 || r == 0x7F || r == '\uFFFD' {
			return fmt.Sprintf("có ký tự điều khiển hoặc lỗi mã hóa (U+%04X)", r)
		}
	}
	return ""
}

// ParseDeadline reads a deadline: a date (the end of that day in loc), a local date and time
// ("2028-12-12T17:00" or "2028-12-12 17:00"), or an RFC 3339 instant.
func ParseDeadline(s string, loc *time.Location) (time.Time, error) {
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("hạn không hợp lệ %q (dạng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM)", s)
}

// defaultDeadlines counts back from the vote date (DOMAIN.md). Party track: dossier 20 days,
// packet sent 15, requests for explanation 10, explanations 3. State track, from the session's
// opening: list 45, reports filed 30, the Fatherland Front's opinions 25, reports sent to the
// delegates 20, requests 10, explanations 3. Each is the end of that day.
func defaultDeadlines(track string, vote time.Time) map[string]time.Time {
	endOf := func(days int) time.Time { return vote.AddDate(0, 0, -days+1).Add(-time.Nanosecond) }
	if track == TrackState {
		return map[string]time.Time{
			DeadlineList:               endOf(45),
			DeadlineDossier:            endOf(30),
			DeadlineFrontOpinions:      endOf(25),
			DeadlinePacket:             endOf(20),
			DeadlineExplanationRequest: endOf(10),
			DeadlineExplanation:        endOf(3),
		}
	}
	return map[string]time.Time{
		DeadlineDossier:            endOf(20),
		DeadlinePacket:             endOf(15),
		DeadlineExplanationRequest: endOf(10),
		DeadlineExplanation:        endOf(3),
	}
}
