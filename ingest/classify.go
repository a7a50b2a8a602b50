package ingest

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"tinnhiem/dossier"
)

// Declared is what the uploader said about a document; empty fields were not declared.
// Nominee is a roster id (a name is accepted too).
type Declared struct {
	Kind    dossier.Kind
	Nominee string
}

// Recognition is what the content of a document says about it.
type Recognition struct {
	Kind              dossier.Kind
	KindConfidence    float64  // 0..1
	Nominee           string   // roster id; "" when none or ambiguous
	NomineeConfidence float64  // 0..1
	Candidates        []string // roster ids considered when the nominee is ambiguous
	Warnings          []string // codes, see the Warn constants
	MissingCriteria   []string // self-assessment criteria not addressed (CriterionCodes)
	RequestRef        string   // explanation / request: the request's number, date or subject
	Reason            string   // rejection code ("unknown_nominee") or ""
	// OffRosterOwners are the names, as the content writes them, that stand where a paper says
	// whose it is (name field, signature of its author, person asked to explain…) but are nobody
	// on the roster ("Trần Văn Bình"; "Trần Lê Văn Tâm", who is not Lê Văn Tâm). With a declared
	// nominee they raise nominee_mismatch; without one, and no roster person in such a place,
	// they make the paper nobody's on the roster (unknown_nominee).
	OffRosterOwners []string
	// Requester is, for an explanation request only, who asks: the name as the paper writes it
	// (NFC, spaces collapsed, capitals kept), on the roster or not; several are joined by ", ".
	// It is "" where the paper does not say — a body forwarding voters' opinions, signed on its
	// behalf — and never the person asked to explain.
	Requester string
	// NotDossier: the content plainly is a paper of another kind than the dossier's, one an
	// office issues (a notice, an invitation, a decision, a plan, a letter…); Title names it.
	NotDossier bool
	Title      string
	// NomineeTwins are the roster persons whose names differ from the nominee's only by their
	// diacritics ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng").
	NomineeTwins []string
	// Suggested is, when the nominee is ambiguous, the roster person the evidence plainly favours
	// (see nomineePick.suggest), for whoever confirms the paper; "" when none does. It is never
	// the nominee: a verdict may offer it, not count it.
	Suggested string
}

// Warning and rejection codes of a Recognition.
const (
	WarnKindMismatch     = "kind_mismatch"
	WarnNomineeMismatch  = "nominee_mismatch"
	WarnAmbiguousNominee = "ambiguous_nominee"
	WarnKindUncertain    = "kind_uncertain"
	// WarnNomineeVariant: the person was found only under a spelling whose diacritics differ from
	// the roster's — a typo, or somebody else with a similar name.
	WarnNomineeVariant = "nominee_name_variant"
	// WarnMissingCriterion is followed by the criterion code.
	WarnMissingCriterion = "missing_criterion:"
	ReasonUnknownNominee = "unknown_nominee"
)

// Confidence below which the kind read from the content is flagged for review.
const kindUncertainBelow = 0.55

// Recognize reads a document's text and says which kind of dossier document it is and whose.
// Declared values are kept; where the content clearly says otherwise a warning asks a person to
// review. It never fails: an unreadable text gives kind "other", low confidences and, with no
// declared nominee, the rejection reason unknown_nominee.
func Recognize(text string, roster []Person, declared Declared) Recognition {
	return recognize(text, roster, declared, nil)
}

// Recognizer recognises and decides as Recognize and Decide do, and keeps the rosters it
// compiled last (names folded, syllable keys, the trie of names), so that the documents of one
// round — which come in bursts — pay for its roster once rather than each: 17 ms a document for
// a 5,000-person round, more than all the rest of recognition. What it gives is what Recognize
// and Decide give. The ingest worker holds one; its zero value is ready, and it is safe for
// concurrent use (not to be copied once used).
type Recognizer struct{ rosters rosterCache }

// Recognize is Recognize with the rosters kept.
func (rc *Recognizer) Recognize(text string, roster []Person, declared Declared) Recognition {
	return recognize(text, roster, declared, &rc.rosters)
}

// Decide is Decide with the rosters kept.
func (rc *Recognizer) Decide(d dossier.Document, r dossier.Round, ex Extraction) dossier.Document {
	return decide(d, r, ex, &rc.rosters)
}

// recognize is Recognize, compiling the roster through cache (nil: compiled for this text).
func recognize(text string, roster []Person, declared Declared, cache *rosterCache) Recognition {
	rz := sharedRecognizer()
	v := newTextView(text)
	defer v.release()
	ks := rz.scoreKinds(v)
	detected, kconf := ks.best()

	var rec Recognition
	if declared.Kind != "" {
		rec.Kind = declared.Kind
		switch {
		case detected != declared.Kind && ks.clear(detected, kconf):
			rec.Warnings = append(rec.Warnings, WarnKindMismatch)
			rec.KindConfidence = 1 - kconf
		case detected == declared.Kind:
			rec.KindConfidence = math.Max(kconf, 0.9)
		default:
			rec.KindConfidence = 0.8
		}
	} else {
		rec.Kind = detected
		rec.KindConfidence = kconf
		if kconf < kindUncertainBelow {
			rec.Warnings = append(rec.Warnings, WarnKindUncertain)
		}
	}

	// Whose name counts depends on the document's structure, so read it as the content says
	// unless the content is unsure.
	cueKind := detected
	if kconf < kindUncertainBelow && declared.Kind != "" {
		cueKind = declared.Kind
	}
	ro := cache.get(roster)
	nm := rz.pickNominee(v, ro, cueKind, heading{titleLine: ks.titleLine,
		issued: cueKind == dossier.KindOther && ks.otherTitle})
	settleNominee(&rec, ro, nm, declared)

	if detected == dossier.KindOther && ks.clear(detected, kconf) && !ks.personal {
		rec.NotDossier, rec.Title = true, ks.otherCue
	}
	if rec.Kind == dossier.KindSelfAssessment && !slices.Contains(rec.Warnings, WarnKindMismatch) {
		rec.MissingCriteria = ks.missing
		for _, c := range rec.MissingCriteria {
			rec.Warnings = append(rec.Warnings, WarnMissingCriterion+c)
		}
	}
	if rec.Kind == dossier.KindExplanation || rec.Kind == dossier.KindExplanationRequest {
		rec.RequestRef = requestRef(v, rec.Kind)
	}
	if rec.Kind == dossier.KindExplanationRequest {
		rec.Requester = rz.requester(v, ro)
	}
	return rec
}

// settleNominee combines what the content says with what was declared.
func settleNominee(rec *Recognition, ro *roster, nm nomineePick, declared Declared) {
	ids := func(idx []int) []string {
		out := make([]string, len(idx))
		for i, x := range idx {
			out[i] = ro.people[x].ID
		}
		return out
	}
	if nm.ambiguous {
		rec.Candidates = ids(nm.candidates)
	}
	rec.OffRosterOwners = nm.unlisted
	if declared.Nominee == "" {
		switch {
		case nm.person >= 0:
			rec.Nominee = ro.people[nm.person].ID
			for _, q := range ro.twins[nm.person] {
				rec.NomineeTwins = append(rec.NomineeTwins, ro.people[q].ID)
			}
			rec.NomineeConfidence = nm.conf
			if nm.variant {
				rec.Warnings = append(rec.Warnings, WarnNomineeVariant)
			}
		case nm.ambiguous:
			rec.Warnings = append(rec.Warnings, WarnAmbiguousNominee)
			if p := nm.suggest(ro); p >= 0 {
				rec.Suggested = ro.people[p].ID
			}
		default:
			rec.Reason = ReasonUnknownNominee
		}
		return
	}
	rec.Nominee = declared.Nominee
	d := ro.resolve(declared.Nominee)
	if d >= 0 {
		rec.Nominee = ro.people[d].ID
	}
	switch {
	case nm.person >= 0 && nm.person == d:
		rec.NomineeConfidence = math.Max(nm.conf, 0.9)
	case nm.person >= 0 && nm.conf >= 0.5 && nm.score(d) < 0.5*nm.best:
		rec.Warnings = append(rec.Warnings, WarnNomineeMismatch)
		rec.NomineeConfidence = 1 - nm.conf
	case nm.ambiguous && !slices.Contains(nm.candidates, d):
		rec.Warnings = append(rec.Warnings, WarnNomineeMismatch)
		rec.NomineeConfidence = 0.3
	default:
		rec.NomineeConfidence = 0.8
	}
	// The content names as its owner somebody else, on the roster or not at all.
	other := slices.ContainsFunc(nm.owned, func(p int) bool { return p != d })
	if (other || len(nm.unlisted) > 0) && !slices.Contains(rec.Warnings, WarnNomineeMismatch) {
		rec.Warnings = append(rec.Warnings, WarnNomineeMismatch)
		rec.NomineeConfidence = math.Min(rec.NomineeConfidence, 0.3)
	}
}

