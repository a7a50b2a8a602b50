package ingest

import "slices"

// The content a self-assessment must address (DOMAIN.md, the dossier, item 1).
const (
	CriterionPolitical  = "political_qualities"
	CriterionEthics     = "ethics_lifestyle"
	CriterionDiscipline = "discipline"
	CriterionDuties     = "duties"
	CriterionFamily     = "family_example"
)

// criterion is one required subject of a self-assessment and the wordings accepted for it.
type criterion struct {
	code, label string
	phrases     []string
}

// criteria lists the subjects in the order the regulation gives them. The family criterion is
// recognised by proximity rather than by fixed phrases (see familyAddressed).
func criteria() []criterion {
	return []criterion{
		{CriterionPolitical, "Phẩm chất chính trị", []string{
			"phẩm chất chính trị", "tư tưởng chính trị", "chính trị tư tưởng", "chính trị, tư tưởng",
			"bản lĩnh chính trị", "lập trường chính trị", "lập trường tư tưởng", "về chính trị",
			"phẩm chất chính trị, đạo đức",
		}},
		{CriterionEthics, "Đạo đức, lối sống", []string{
			"đạo đức", "lối sống", "đạo đức cách mạng",
		}},
		{CriterionDiscipline, "Ý thức tổ chức kỷ luật", []string{
			"kỷ luật", "kỉ luật", "kỷ cương", "kỉ cương", "ý thức tổ chức", "tập trung dân chủ",
		}},
		{CriterionDuties, "Kết quả thực hiện chức trách, nhiệm vụ được giao", []string{
			"chức trách", "nhiệm vụ được giao", "kết quả thực hiện nhiệm vụ", "kết quả công tác",
			"thực hiện nhiệm vụ", "kết quả thực hiện chức trách", "nhiệm vụ được phân công",
		}},
		{CriterionFamily, "Trách nhiệm nêu gương của vợ (chồng), con trong chấp hành pháp luật", nil},
	}
}

// CriterionCodes lists the codes of the self-assessment criteria in the regulation's order.
func CriterionCodes() []string {
	var out []string
	for _, c := range criteria() {
		out = append(out, c.code)
	}
	return out
}

// CriterionLabel is the Vietnamese name of a criterion code shown to people, or the code itself
// when it is unknown.
func CriterionLabel(code string) string {
	for _, c := range criteria() {
		if c.code == code {
			return c.label
		}
	}
	return code
}

// criteriaMatcher finds which criteria a text addresses.
type criteriaMatcher struct {
	set    *phraseSet
	code   []string // per phrase
	family *phraseSet
	anchor *phraseSet
}

func newCriteriaMatcher() *criteriaMatcher {
	m := &criteriaMatcher{}
	var ph []phrase
	for _, c := range criteria() {
		for _, p := range c.phrases {
			ph = append(ph, newPhrase(p))
			m.code = append(m.code, c.code)
		}
	}
	m.set = newPhraseSet(ph)
	// Family words are matched diacritic-exact when the text has marks: folded, "vo", "chong" and
	// "con" would also be "võ", "chống" (as in "phòng, chống tham nhũng") and "còn".
	m.family = newPhraseSet(phrases([]string{"vợ", "chồng", "gia đình", "người thân", "vợ con"}))
	m.anchor = newPhraseSet(phrases([]string{"con", "các con", "gương mẫu", "nêu gương", "chấp hành",
		"pháp luật", "vi phạm"}))
	return m
}

func phrases(texts []string) []phrase {
	out := make([]phrase, len(texts))
	for i, t := range texts {
		out[i] = newPhrase(t)
	}
	return out
}

// missing returns the codes of the criteria the text does not address, in the regulation's order.
func (m *criteriaMatcher) missing(v *textView) []string {
	found := map[string]bool{}
	for _, s := range v.find(m.set, false) {
		found[m.code[s.id]] = true
	}
	if m.familyAddressed(v) {
		found[CriterionFamily] = true
	}
	var out []string
	for _, c := range criteria() {
		if !found[c.code] {
			out = append(out, c.code)
		}
	}
	return out
}

// familyAddressed looks for a spouse or the family near a word about children, setting an example
// or the law: "vợ (chồng), con chấp hành…", "gia đình gương mẫu", "người thân không vi phạm…".
func (m *criteriaMatcher) familyAddressed(v *textView) bool {
	exact := v.hasDiacritics()
	keep := func(set *phraseSet, ss []span) []span {
		if !exact {
			return ss
		}
		return slices.DeleteFunc(ss, func(s span) bool { return !v.exactAt(s.f0, &set.ph[s.id]) })
	}
	fam := keep(m.family, v.find(m.family, false))
	if len(fam) == 0 {
		return false
	}
	anc := keep(m.anchor, v.find(m.anchor, false))
	const window = 12
	for _, f := range fam {
		if m.family.ph[f.id].text == "vợ con" {
			return true
		}
		for _, a := range anc {
			if a.t1 <= f.t0 && f.t0-a.t1 <= window || a.t0 >= f.t1 && a.t0-f.t1 <= window {
				return true
			}
		}
	}
	return false
}