// recognizer holds the compiled vocabulary; it is built once and only read.
type recognizer struct {
	titles    *phraseSet
	titleCues []titleCue
	body      *phraseSet
	bodyCues  []bodyCue
	names     *phraseSet
	nameCues  []nameCue
	criteria  *criteriaMatcher
	// askerCues are nameCues followed by askerExtras; askers finds them (ids are indices).
	askerCues []nameCue
	askers    *phraseSet
}

var sharedRecognizer = sync.OnceValue(newRecognizer)

func newRecognizer() *recognizer {
	rz := &recognizer{titleCues: titleCues(), bodyCues: bodyCues(), nameCues: nameCues()}
	var ph []phrase
	for _, c := range rz.titleCues {
		ph = append(ph, newPhrase(c.text))
	}
	rz.titles = newPhraseSet(ph)
	ph = nil
	for _, c := range rz.bodyCues {
		ph = append(ph, newPhrase(c.text))
	}
	rz.body = newPhraseSet(ph)
	ph = nil
	for _, c := range rz.nameCues {
		ph = append(ph, newPhrase(c.text))
	}
	rz.names = newPhraseSet(ph)
	rz.askerCues = append(slices.Clone(rz.nameCues), askerExtras()...)
	ph = nil
	for _, c := range rz.askerCues {
		ph = append(ph, newPhrase(c.text))
	}
	rz.askers = newPhraseSet(ph)
	rz.criteria = newCriteriaMatcher()
	joinVocabulary(rz.titles, rz.body, rz.names, rz.askers, rz.criteria.set, rz.criteria.family, rz.criteria.anchor)
	return rz
}

// nKinds is the number of kinds scored; kindOrder fixes their order, which breaks ties.
const nKinds = 5

func kindOrder() [nKinds]dossier.Kind {
	return [nKinds]dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration,
		dossier.KindExplanationRequest, dossier.KindExplanation, dossier.KindOther}
}

func kindIndex(k dossier.Kind) int {
	for i, x := range kindOrder() {
		if x == k {
			return i
		}
	}
	return nKinds - 1
}

// kindScores is the evidence for each kind; otherTitle records that the document's own title
// names a kind of paper outside the dossier.
type kindScores struct {
	s          [nKinds]float64
	otherTitle bool
	titleLine  int // line of the document's own title, -1 when none was found
	// otherCue is the title of another kind that decided (its wording, "giấy mời"); personal
	// marks one about a person's own record (a curriculum vitae, an appraisal), which may belong
	// in a dossier as "other".
	otherCue string
	personal bool
	// missing: the self-assessment criteria the text does not address (criteriaMatcher.missing).
	missing []string
}

// best returns the kind with most evidence and a confidence from its strength and its lead.
func (ks kindScores) best() (dossier.Kind, float64) {
	b, c := -1, -1
	for i := range ks.s {
		switch {
		case b < 0 || ks.s[i] > ks.s[b]:
			b, c = i, b
		case c < 0 || ks.s[i] > ks.s[c]:
			c = i
		}
	}
	best, second := ks.s[b], ks.s[c]
	if best <= 0 {
		return dossier.KindOther, 0
	}
	conf := best / (best + second) * (1 - math.Exp(-best/4))
	return kindOrder()[b], conf
}

// clear reports whether the content says its kind plainly enough to contradict a declaration.
func (ks kindScores) clear(k dossier.Kind, conf float64) bool {
	if conf < 0.6 || ks.s[kindIndex(k)] < 4 {
		return false
	}
	return k != dossier.KindOther || ks.otherTitle
}

// titleCue is a document title. lead marks subject lines ("V/v …") that are a title wherever
// their line starts with them; generic marks a type such as "THÔNG BÁO" whose subtitle decides.
type titleCue struct {
	kind     dossier.Kind
	text     string
	w        float64
	lead     bool
	generic  bool
	personal bool // a person's own record: curriculum vitae, appraisal, certificate
}

func titleCues() []titleCue {
	sa, ad := dossier.KindSelfAssessment, dossier.KindAssetDeclaration
	rq, ex, ot := dossier.KindExplanationRequest, dossier.KindExplanation, dossier.KindOther
	c := func(k dossier.Kind, w float64, texts ...string) []titleCue {
		var out []titleCue
		for _, t := range texts {
			out = append(out, titleCue{kind: k, text: t, w: w})
		}
		return out
	}
	lead := func(k dossier.Kind, w float64, texts ...string) []titleCue {
		out := c(k, w, texts...)
		for i := range out {
			out[i].lead = true
		}
		return out
	}
	var all []titleCue
	for _, g := range [][]titleCue{
		c(sa, 10, "báo cáo tự đánh giá", "bản tự đánh giá", "báo cáo của người được lấy phiếu tín nhiệm",
			"báo cáo cá nhân của người được lấy phiếu", "bản tự kiểm điểm", "báo cáo tự kiểm điểm",
			"báo cáo tự nhận xét", "bản tự nhận xét"),
		c(sa, 9, "báo cáo kiểm điểm", "bản kiểm điểm", "tự nhận xét, đánh giá", "tự đánh giá, nhận xét"),
		c(sa, 8, "báo cáo kết quả thực hiện chức trách, nhiệm vụ", "tự đánh giá kết quả",
			"báo cáo đánh giá kết quả thực hiện chức trách"),
		c(sa, 7, "kiểm điểm cá nhân", "tự kiểm điểm", "tự đánh giá"),
		c(sa, 6, "kết quả thực hiện chức trách, nhiệm vụ"),
		c(ad, 10, "bản kê khai tài sản, thu nhập", "bản kê khai tài sản", "mẫu bản kê khai"),
		c(ad, 9, "kê khai tài sản, thu nhập"),
		c(ad, 8, "bản kê khai"),
		c(ad, 7, "kê khai tài sản", "kê khai bổ sung", "kê khai lần đầu", "kê khai hằng năm",
			"kê khai phục vụ công tác cán bộ"),
		c(ad, 6, "giải trình nguồn gốc", "biến động tài sản"),
		c(rq, 10, "đề nghị giải trình", "ý kiến đề nghị giải trình", "phiếu đề nghị giải trình",
			"văn bản đề nghị giải trình", "chuyển ý kiến đề nghị giải trình", "phiếu ghi ý kiến đề nghị giải trình",
			"đơn đề nghị giải trình", "đơn yêu cầu giải trình", "thông báo ý kiến đề nghị giải trình",
			"công văn đề nghị giải trình"),
		c(rq, 9, "yêu cầu giải trình", "tổng hợp ý kiến đề nghị giải trình", "đề nghị làm rõ"),
		lead(rq, 10, "v/v đề nghị giải trình", "về việc đề nghị giải trình", "v/v chuyển ý kiến đề nghị giải trình",
			"về việc chuyển ý kiến đề nghị giải trình", "v/v yêu cầu giải trình", "về việc yêu cầu giải trình",
			"v/v chuyển đề nghị giải trình", "v/v đề nghị làm rõ"),
		c(ex, 10, "báo cáo giải trình", "bản giải trình", "báo cáo làm rõ", "báo cáo tiếp thu, giải trình",
			"trả lời ý kiến đề nghị giải trình", "giải trình ý kiến đề nghị"),
		c(ex, 9, "văn bản giải trình", "báo cáo trả lời"),
		c(ex, 8, "tiếp thu, giải trình", "giải trình ý kiến", "giải trình về", "giải trình nội dung"),
		c(ex, 7, "giải trình"),
		lead(ex, 10, "v/v giải trình", "về việc giải trình", "v/v trả lời", "về việc trả lời", "v/v báo cáo giải trình"),
		c(ot, 10, "sơ yếu lý lịch", "báo cáo kết quả lấy phiếu tín nhiệm", "báo cáo kết quả kiểm phiếu",
			"phiếu lấy phiếu tín nhiệm", "phiếu tín nhiệm"),
		c(ot, 9, "quyết định", "biên bản", "kế hoạch", "tờ trình", "nghị quyết", "danh sách", "giấy mời",
			"hướng dẫn", "quy chế", "giấy giới thiệu", "báo cáo tổng kết", "giấy xác nhận", "thông tri",
			"chỉ thị"),
		c(ot, 8, "lý lịch", "quy định", "chương trình", "giấy chứng nhận", "bản nhận xét", "nhận xét, đánh giá cán bộ",
			"đơn đề nghị", "đơn kiến nghị", "đơn tố cáo", "đơn xin", "bảng tổng hợp", "tờ khai",
			"báo cáo tình hình", "báo cáo chính trị", "kết luận", "lịch sử bản thân"),
	} {
		all = append(all, g...)
	}
	for _, g := range []struct {
		text string
		w    float64
	}{{"thông báo", 6}, {"công văn", 4}} {
		all = append(all, titleCue{kind: ot, text: g.text, w: g.w, generic: true})
	}
	for i := range all {
		switch all[i].text {
		case "sơ yếu lý lịch", "lý lịch", "lịch sử bản thân", "bản nhận xét", "nhận xét, đánh giá cán bộ",
			"giấy chứng nhận", "giấy xác nhận", "tờ khai":
			all[i].personal = true
		}
	}
	return all
}

// bodyCue is wording typical of one kind's content, counted once per document.
type bodyCue struct {
	kind dossier.Kind
	text string
	w    float64
}

func bodyCues() []bodyCue {
	var all []bodyCue
	add := func(k dossier.Kind, pairs ...any) {
		for i := 0; i+1 < len(pairs); i += 2 {
			all = append(all, bodyCue{kind: k, text: pairs[i].(string), w: pairs[i+1].(float64)})
		}
	}
	add(dossier.KindSelfAssessment,
		"tự đánh giá", 1.5, "tự nhận xét", 1.0, "tự kiểm điểm", 1.5, "ưu điểm", 1.0, "hạn chế", 0.5,
		"khuyết điểm", 1.0, "biện pháp khắc phục", 1.0, "giải pháp khắc phục", 1.0, "hướng khắc phục", 1.0,
		"phương hướng", 0.5, "bản thân", 0.7, "tự xếp loại", 1.0, "tự nhận mức", 1.0,
		"nêu gương", 0.7, "học tập và làm theo", 0.5, "đoàn kết nội bộ", 0.5, "trách nhiệm nêu gương", 0.7)
	add(dossier.KindAssetDeclaration,
		"nhà ở", 1.0, "quyền sử dụng đất", 1.5, "tổng thu nhập", 1.5, "người kê khai", 1.0,
		"người nhận bản kê khai", 2.0, "thông tin mô tả về tài sản", 1.5, "diện tích", 0.5,
		"giấy chứng nhận quyền sử dụng", 1.0, "kim khí quý", 1.5, "đá quý", 1.0, "ô tô", 0.5, "xe máy", 0.5,
		"tài khoản ở nước ngoài", 1.5, "tài sản ở nước ngoài", 1.0, "cổ phiếu", 0.7, "trái phiếu", 0.7,
		"vốn góp", 0.7, "biến động tài sản", 1.5, "tài sản, thu nhập tăng thêm", 1.0, "nơi thường trú", 0.5,
		"căn cước công dân", 0.5, "con chưa thành niên", 1.0, "thời điểm kê khai", 1.5, "tiền việt nam", 0.7,
		"ngoại tệ", 0.7, "tổng giá trị", 0.5, "đất ở", 0.7, "các loại đất khác", 0.7, "đất nông nghiệp", 0.5,
		"công trình xây dựng", 0.7, "tài sản khác", 0.5, "giá trị", 0.3, "năm sinh", 0.3,
		"cam đoan những thông tin kê khai", 1.5, "kê khai tài sản", 0.5)
	add(dossier.KindExplanation,
		"xin giải trình", 2.5, "tôi xin giải trình", 3.0, "giải trình như sau", 2.0, "xin được giải trình", 2.5,
		"xin báo cáo, giải trình", 2.5, "giải trình cụ thể", 1.0, "tiếp thu", 1.0, "xin tiếp thu", 1.5,
		"tôi xin báo cáo", 1.0, "người giải trình", 2.0, "theo đề nghị giải trình của", 1.5,
		"về nội dung thứ", 0.5, "trả lời", 1.0, "xin trân trọng cảm ơn", 0.3, "tôi xin cam đoan", 0.5,
		"nội dung được đề nghị giải trình", 1.0, "thực hiện đề nghị", 0.7, "xin nghiêm túc", 1.0,
		"đã được nhận", 0.3, "nhận được văn bản", 0.7)
	add(dossier.KindExplanationRequest,
		"đề nghị đồng chí", 1.5, "đề nghị giải trình", 1.5, "nội dung đề nghị giải trình", 2.0,
		"người được đề nghị giải trình", 3.0, "người đề nghị", 2.0, "giải trình bằng văn bản", 1.5,
		"có văn bản giải trình", 1.5, "gửi văn bản giải trình", 1.5, "gửi về", 0.5, "trước ngày", 0.7,
		"ý kiến đề nghị giải trình", 1.5, "chuyển đến đồng chí", 1.5, "chuyển ý kiến", 1.5, "làm rõ", 1.0,
		"yêu cầu giải trình", 1.5, "đề nghị làm rõ", 1.5, "người ghi phiếu", 1.0, "nơi nhận", 0.5,
		"đề nghị đ/c", 1.5, "yêu cầu đồng chí", 1.5, "đại biểu", 0.3, "cử tri", 0.3, "để giải trình", 1.0)
	add(dossier.KindOther,
		"điều 1", 1.5, "điều 2", 1.0, "căn cứ", 0.3, "kết quả kiểm phiếu", 1.5, "ban kiểm phiếu", 1.5,
		"số phiếu", 1.0, "quê quán", 1.0, "dân tộc", 0.5, "tôn giáo", 0.5, "số phiếu phát ra", 1.5,
		"tỷ lệ", 0.5, "thành phần tham dự", 1.0, "chủ trì", 0.5)
	return all
}

// bodyCap bounds how much body wording can add to each kind, so that a real title still decides.
func bodyCap() [nKinds]float64 { return [nKinds]float64{7, 8, 7, 7, 5} }

// otherBase is the evidence "other" starts with: a text must say something to be a dossier paper.
const otherBase = 1.5

func (rz *recognizer) scoreKinds(v *textView) kindScores {
	ks := kindScores{titleLine: -1, missing: rz.criteria.missing(v)}
	ks.s[kindIndex(dossier.KindOther)] = otherBase
	if len(v.toks) == 0 {
		return ks
	}

	// Titles: the first title-like occurrence near the top is the document's own title; later
	// ones are headings or quotations ("theo đề nghị giải trình của …") and weigh little.
	top := max(220, len(v.toks)/4)
	var title [nKinds]float64
	headerEnd := v.headerEnd()
	ms := dropContained(v.find(rz.titles, false))
	rank0, strong := -1, false
	for i, m := range ms {
		if m.t0 < top && v.titleLike(m, rz.titleCues[m.id].lead, headerEnd) {
			rank0 = i
			break
		}
	}
	// Under a generic title ("THÔNG BÁO", "CÔNG VĂN") the subject that follows on the same or the
	// next lines says what the paper is ("Về việc đề nghị giải trình").
	sub := -1
	if rank0 >= 0 && rz.titleCues[ms[rank0].id].generic {
		line0 := v.toks[ms[rank0].t0].line
		for i := rank0 + 1; i < len(ms); i++ {
			m := ms[i]
			if v.toks[m.t0].line-line0 > 3 {
				break
			}
			if !rz.titleCues[m.id].generic && (sub < 0 || rz.titleCues[m.id].w > rz.titleCues[ms[sub].id].w) {
				sub = i
			}
		}
	}
	// A letter (công văn) has no title: the subject line under its number says what it is about.
	// When that subject names no dossier paper, the letter is one of the round's own papers
	// (a reminder, a forwarding note) and whatever it says about reports is quotation.
	strongKind := -1
	letter := false
	if rank0 < 0 {
		if l := v.subjectLine(headerEnd); l >= 0 {
			ks.titleLine = l
			for i, m := range ms {
				if ln := v.toks[m.t0].line; (ln == l || ln == l+1) && !rz.titleCues[m.id].generic &&
					(sub < 0 || rz.titleCues[m.id].w > rz.titleCues[ms[sub].id].w) {
					sub = i
				}
			}
			letter = !v.namesDossierPaper(l) && (sub < 0 || rz.titleCues[ms[sub].id].kind == dossier.KindOther)
		}
	}
	if letter {
		ot := kindIndex(dossier.KindOther)
		title[ot] = max(title[ot], letterTitleWeight)
		ks.otherTitle, strong, strongKind = true, true, ot
		ks.otherCue = "công văn"
		if sub >= 0 {
			ks.otherCue, ks.personal = rz.titleCues[ms[sub].id].text, rz.titleCues[ms[sub].id].personal
		}
	}
	for i, m := range ms {
		c := rz.titleCues[m.id]
		like := v.titleLike(m, c.lead, headerEnd)
		var f float64
		switch {
		case i == rank0:
			f = 1
			ks.titleLine = v.toks[m.t0].line
			// A title set apart — in capitals or on a line of its own — is the surest sign there is.
			if c.w >= 8 && !c.generic && v.standsAlone(m) {
				strong, f = true, 1.6
				strongKind = kindIndex(c.kind)
			}
			if c.kind == dossier.KindOther {
				ks.otherTitle = true
				ks.otherCue, ks.personal = c.text, c.personal
			}
		case i == sub:
			f = 0.9
			if c.kind == dossier.KindOther {
				ks.otherTitle = true
				if ks.otherCue == "" || rank0 < 0 || rz.titleCues[ms[rank0].id].generic {
					ks.otherCue, ks.personal = c.text, c.personal
				}
			}
		case like && m.t0 < top:
			f = 0.3
		case like || m.t0 < top:
			f = 0.25
		default:
			f = 0.08
		}
		k := kindIndex(c.kind)
		title[k] = math.Max(title[k], c.w*f)
	}

	var body [nKinds]float64
	seen := map[int]bool{}
	for _, m := range dropContained(v.find(rz.body, false)) {
		if seen[m.id] {
			continue
		}
		seen[m.id] = true
		c := rz.bodyCues[m.id]
		body[kindIndex(c.kind)] += c.w
	}
	sa := kindIndex(dossier.KindSelfAssessment)
	body[sa] += float64(len(criteria()) - len(ks.missing))
	for i := range ks.s {
		b := math.Min(body[i], bodyCap()[i])
		// Under a plain title of another kind, talk of this kind is quotation: a plan lists the
		// dossier papers, an explanation discusses the assets it explains.
		if strong && i != strongKind {
			b *= 0.5
		}
		ks.s[i] += title[i] + b
	}
	return ks
}

// letterTitleWeight is the evidence of a letter's subject line that names no dossier paper: as
// much as a plain title of another kind.
const letterTitleWeight = 8

// subjectLine returns the line of a letter's subject ("V/v …", "Về việc …") when it stands in the
// header block — at most a few lines under the number and date, before "Kính gửi" — or -1.
func (v *textView) subjectLine(headerEnd int) int {
	for l := 0; l < len(v.lines) && l <= headerEnd+3 && l < 20; l++ {
		f := v.lineText(l)
		if strings.HasPrefix(f, "kinh gui") {
			break
		}
		if strings.HasPrefix(f, "v v ") || strings.HasPrefix(f, "ve viec ") {
			return l
		}
	}
	return -1
}

// namesDossierPaper reports whether a subject line (with the line it may wrap onto) speaks of
// what the dossier papers do — an explanation, an answer, a declaration, a self-assessment — in
// words that need not be a title ("V/v báo cáo làm rõ nội dung đại biểu nêu").
func (v *textView) namesDossierPaper(l int) bool {
	f := v.lineText(l)
	if l+1 < len(v.lines) {
		f += " " + v.lineText(l+1)
	}
	for _, w := range []string{"giai trinh", "tra loi", "lam ro", "ke khai", "kiem diem", "danh gia",
		"nhan xet", "chuc trach"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// titleLike reports whether an occurrence stands where a title does: at the start of its line
// (after any numbering) and on a line in capitals or mostly made of it.
func (v *textView) titleLike(m span, lead bool, headerEnd int) bool {
	l := v.toks[m.t0].line
	ln := v.lines[l]
	upper := ln.upper+ln.lower > 0 && float64(ln.upper) >= 0.6*float64(ln.upper+ln.lower)
	// A title begins its line: only numbering or a form reference ("Mẫu số 01", "Phụ lục I") may
	// precede it. Mid-line words are agency names ("SỞ KẾ HOẠCH VÀ ĐẦU TƯ") or prose — except on a
	// short line in capitals below the header block ("PHIẾU GÓP Ý VÀ ĐỀ NGHỊ GIẢI TRÌNH").
	// Counted only as far as it decides: one word where none may precede, five where four may.
	limit := 1
	if !lead && upper && l > headerEnd && ln.end-ln.first <= 12 {
		limit = 5
	}
	off := 0
	for t := ln.first; t < m.t0 && off < limit; t++ {
		if !v.isNumbering(t) && !v.isFormWord(t) {
			off++
		}
	}
	if off > 0 {
		return !lead && upper && l > headerEnd && off <= 4 && ln.end-ln.first <= 12
	}
	if lead {
		return true
	}
	if upper {
		return true
	}
	words := 0
	for t := ln.first; t < ln.end; t++ {
		if !v.isNumbering(t) {
			words++
		}
	}
	covered := min(m.t1, ln.end) - m.t0
	return words > 0 && 2*covered >= words
}

// headerEnd is the last line of the header block — issuing body, national title or party name,
// number, place and date — before the first line of prose, or -1.
func (v *textView) headerEnd() int {
	end := -1
	for l := 0; l < len(v.lines) && l < 20; l++ {
		if v.lines[l].end-v.lines[l].first > 14 {
			break
		}
		f := v.lineText(l)
		if strings.Contains(f, "dang cong san viet nam") || strings.Contains(f, "cong hoa xa hoi chu nghia") ||
			strings.Contains(f, "doc lap tu do") || strings.HasPrefix(f, "so ") ||
			strings.Contains(f, "ngay") && strings.Contains(f, "thang") && strings.Contains(f, "nam") {
			end = l
		}
	}
	return end
}

// startsLine reports whether word t begins its line, after any numbering.
func (v *textView) startsLine(t int) bool {
	for u := v.lines[v.toks[t].line].first; u < t; u++ {
		if !v.isNumbering(u) {
			return false
		}
	}
	return true
}

// standsAlone reports whether a title occurrence is set apart: on a line in capitals, or covering
// most of its line.
func (v *textView) standsAlone(m span) bool {
	ln := v.lines[v.toks[m.t0].line]
	if ln.upper+ln.lower > 0 && float64(ln.upper) >= 0.6*float64(ln.upper+ln.lower) {
		return true
	}
	words := ln.end - ln.first
	return words > 0 && 5*(min(m.t1, ln.end)-m.t0) >= 4*words
}

// isFormWord reports the words of a form reference printed before a title.
// Compared with diacritics where the text has them: "SỞ KẾ HOẠCH" is an agency, "Số" a number.
func (v *textView) isFormWord(t int) bool {
	tk := v.toks[t]
	if !v.hasDiacritics() {
		switch string(v.fold[tk.start:tk.end]) {
		case "mau", "so", "phu", "luc", "bieu":
			return true
		}
		return false
	}
	return formWords().exact[v.tokenKey(t)]
}

var formWords = sync.OnceValue(func() wordSet { return newWordSet("mẫu số phụ lục biểu") })

// isNumbering reports list markers such as "1", "II", "a".
func (v *textView) isNumbering(t int) bool {
	w := v.fold[v.toks[t].start:v.toks[t].end]
	if len(w) == 1 {
		return true
	}
	digits, roman := true, len(w) <= 4
	for _, r := range w {
		if r < '0' || r > '9' {
			digits = false
		}
		if r != 'i' && r != 'v' && r != 'x' {
			roman = false
		}
	}
	return digits || roman
}

// nameCue is wording that says whose name follows. A role cue tells the part the person plays
// (declarant, receiver, requester…); a label only introduces a name ("Họ và tên:", "đồng chí").
type nameCue struct {
	text   string
	w      float64 // weight in documents of every kind but a request
	wReq   float64 // weight in an explanation request
	label  bool
	self   bool // the author speaking ("tôi"): cues before it are about somebody else
	honor  bool // an honorific: the name is mentioned, not signed
	sig    bool // a signature instruction ("Ký, ghi rõ họ tên")
	gap    int  // words allowed between the cue and the name
	column bool // a role that heads a signature column
	list   bool // introduces a list of names ("Kính gửi: - đồng chí A; - đồng chí B")
	asker  bool // the one who asks for an explanation ("người đề nghị", "ý kiến của đại biểu")
	// voter: a voter or delegate ("đại biểu", "cử tri"); who asks only as a field, a column
	// heading or the subject of asking (see askerExtras); weighed by the requester reader only.
	voter bool
}

func nameCues() []nameCue {
	var all []nameCue
	// Roles that head a signature column ("NGƯỜI KÊ KHAI", "T/M BAN TỔ CHỨC").
	column := func(w, wReq float64, gap int, texts ...string) {
		for _, t := range texts {
			all = append(all, nameCue{text: t, w: w, wReq: wReq, gap: gap, column: true})
		}
	}
	role := func(w, wReq float64, gap int, texts ...string) {
		for _, t := range texts {
			all = append(all, nameCue{text: t, w: w, wReq: wReq, gap: gap})
		}
	}
	// Who asks for an explanation: against the nominee everywhere, and read by requester.
	asker := func(column bool, w, wReq float64, gap int, texts ...string) {
		for _, t := range texts {
			all = append(all, nameCue{text: t, w: w, wReq: wReq, gap: gap, column: column, asker: true})
		}
	}
	label := func(w float64, gap int, texts ...string) {
		for _, t := range texts {
			all = append(all, nameCue{text: t, w: w, wReq: w, gap: gap, label: true})
		}
	}
	// In a request the one who says "tôi" is the one asking.
	self := func(w float64, gap int, texts ...string) {
		for _, t := range texts {
			all = append(all, nameCue{text: t, w: w, wReq: -2, gap: gap, label: true, self: true})
		}
	}
	label(3, 2, "họ và tên", "họ tên", "họ, chữ đệm và tên", "họ và tên khai sinh")
	self(4, 2, "tôi tên là", "tên tôi là")
	self(3, 2, "tôi là")
	self(2, 0, "tôi")
	self(3, 3, "tôi ký tên dưới đây", "tôi là người ký tên dưới đây")
	for _, t := range []string{"đồng chí", "đ/c", "ông", "bà", "đồng chí đại biểu"} {
		all = append(all, nameCue{text: t, w: 1, wReq: 1, label: true, honor: true})
	}
	for _, t := range []string{"ký, ghi rõ họ tên", "ký và ghi rõ họ tên", "ký, ghi rõ họ và tên", "ghi rõ họ tên",
		"ký tên", "đã ký", "ký và ghi rõ họ, tên", "ký, ghi rõ họ, tên"} {
		all = append(all, nameCue{text: t, label: true, sig: true, gap: 6})
	}
	column(4, 4, 12, "người kê khai", "người kê khai tài sản, thu nhập", "người kê khai tài sản")
	role(-4, -4, 20, "của người kê khai", "của người kê khai tài sản, thu nhập")
	role(-5, -5, 12, "vợ hoặc chồng", "vợ/chồng", "chồng hoặc vợ", "con chưa thành niên", "người thân")
	role(-4, -4, 6, "con đẻ", "con nuôi", "bố đẻ", "mẹ đẻ")
	// Family in a curriculum vitae or a declaration: "Họ và tên cha: …", "Con: …".
	role(-4, -4, 2, "cha", "mẹ", "bố", "vợ", "chồng", "con", "anh ruột", "chị ruột", "em ruột",
		"cha đẻ", "bố vợ", "mẹ vợ", "bố chồng", "mẹ chồng", "con trai", "con gái", "con dâu", "con rể")
	column(-6, -6, 20, "người nhận bản kê khai", "người nhận bản kê khai tài sản, thu nhập")
	column(-4, -4, 12, "người nhận", "người tiếp nhận", "cán bộ tiếp nhận", "người quản lý bản kê khai")
	column(3, 3, 12, "người được lấy phiếu tín nhiệm", "người được lấy phiếu")
	column(3, 1, 12, "người báo cáo", "người tự đánh giá", "người viết báo cáo", "người làm báo cáo",
		"người tự kiểm điểm", "người kiểm điểm", "người viết", "người khai", "người tự nhận xét")
	column(4, 2, 12, "người giải trình", "người viết giải trình", "người làm giải trình")
	column(6, 6, 12, "người được đề nghị giải trình", "người được yêu cầu giải trình")
	column(5, 5, 12, "người được đề nghị", "người phải giải trình", "người có trách nhiệm giải trình",
		"được đề nghị giải trình", "đồng chí được đề nghị giải trình")
	// A post may come between: "Đề nghị đồng chí Bí thư Tỉnh ủy Trần Quốc Hùng giải trình".
	role(5, 5, 8, "đề nghị đồng chí", "yêu cầu đồng chí", "đề nghị đ/c", "đề nghị ông", "đề nghị bà")
	role(3, 4, 6, "đối với đồng chí", "đối với đ/c", "đối với ông", "đối với bà")
	all = append(all, nameCue{text: "kính gửi", w: -1, wReq: 4, gap: 8, list: true})
	all = append(all, nameCue{text: "của đồng chí", w: 1, wReq: -1, honor: true})
	asker(false, -4, -4, 2, "ý kiến của đồng chí", "ý kiến của đại biểu", "ý kiến của ông", "ý kiến của bà",
		"của đại biểu", "của cử tri")
	asker(true, -6, -6, 12, "người đề nghị", "người đề nghị giải trình", "người gửi", "người ghi phiếu",
		"người ghi ý kiến", "người có ý kiến", "người kiến nghị", "người phản ánh", "người tố cáo", "người góp ý")
	column(-4, -4, 12, "người lập", "người lập biểu", "người ghi biên bản", "thủ trưởng cơ quan",
		"thủ trưởng đơn vị", "xác nhận của", "nhận xét của", "ý kiến nhận xét")
	column(-3, -3, 12, "thay mặt", "t/m", "k/t", "t/l", "thư ký", "xác nhận")
	return all
}

// sigWeight is what signing a document of each kind says: its author is normally the person
// concerned, but a request is signed by whoever asks. A paper of no dossier kind may be anybody's
// (its signer is then its likeliest author), except one whose title says an office issued it.
func sigWeight() [nKinds]float64 { return [nKinds]float64{3, 2.5, -3, 3, 1} }

// sigIssued is what signing says in a paper titled as an office's (a plan, a decision, a
// submission, an invitation, a letter): the signer is the official who issues it, not the person
// it may concern.
const sigIssued = -0.5

// heading is what reading the kind learnt of a document's top: the line of its title (-1 when
// none) and whether that title names a paper an office issues.
type heading struct {
	titleLine int
	issued    bool
}

// nomineePick is the outcome of looking for the nominee in the text.
type nomineePick struct {
	person     int // roster index, -1 for none
	conf       float64
	ambiguous  bool
	candidates []int
	variant    bool
	best       float64
	scores     map[int]float64 // per person, from occurrences that were theirs alone
	// unlisted: the names, as written, that stand where the owner of the paper is named but are
	// nobody on the roster, in text order; unlistedScores their evidence.
	unlisted       []string
	unlistedScores []float64
	owned          []int // people named alone, by an exact spelling, where the owner is named
}

func (p nomineePick) score(i int) float64 { return p.scores[i] }

// suggest picks, for an ambiguous pick, the roster person the evidence plainly favours: a
// candidate named alone, by an exact spelling, in the owner's place, with at least twice the
// evidence of every other rival, and no diacritic twin among the candidates. A rival off the
// roster whose name is a misreading of that candidate's (roster.misread: OCR drops or confuses a
// letter where a signature crosses a name) is no rival of it. -1 when nobody stands out.
func (p nomineePick) suggest(ro *roster) int {
	if !p.ambiguous {
		return -1
	}
	best := -1
	for _, c := range p.candidates {
		if best < 0 || p.scores[c] > p.scores[best] {
			best = c
		}
	}
	if best < 0 || !slices.Contains(p.owned, best) || p.scores[best] < minNomineeScore {
		return -1
	}
	lead := p.scores[best]
	for _, c := range p.candidates {
		if c != best && (p.scores[c] > lead/2 || slices.Contains(ro.twins[best], c)) {
			return -1
		}
	}
	for i, name := range p.unlisted {
		if p.unlistedScores[i] > lead/2 && ro.misread(name) != best {
			return -1
		}
	}
	return best
}

// hitEvidence is what the wording around one name occurrence says.
type hitEvidence struct {
	score float64
	// owner: the occurrence stands where a paper says whose it is — a name field ("Họ và tên:"),
	// the author's "tôi là", a role such as the declarant or the person asked to explain, the
	// signature of a paper its author signs, the heading ("… của đồng chí X").
	owner bool
	// labelled: the owner's place is named by its label or role, not only a bare signature,
	// which may be a superior's certifying the paper.
	labelled bool
}

// pickNominee scores every occurrence of a roster name by the wording around it, adds the scores
// per person (or per group of people the spelling cannot tell apart) and takes the clear winner.
// Names written like a person's but on nobody's roster entry are read too: where they stand in
// the owner's place, the paper may be somebody else's.
func (rz *recognizer) pickNominee(v *textView, ro *roster, kind dossier.Kind, head heading) nomineePick {
	hits := ro.hits(v)
	for _, s := range v.unlistedNames(hits) {
		hits = append(hits, nameHit{span: s, exact: true, unlisted: true})
	}
	slices.SortStableFunc(hits, func(a, b nameHit) int { return a.t0 - b.t0 })
	return decideNominee(ro, v, hits, rz.evaluateHits(v, hits, kind, head))
}

// scoreHits gives each name occurrence its evidence: 1 for being there, plus the weight of the
// role or label before it and of standing as a signature; a negative role (receiver, requester,
// spouse) makes it evidence against.
func (rz *recognizer) scoreHits(v *textView, hits []nameHit, kind dossier.Kind, head heading) []float64 {
	ev := rz.evaluateHits(v, hits, kind, head)
	out := make([]float64, len(ev))
	for i, e := range ev {
		out[i] = e.score
	}
	return out
}

// nameCues found before one occurrence.
type cueFound struct {
	hasRole, hasLabel, honor, self, listed bool
	roleW, labelW                          float64
	gap                                    int // words between the nearer cue and the name
	at                                     int // the nearer cue's first word
}

// ownerCue is the weight from which a role or a label says whose the paper is.
const ownerCue = 3

// evaluateHits scores each name occurrence (see scoreHits) and says whether it stands in the
// owner's place.
func (rz *recognizer) evaluateHits(v *textView, hits []nameHit, kind dossier.Kind, head heading) []hitEvidence {
	ki := kindIndex(kind)
	req := kind == dossier.KindExplanationRequest
	cues := dropContained(v.unbroken(v.find(rz.names, false)))
	weight := func(c nameCue) float64 {
		if req {
			return c.wReq
		}
		return c.w
	}
	tail := v.tailStart()
	sw := sigWeight()[ki]
	if kind == dossier.KindOther && head.issued {
		sw = sigIssued
	}
	// The heading: the title and the short lines right under it ("của đồng chí X"), or the first
	// words when no title was found. The first line of prose ends it: a colleague named in the
	// opening sentence is not in the heading.
	// A long line still belongs to it when it is a field ("Đồng chí: X – Trưởng Ban …").
	field := map[int]bool{}
	for _, c := range cues {
		if nc := rz.nameCues[c.id]; nc.label && !nc.sig && v.startsLine(c.t0) {
			field[v.toks[c.t0].line] = true
		}
	}
	headLast := head.titleLine
	for l := head.titleLine + 1; head.titleLine >= 0 && l < len(v.lines) && l <= head.titleLine+3; l++ {
		ln := v.lines[l]
		upper := ln.upper+ln.lower > 0 && 10*ln.upper >= 6*(ln.upper+ln.lower)
		if ln.end-ln.first > headingWords && !upper && !field[l] {
			break
		}
		headLast = l
	}
	inHead := func(h nameHit) bool {
		if head.titleLine < 0 {
			return h.t0 < 40
		}
		l := v.toks[h.t0].line
		return l >= head.titleLine && l <= headLast
	}
	var list struct {
		ok, addressees, row bool
		w                   float64
		end                 int
	}
	out := make([]hitEvidence, len(hits))
	found := make([]cueFound, len(hits))
	var family map[int]bool
	if kind == dossier.KindAssetDeclaration {
		family = v.familySection()
	}
	named := map[int]bool{} // lines where a name begins
	for _, h := range hits {
		named[v.toks[h.t0].line] = true
	}
	for hi, h := range hits {
		prevEnd := 0
		if hi > 0 {
			prevEnd = hits[hi-1].t1
		}
		var c cueFound
		sigMark, cueOnLine := false, false
		nameLine := v.toks[h.t0].line
		// Cues are in text order; walk back from the name, never past the previous name.
		i, _ := slices.BinarySearchFunc(cues, h.t0, func(c span, t int) int { return c.t0 - t })
	walk:
		for j := i - 1; j >= 0; j-- {
			cs := cues[j]
			if cs.t1 > h.t0 {
				continue
			}
			if cs.t0 < prevEnd || h.t0-cs.t1 > 20 {
				break
			}
			nc := rz.nameCues[cs.id]
			if !nc.sig && v.toks[cs.t0].line == nameLine {
				cueOnLine = true
			}
			if h.t0-cs.t1 > nc.gap {
				continue
			}
			switch {
			case nc.sig:
				sigMark = true
			case nc.label && !c.hasLabel && !c.hasRole:
				c.hasLabel, c.labelW, c.honor, c.self = true, weight(nc), nc.honor, nc.self
				c.gap, c.at = h.t0-cs.t1, cs.t0
				if nc.self {
					// "…, tôi - X": whatever came before is about somebody else.
					break walk
				}
			case !nc.label && !c.hasRole:
				c.hasRole, c.roleW, c.listed = true, weight(nc), nc.list
				c.honor = c.honor || nc.honor
				if !c.hasLabel {
					c.gap, c.at = h.t0-cs.t1, cs.t0
				}
			}
		}
		// A name listed right after another ("các đồng chí: A, B, C và D") stands as the first does.
		if !c.hasRole && !c.hasLabel && !sigMark && hi > 0 && v.enumerated(hits[hi-1].span, h.span) {
			c = found[hi-1]
			c.gap, c.at = 0, -1
		}
		// The next names of an addressee list inherit its role, and so do names on the next rows of a
		// table ("TT | Họ và tên | Chức vụ").
		row := v.startsLine(h.t0)
		if !c.hasRole && list.ok && (list.addressees && h.t0-list.end <= 15 || list.row && row && h.t0-list.end <= 10) {
			c.hasRole, c.roleW, c.listed = true, list.w, list.addressees
		}
		found[hi] = c
		list.ok = c.hasRole
		list.addressees, list.row = c.listed, row
		list.w, list.end = c.roleW, h.t1
		roleW, labelW := c.roleW, c.labelW
		// In papers a person writes about themself, "đồng chí X" is somebody else — except in the
		// heading ("Báo cáo tự đánh giá của đồng chí X"). There it says whose the paper is when it
		// reads so: "của đồng chí X", or a field "Đồng chí: X"; not a colleague named in a short
		// first line.
		heading := false
		if c.honor && selfAuthored(kind) {
			if inHead(h) {
				heading = c.hasRole || c.at >= 0 && v.startsLine(c.at)
			} else {
				labelW, roleW = -0.5, 0
			}
		}
		hasRole := c.hasRole
		// The declarant's spouse and children, each under a "Họ và tên:" of their own.
		if family[v.toks[h.t0].line] {
			hasRole, roleW = true, familyWeight
		}
		// A signature takes the role heading its column, which in reading order need not be the
		// nearest role before it ("NGƯỜI NHẬN BẢN KÊ KHAI   NGƯỜI KÊ KHAI" over two names).
		signature := !c.honor && !cueOnLine && h.t0 >= tail && v.signatureLine(h.span) &&
			(!h.unlisted || v.nameLine(v.toks[h.t0].line))
		if signature {
			if w, ok := rz.columnRole(v, cues, h.span, weight, named); ok {
				hasRole, roleW = true, w
			}
		}
		signed := signature || sigMark && !c.honor && h.t0 >= tail
		score := 1.0
		if hasRole && roleW < 0 {
			score += roleW
		} else {
			score += roleW + labelW
			if signed {
				score += sw
			}
		}
		// A spelling that did not decide is weaker evidence, and weaker still where the text has
		// marks that differ from the roster's.
		if score > 0 && !h.exact {
			if h.variant {
				score *= 0.5
			} else if v.hasDiacritics() {
				score *= 0.8
			}
		}
		out[hi].score = score
		if score <= 0 || hasRole && roleW < 0 {
			continue
		}
		// A name that is nobody on the roster is taken for the owner's only where it plainly is:
		// right after its label or role, or alone on a signature line. Elsewhere capitalised words
		// may be a place ("… của người được lấy phiếu tín nhiệm tỉnh Hà Giang").
		cued, signs := true, signed
		if h.unlisted {
			cued = c.gap <= unlistedGap
			signs = signed && v.nameLine(nameLine)
		}
		// In a request the "Họ và tên:" of a form may be the asker's; only the role of the person
		// asked to explain says whose it is.
		switch {
		case hasRole && roleW >= ownerCue && (cued || signature):
			out[hi].owner, out[hi].labelled = true, true
		case req:
		case c.hasLabel && !c.honor && (labelW >= ownerCue || c.self && labelW > 0) && cued:
			out[hi].owner, out[hi].labelled = true, true
		case heading && labelW+roleW > 0 && cued:
			out[hi].owner, out[hi].labelled = true, true
		case signs && sw >= ownerSig:
			out[hi].owner = true
		}
	}
	return out
}

// familyWeight is what standing in the family part of a declaration says of a name.
const familyWeight = -5

// familySection finds the lines of an asset declaration's part about the declarant's family (the
// model of Nghị định 130/2020/NĐ-CP, Part I items 2 and 3: "Vợ hoặc chồng của người kê khai…",
// "Con chưa thành niên…", "Con thứ nhất: Họ và tên: …"): from such a heading to the next part
// (the assets, "II. THÔNG TIN MÔ TẢ VỀ TÀI SẢN") or to the declarant's or receiver's role.
func (v *textView) familySection() map[int]bool {
	out := map[int]bool{}
	in := false
	for l := range v.lines {
		f := v.lineText(l)
		heads := strings.Contains(f, "vo hoac chong") || strings.Contains(f, "chong hoac vo") ||
			strings.Contains(f, "con chua thanh nien") || strings.HasPrefix(f, "con thu ")
		switch {
		case heads:
			in = true
		case in && (strings.Contains(f, "thong tin mo ta") || strings.HasPrefix(f, "ii ") || strings.HasPrefix(f, "iii ") ||
			strings.Contains(f, "quyen su dung") || strings.Contains(f, "tong thu nhap") ||
			strings.Contains(f, "nguoi nhan ban ke khai") ||
			strings.Contains(f, "nguoi ke khai") && !strings.Contains(f, "cua nguoi ke khai")):
			in = false
		}
		if in {
			out[l] = true
		}
	}
	return out
}

// unbroken keeps the occurrences of cue phrases that no colon, full stop or bracket cuts: in
// "Người đề nghị: đồng chí X" there is no "đề nghị đồng chí" asking X to explain. Commas and
// slashes may stand inside a cue ("ký, ghi rõ họ tên", "đ/c").
func (v *textView) unbroken(ms []span) []span {
	return slices.DeleteFunc(ms, func(m span) bool {
		return slices.ContainsFunc(v.toks[m.t0+1:m.t1], func(tk token) bool {
			return tk.sep != 0 && strings.ContainsRune(":;.?!()[]", tk.sep)
		})
	})
}

// ownerSig is the signature weight of the kinds their author signs.
const ownerSig = 2.5

// unlistedGap is the most words between a label or role and a name off the roster for the name to
// be the one it introduces.
const unlistedGap = 2

// enumerated reports whether the name at b follows the name at a in one list: after a comma or a
// semicolon, or after "và", on the same or the next line.
func (v *textView) enumerated(a, b span) bool {
	if v.toks[b.t0].line-v.toks[a.t1-1].line > 1 {
		return false
	}
	switch b.t0 - a.t1 {
	case 0:
		sep := v.toks[b.t0].sep
		return sep == ',' || sep == ';'
	case 1:
		tk := v.toks[a.t1]
		w := string(v.fold[tk.start:tk.end])
		return (w == "va" || w == "cung") && !v.toks[b.t0].hardGap
	}
	return false
}

// decideNominee adds the occurrences' scores per set of people they may be and takes the best set
// if it is one person, clearly ahead of every other. The places that say whose a paper is must
// agree: two different people there — a name field and a signature, two subjects of a request —
// or a diacritic twin of the best named as well without the owner's place to settle it leave
// the choice to a person.
func decideNominee(ro *roster, v *textView, hits []nameHit, ev []hitEvidence) nomineePick {
	pick := nomineePick{person: -1, scores: map[int]float64{}}
	type group struct {
		people   []int
		score    float64
		exact    bool
		variant  bool
		owner    bool // named in the owner's place at least once
		labelled bool // … and once there by a label or role
		against  bool // named in a role that is not the owner's at least once
	}
	groups := map[string]*group{}
	var order []string
	type other struct {
		score                    float64
		owner, labelled, against bool
	}
	unlisted := map[string]*other{}
	var unlistedOrder []string
	for i, h := range hits {
		owner := ev[i].owner && ev[i].score > 0
		if h.unlisted {
			name := v.words(h.t0, h.t1)
			u, ok := unlisted[name]
			if !ok {
				u = &other{}
				unlisted[name] = u
				unlistedOrder = append(unlistedOrder, name)
			}
			u.score += ev[i].score
			u.owner = u.owner || owner
			u.labelled = u.labelled || owner && ev[i].labelled
			u.against = u.against || ev[i].score < 0
			continue
		}
		key := fmt.Sprint(h.people)
		g, ok := groups[key]
		if !ok {
			g = &group{people: h.people}
			groups[key] = g
			order = append(order, key)
		}
		g.score += ev[i].score
		g.exact = g.exact || h.exact
		g.variant = g.variant || h.variant
		g.owner = g.owner || owner
		g.labelled = g.labelled || owner && ev[i].labelled
		g.against = g.against || ev[i].score < 0
	}
	slices.SortStableFunc(order, func(a, b string) int {
		switch sa, sb := groups[a].score, groups[b].score; {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	for _, k := range order {
		if g := groups[k]; len(g.people) == 1 {
			pick.scores[g.people[0]] += g.score
		}
	}
	// A rival owner is one named in the owner's place and never in a role that is not the
	// owner's: a requester named in a table's subject column but signing as the one who asks is
	// not, nor a spouse written alone on a line. Where somebody's place is labelled ("Họ và
	// tên:", "Người báo cáo"), a bare signature of somebody else is a superior's certifying the
	// paper, no rival — except between diacritic twins (below).
	labelled := slices.ContainsFunc(order, func(k string) bool {
		g := groups[k]
		return g.labelled && !g.against && g.score > 0
	})
	rival := func(score float64, owner, isLabelled, against bool) bool {
		return owner && (isLabelled || !labelled) && !against && score > 0
	}
	var rivals [][]int
	owned := map[int]bool{}
	for _, k := range order {
		g := groups[k]
		if g.owner && len(g.people) == 1 {
			owned[g.people[0]] = true
		}
		if rival(g.score, g.owner, g.labelled, g.against) {
			rivals = append(rivals, g.people)
			if len(g.people) == 1 && g.exact {
				pick.owned = append(pick.owned, g.people[0])
			}
		}
	}
	for _, name := range unlistedOrder {
		if u := unlisted[name]; rival(u.score, u.owner, u.labelled, u.against) {
			pick.unlisted = append(pick.unlisted, name)
			pick.unlistedScores = append(pick.unlistedScores, u.score)
		}
	}
	if len(order) == 0 {
		return pick
	}
	top := groups[order[0]]
	pick.best = top.score
	ambiguous := func(sets ...[]int) nomineePick {
		pick.ambiguous = true
		set := map[int]bool{}
		for _, s := range sets {
			for _, p := range s {
				set[p] = true
			}
		}
		for i := range ro.people {
			if set[i] {
				pick.candidates = append(pick.candidates, i)
			}
		}
		return pick
	}
	if disagree(rivals) {
		return ambiguous(rivals...)
	}
	if len(pick.unlisted) > 0 {
		if len(rivals) == 0 {
			// Somebody not on the roster is whose the paper is; the roster names are mentions.
			return pick
		}
		return ambiguous(rivals...)
	}
	if top.score < minNomineeScore {
		return pick
	}
	second := 0.0
	var close [][]int
	for _, k := range order[1:] {
		g := groups[k]
		second = math.Max(second, g.score)
		if g.score > 0 && g.score >= 0.7*top.score {
			close = append(close, g.people)
		}
	}
	if len(top.people) > 1 || len(close) > 0 {
		return ambiguous(append([][]int{top.people}, close...)...)
	}
	// Between diacritic twins only the owner's place decides: the best named there and the twin
	// not, or the twin not named at all.
	p := top.people[0]
	for _, q := range ro.twins[p] {
		if pick.scores[q] >= minNomineeScore && (!owned[p] || owned[q]) {
			return ambiguous([]int{p, q})
		}
	}
	pick.person = p
	strength := 1 - math.Exp(-top.score/3)
	sep := 1 - second/top.score
	pick.conf = strength * (0.6 + 0.4*sep)
	if !top.exact && top.variant {
		pick.variant = true
		pick.conf *= 0.7
	}
	return pick
}

// disagree reports whether two of the sets of people have nobody in common.
func disagree(sets [][]int) bool {
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			if !slices.ContainsFunc(sets[i], func(p int) bool { return slices.Contains(sets[j], p) }) {
				return true
			}
		}
	}
	return false
}

// minNomineeScore is the evidence needed to say whose a document is: one plain mention of the
// name; a passing "đồng chí X" in somebody's own report is not enough.
const minNomineeScore = 1.0

// headingWords is the most words a line under the title may have and still be part of the
// heading rather than prose (a printed line of prose at 13–14 pt holds fifteen or more).
const headingWords = 14

// selfAuthored reports the kinds written by the person they concern.
func selfAuthored(k dossier.Kind) bool {
	return k == dossier.KindSelfAssessment || k == dossier.KindAssetDeclaration || k == dossier.KindExplanation
}

// tailStart is the first word of the part of the document where signatures are: the last fifteen
// lines with words, or the last quarter, whichever starts earlier.
func (v *textView) tailStart() int {
	n := 0
	start := len(v.toks)
	for l := len(v.lines) - 1; l >= 0 && n < 15; l-- {
		if v.lines[l].end > v.lines[l].first {
			n++
			start = v.lines[l].first
		}
	}
	return min(start, len(v.toks)*3/4)
}

// signatureLine reports whether a name stands as a signature does: alone on its line (up to a
// couple of words such as "(đã ký)"), or at either end of a line that joins two signature columns.
func (v *textView) signatureLine(s span) bool {
	ln := v.lines[v.toks[s.t0].line]
	if v.toks[s.t1-1].line != v.toks[s.t0].line {
		return false
	}
	extra := (ln.end - ln.first) - (s.t1 - s.t0)
	if extra <= 2 {
		return true
	}
	return extra <= 6 && (s.t0 == ln.first || s.t1 == ln.end)
}

// columnRole reads signature blocks laid out in columns: the role labels stand on one line
// ("NGƯỜI NHẬN BẢN KÊ KHAI   NGƯỜI KÊ KHAI") and the names on a later one, in the same order.
// A line with another name between ends the search: the role above is that signature's
// ("NGƯỜI BÁO CÁO / Lê Văn Tâm / BÍ THƯ CHI BỘ / Trần Văn Bình").
func (rz *recognizer) columnRole(v *textView, cues []span, s span, weight func(nameCue) float64,
	named map[int]bool) (float64, bool) {
	c, ok := v.columnHead(cues, func(c span) bool { return rz.nameCues[c.id].column }, s, named)
	if !ok {
		return 0, false
	}
	return weight(rz.nameCues[c.id]), true
}

// columnHead finds the role heading the column of the name at s (see columnRole): the cue, among
// those column reports as column roles, on the nearest heading line within six lines above.
func (v *textView) columnHead(cues []span, column func(span) bool, s span, named map[int]bool) (span, bool) {
	nameLine := v.toks[s.t0].line
	ln := v.lines[nameLine]
	for l := nameLine - 1; l >= 0 && l >= nameLine-6 && !named[l]; l-- {
		var roles []span
		covered := 0
		for _, c := range cues {
			if v.toks[c.t0].line == l && column(c) {
				roles = append(roles, c)
				covered += c.t1 - c.t0
			}
		}
		// Only a heading line made of roles heads columns; a sentence that mentions a role does not
		// ("Giao nhận hồ sơ của người được lấy phiếu tín nhiệm"). Headings are set in capitals, or
		// are the role and little else.
		words := v.lines[l].end - v.lines[l].first
		switch {
		case len(roles) == 0 || 2*covered < words || !v.capsLine(l) && 5*covered < 4*words:
			continue
		case len(roles) == 1:
			return roles[0], true
		case s.t0 == ln.first && s.t1 < ln.end:
			return roles[0], true
		case s.t1 == ln.end && s.t0 > ln.first:
			return roles[len(roles)-1], true
		}
		return span{}, false
	}
	return span{}, false
}

// References to a request: a number ("Số: 15-CV/BTC", "số 03/PĐN") and a date
// ("ngày 02 tháng 12 năm 2028", "02/12/2028").
var (
	reNumber   = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(?:số|so)\s*[:.]?\s*(\d[\p{L}\p{N}/\-._]*)`)
	reDateText = regexp.MustCompile(`(?i)ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})`)
	reDateNum  = regexp.MustCompile(`(?:^|\D)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d{2})(?:\D|$)`)
	reSubject  = regexp.MustCompile(`(?i)^\s*(?:v/v|v\.v\.?|về việc)\s*[:.]?\s*(\S.*)$`)
)

// requestRef finds what identifies the request: for a request its own number and date, for an
// explanation the number and date of the request it answers; failing those, a subject line.
func requestRef(v *textView, kind dossier.Kind) string {
	lines := strings.Split(v.raw, "\n")
	if kind == dossier.KindExplanationRequest {
		n := min(len(lines), 25)
		var num, date string
		for _, l := range lines[:n] {
			if m := reNumber.FindStringSubmatchIndex(l); m != nil && strings.HasPrefix(Fold(l), "so") {
				num = cleanNumber(l[m[2]:m[3]])
				date = findDate(l[m[3]:]) // "Số 05/ĐNGT ngày 20/11/2026": the letter's own date
				break
			}
		}
		// Else the header's "…, ngày 02 tháng 12 năm 2028" before any date quoted in the body.
		for _, l := range lines[:n] {
			if date != "" {
				break
			}
			if m := reDateText.FindStringSubmatch(l); m != nil {
				date = fmtDate(m)
			}
		}
		for _, l := range lines[:n] {
			if date == "" {
				date = findDate(l)
			}
		}
		if ref := joinRef(num, date); ref != "" {
			return ref
		}
		return subjectLine(lines, n)
	}
	words := []string{"cong van", "van ban", "phieu", "thong bao", "de nghi", "y kien", "giai trinh",
		"to trinh", "ke hoach", "yeu cau"}
	// The explanation's own number and date head it; they are not the request's.
	ownDate := ""
	for _, l := range lines[:min(len(lines), 15)] {
		if m := reDateText.FindStringSubmatch(l); m != nil {
			ownDate = fmtDate(m)
			break
		}
	}
	refLine := func(i int) (string, bool) {
		l := lines[i]
		if i < 15 && strings.HasPrefix(Fold(l), "so") && reNumber.MatchString(l) {
			return "", false
		}
		ctx := l
		if i+1 < len(lines) {
			ctx += " " + lines[i+1]
		}
		fc := Fold(ctx)
		return ctx, slices.ContainsFunc(words, func(w string) bool { return strings.Contains(fc, w) })
	}
	// First a referenced number ("Công văn số 15-CV/BTCTU ngày 02/12/2028"), with its date…
	for i, l := range lines {
		ctx, ok := refLine(i)
		if !ok {
			continue
		}
		if m := reNumber.FindStringSubmatchIndex(ctx); m != nil && m[0] < len(l) {
			return joinRef(cleanNumber(ctx[m[2]:m[3]]), findDate(ctx[m[3]:]))
		}
	}
	// …else a referenced date ("đề nghị giải trình … ngày 03/12/2028").
	for i, l := range lines {
		if _, ok := refLine(i); !ok {
			continue
		}
		d := findDate(l)
		// "… tại phiếu đề nghị giải trình / ngày 01/12/2028 như sau": the date wrapped onto the
		// next line, which it then begins.
		if fl := Fold(l); d == "" && i+1 < len(lines) &&
			slices.ContainsFunc(words, func(w string) bool { return strings.Contains(fl, w) }) {
			next := strings.Fields(lines[i+1])
			d = findDate(strings.Join(next[:min(len(next), 6)], " "))
		}
		if d != "" && d != ownDate {
			return joinRef("", d)
		}
	}
	if s := subjectLine(lines, min(len(lines), 30)); s != "" {
		return s
	}
	// "BÁO CÁO GIẢI TRÌNH / Về ý kiến đề nghị giải trình của …": the line under the title.
	for _, l := range lines[:min(len(lines), 30)] {
		if f := Fold(l); strings.HasPrefix(f, "ve ") || strings.HasPrefix(f, "(ve ") {
			return clip(strings.Trim(strings.TrimSpace(l), "()"))
		}
	}
	return ""
}

// findDate returns the first date in s as dd/mm/yyyy, or "".
func findDate(s string) string {
	t := reDateText.FindStringSubmatchIndex(s)
	n := reDateNum.FindStringSubmatchIndex(s)
	switch {
	case t != nil && (n == nil || t[0] <= n[0]):
		return fmtDate(reDateText.FindStringSubmatch(s))
	case n != nil:
		return fmtDate(reDateNum.FindStringSubmatch(s))
	}
	return ""
}

func fmtDate(m []string) string {
	return fmt.Sprintf("%02s/%02s/%s", m[1], m[2], m[3])
}

func cleanNumber(s string) string {
	return strings.TrimRight(s, "./-_")
}

func joinRef(num, date string) string {
	var parts []string
	if num != "" {
		parts = append(parts, "số "+num)
	}
	if date != "" {
		parts = append(parts, "ngày "+date)
	}
	return strings.Join(parts, " ")
}

func subjectLine(lines []string, n int) string {
	for i, l := range lines[:n] {
		if m := reSubject.FindStringSubmatch(l); m != nil {
			s := m[1]
			// A subject often wraps onto the next line, which then goes on in lower case.
			if i+1 < n && !strings.HasSuffix(strings.TrimSpace(s), ".") && startsLower(lines[i+1]) &&
				utf8.RuneCountInString(lines[i+1]) < 80 && !isHeaderLine(lines[i+1]) {
				s += " " + strings.TrimSpace(lines[i+1])
			}
			return clip("V/v " + strings.TrimSpace(s))
		}
	}
	return ""
}

func startsLower(l string) bool {
	for _, r := range l {
		if unicode.IsLetter(r) {
			return unicode.IsLower(r)
		}
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return false
}

func isHeaderLine(l string) bool {
	f := Fold(l)
	for _, h := range []string{"dang cong san", "cong hoa xa hoi", "doc lap", "kinh gui", "so:", "so "} {
		if strings.HasPrefix(f, h) {
			return true
		}
	}
	return strings.Contains(f, "ngay") && strings.Contains(f, "thang") && strings.Contains(f, "nam")
}

// clip bounds a reference to a readable length and collapses its spacing.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}
