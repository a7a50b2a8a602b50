package ingest

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Person is one nominee on the roster of a round. Name is NFC.
type Person struct {
	ID   string
	Name string
}

// Fold reduces s to the form used for diacritic- and case-insensitive matching: NFC, then
// compatibility decomposition with every nonspacing mark dropped, đ/Đ → d, lower case, invisible
// characters (soft hyphen, zero-width spaces) removed and runs of white space collapsed to one
// space. Both Vietnamese tone-mark placements ("hoà"/"hòa") fold to the same string.
func Fold(s string) string {
	letters := sharedLetters()
	if !letters.isNFC(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		for _, x := range letters.fold(r) {
			if unicode.IsSpace(x) {
				pending = b.Len() > 0
				continue
			}
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			b.WriteRune(x)
		}
	}
	return b.String()
}

// appendFold appends the folded form of one rune: none for marks and invisible characters,
// usually one rune, several for compatibility characters such as ligatures.
func appendFold(dst []rune, r rune) []rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, r)
	}
	if isDStroke(r) {
		return append(dst, 'd')
	}
	if isInvisible(r) || unicode.Is(unicode.Mn, r) {
		return dst
	}
	if unicode.IsSpace(r) {
		return append(dst, ' ')
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	for _, x := range string(norm.NFKD.Bytes(tmp[:n])) {
		switch {
		case unicode.Is(unicode.Mn, x):
		case isDStroke(x):
			dst = append(dst, 'd')
		default:
			dst = append(dst, unicode.ToLower(x))
		}
	}
	return dst
}

// isDStroke reports the letters that stand for Vietnamese đ. Legacy fonts and hand-typed text
// often use the Icelandic eth or the African D for it.
func isDStroke(r rune) bool {
	switch r {
	case 'đ', 'Đ', 'Ð', 'ð', 'Ɖ', 'ɖ':
		return true
	}
	return false
}

// isInvisible reports characters that extraction leaves inside words without meaning a break.
func isInvisible(r rune) bool {
	switch r {
	case '\u00AD', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u180E':
		return true
	}
	return false
}

// isSoftSeparator reports what may stand between the syllables of one name: hyphens (also of a
// word broken at a line end) and the apostrophes of Ê Đê and Gia Rai names ("H'Hen Niê").
func isSoftSeparator(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\'', '\u2019', '\u02BC':
		return true
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// toneSep separates a syllable's letters from its tone in a syllable key.
const toneSep = '\x01'

// syllableKey is the diacritic-exact, case-insensitive identity of one syllable. The tone mark is
// taken off whichever vowel carries it and appended at the end, so the old and new placements
// ("hoà"/"hòa", "thuỷ"/"thủy") give the same key while "Hùng" and "Hưng" stay apart.
//
// Recognition asks it for every word of every document; written precomposed, as nearly all
// Vietnamese text is, a syllable's key is the keys of its letters put together (the letters of
// Latin script compose only with the marks that follow them), which a table holds: the same
// key as syllableKeySlow, without two Unicode normalisations a word.
func syllableKey(s string) string {
	letters := sharedLetters()
	var b []byte
	var tone byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		l, ok := letters.of(r)
		if !ok || !l.syllable {
			return syllableKeySlow(s) // combining marks, other scripts: the general way
		}
		b = append(b, l.base...)
		if l.tone != 0 {
			tone = l.tone
		}
		i += size
	}
	if tone != 0 {
		b = append(b, toneSep, tone)
	}
	return string(b)
}

// syllableKeyRunes is syllableKey(string(rs)), without making the string where the table knows
// every letter.
func syllableKeyRunes(rs []rune) string {
	letters := sharedLetters()
	b := make([]byte, 0, len(rs)+2)
	var tone byte
	for _, r := range rs {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		l, ok := letters.of(r)
		if !ok || !l.syllable {
			return syllableKeySlow(string(rs))
		}
		b = append(b, l.base...)
		if l.tone != 0 {
			tone = l.tone
		}
	}
	if tone != 0 {
		b = append(b, toneSep, tone)
	}
	return string(b)
}

// syllableKeySlow is syllableKey for any text: decomposed, tone marks taken off, composed again.
func syllableKeySlow(s string) string {
	base := make([]rune, 0, len(s))
	var tone rune
	for _, r := range norm.NFD.String(s) {
		r = unicode.ToLower(r)
		switch r {
		case '\u0300', '\u0340':
			tone = '1' // huyền
		case '\u0301', '\u0341':
			tone = '2' // sắc
		case '\u0303':
			tone = '3' // ngã
		case '\u0309':
			tone = '4' // hỏi
		case '\u0323':
			tone = '5' // nặng
		default:
			if isDStroke(r) {
				r = 'đ'
			}
			if !isInvisible(r) {
				base = append(base, r)
			}
		}
	}
	k := norm.NFC.String(string(base))
	if tone != 0 {
		k += string([]rune{toneSep, tone})
	}
	return k
}

// textView is a document's text cut into words, kept twice: folded and concatenated (so that a
// phrase can be found whatever the spacing, line breaks or hyphenation between its syllables)
// and exact (so that a match can then be checked diacritic by diacritic).
type textView struct {
	raw      string // NFC, line breaks normalised to \n
	fold     []rune // folded letters of every word, without separators
	exact    []rune // the lower-case rune behind each folded rune
	marks    map[int][]rune
	tokOf    []int32 // word index of each folded rune
	toks     []token
	lines    []line
	letters  int
	accented int
	keys     []string // syllableKey of each word, filled in as asked for
	// lineTexts holds lineText of the lines lineDone marks.
	lineTexts []string
	lineDone  []bool
	// vocabFound holds, once asked for, what find found of each set of the vocabulary vocab.
	vocab      *vocabulary
	vocabFound [][]span
}

type token struct {
	start, end       int  // range in fold
	rawStart, rawEnd int  // byte range in raw
	line             int  // index in lines
	hardGap          bool // separated from the previous word by more than white space and hyphens
	sep              rune // the first such separator (',', ':' …), 0 when none
	upper            bool // begins with a capital letter
}

type line struct {
	first, end   int // word range
	upper, lower int // letters by case
}

// viewPool keeps the buffers of the views recognition is done with (see release): a view of a
// dossier's text is a few hundred kilobytes, a fifth of what the server allocated a document.
var viewPool = sync.Pool{New: func() any { return new(textView) }}

// maxPooledView is the longest text (bytes) whose view's buffers are kept for the next.
const maxPooledView = 1 << 20

// reset makes v an empty view of raw, its buffers kept and sized for it: nearly every rune is a
// letter of one folded rune, and a word has some five.
func (v *textView) reset(raw string) {
	if v.marks == nil {
		v.marks = map[int][]rune{}
	}
	*v = textView{
		raw:       raw,
		fold:      slices.Grow(v.fold[:0], len(raw)),
		exact:     slices.Grow(v.exact[:0], len(raw)),
		tokOf:     slices.Grow(v.tokOf[:0], len(raw)),
		toks:      slices.Grow(v.toks[:0], len(raw)/5),
		lines:     append(v.lines[:0], line{}),
		marks:     v.marks,
		keys:      v.keys[:0],
		lineTexts: v.lineTexts[:0],
		lineDone:  v.lineDone[:0],
	}
}

// release hands v's buffers to the next view; v is not used after. What recognition answers
// never holds them: names, cues and references are strings of their own.
func (v *textView) release() {
	if len(v.raw) > maxPooledView {
		return
	}
	// Nothing of this text stays reachable while the view waits in the pool.
	clear(v.keys)
	clear(v.lineTexts)
	clear(v.marks)
	v.raw, v.vocab, v.vocabFound = "", nil, nil
	viewPool.Put(v)
}

func newTextView(text string) *textView {
	letters := sharedLetters()
	if !letters.isNFC(text) {
		text = norm.NFC.String(text)
	}
	raw := lineBreaks(text)
	v := viewPool.Get().(*textView)
	v.reset(raw)
	other := map[rune]*letter{} // the letters of runes outside the table
	inWord := false
	var sep rune
	for at, r := range raw {
		c, ok := letters.of(r)
		if !ok {
			if c, ok = other[r]; !ok {
				x := letterOf(r)
				c = &x
				other[r] = c
			}
		}
		switch {
		case c.mark:
			// A mark NFC could not compose stays with its letter for the exact comparison.
			if inWord && len(v.fold) > 0 {
				p := len(v.fold) - 1
				v.marks[p] = append(v.marks[p], r)
				v.accented++
				v.toks[len(v.toks)-1].rawEnd = at + utf8.RuneLen(r)
			}
		case c.word:
			f := c.fold
			if len(f) == 0 {
				continue
			}
			if !inWord {
				ln := len(v.lines) - 1
				v.toks = append(v.toks, token{start: len(v.fold), rawStart: at, line: ln, hardGap: sep != 0,
					sep: sep, upper: c.capital})
				v.lines[ln].end = len(v.toks)
				inWord, sep = true, 0
			}
			v.toks[len(v.toks)-1].rawEnd = at + utf8.RuneLen(r)
			ln := &v.lines[len(v.lines)-1]
			if c.upper {
				ln.upper++
			} else if c.lower {
				ln.lower++
			}
			low := c.low
			v.letters++
			if len(f) == 1 && f[0] != low {
				v.accented++
			}
			tok := int32(len(v.toks) - 1)
			if len(f) == 1 {
				v.fold = append(v.fold, f[0])
				v.exact = append(v.exact, low)
				v.tokOf = append(v.tokOf, tok)
				continue
			}
			for _, x := range f {
				v.fold = append(v.fold, x)
				v.exact = append(v.exact, x)
				v.tokOf = append(v.tokOf, tok)
			}
		case c.invisible:
		default:
			inWord = false
			if r == '\n' {
				v.lines = append(v.lines, line{first: len(v.toks), end: len(v.toks)})
				continue
			}
			if !c.space && !c.soft && sep == 0 {
				sep = r
			}
		}
	}
	for i := range v.toks {
		if i+1 < len(v.toks) {
			v.toks[i].end = v.toks[i+1].start
		} else {
			v.toks[i].end = len(v.fold)
		}
	}
	return v
}

// lineBreaks writes every line break as \n. Pages come joined by a form feed, which is replaced
// in place; a replacer is built only for the rarer breaks (\r, U+0085, U+2028, U+2029).
func lineBreaks(s string) string {
	feeds := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r',
			c == 0xC2 && i+1 < len(s) && s[i+1] == 0x85,
			c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\v", "\n",
				"\u2028", "\n", "\u2029", "\n", "\u0085", "\n").Replace(s)
		case c == '\f' || c == '\v':
			feeds = true
		}
	}
	if !feeds {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexAny(s, "\f\v")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteByte('\n')
		s = s[i+1:]
	}
}

// hasDiacritics reports whether the text carries Vietnamese marks at all; text extracted through a
// broken font map or typed without marks does not, and then only folded matching is possible.
func (v *textView) hasDiacritics() bool {
	return v.accented > 0 && v.accented*25 >= v.letters
}

// lineText is the folded text of one line, words separated by one space. The header, the
// subject line and a declaration's family part each read lines, so each is made once.
func (v *textView) lineText(i int) string {
	if len(v.lineTexts) != len(v.lines) {
		v.lineTexts = slices.Grow(v.lineTexts[:0], len(v.lines))[:len(v.lines)]
		v.lineDone = slices.Grow(v.lineDone[:0], len(v.lines))[:len(v.lines)]
		clear(v.lineTexts)
		clear(v.lineDone)
	}
	if v.lineDone[i] {
		return v.lineTexts[i]
	}
	ln := v.lines[i]
	var b []byte
	if ln.end > ln.first {
		b = make([]byte, 0, 2*(v.toks[ln.end-1].end-v.toks[ln.first].start)+ln.end-ln.first)
	}
	for t := ln.first; t < ln.end; t++ {
		if t > ln.first {
			b = append(b, ' ')
		}
		for _, r := range v.fold[v.toks[t].start:v.toks[t].end] {
			b = utf8.AppendRune(b, r)
		}
	}
	v.lineTexts[i], v.lineDone[i] = string(b), true
	return v.lineTexts[i]
}

// phrase is something to look for: a title, a cue, a person's name.
type phrase struct {
	text string
	fold []rune   // folded syllables, concatenated
	syl  []int    // folded length of each syllable
	keys []string // syllableKey of each syllable
}

func newPhrase(s string) phrase {
	letters := sharedLetters()
	if !letters.isNFC(s) {
		s = norm.NFC.String(s)
	}
	p := phrase{text: s}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		// The word folded, spaces aside; Fold(w) without them.
		if !letters.isNFC(w) {
			w = norm.NFC.String(w)
		}
		n := len(p.fold)
		for _, r := range w {
			for _, x := range letters.fold(r) {
				if !unicode.IsSpace(x) {
					p.fold = append(p.fold, x)
				}
			}
		}
		if len(p.fold) == n {
			continue
		}
		p.syl = append(p.syl, len(p.fold)-n)
		p.keys = append(p.keys, syllableKey(w))
	}
	return p
}

// span is one occurrence of a phrase: words [t0,t1), folded runes [f0,f1).
type span struct {
	id     int
	t0, t1 int
	f0, f1 int
}

// exactAt reports whether the text at folded position p carries exactly the phrase's diacritics,
// syllable by syllable, however the text splits or joins its words.
func (v *textView) exactAt(p int, ph *phrase) bool {
	if len(v.marks) == 0 {
		for i, n := range ph.syl {
			if syllableKeyRunes(v.exact[p:p+n]) != ph.keys[i] {
				return false
			}
			p += n
		}
		return true
	}
	var b []rune
	for i, n := range ph.syl {
		b = b[:0]
		for j := p; j < p+n; j++ {
			b = append(b, v.exact[j])
			b = append(b, v.marks[j]...)
		}
		if syllableKey(string(b)) != ph.keys[i] {
			return false
		}
		p += n
	}
	return true
}

// accentedSpan reports whether the text carries any diacritic in [f0,f1).
func (v *textView) accentedSpan(f0, f1 int) bool {
	for j := f0; j < f1; j++ {
		if v.exact[j] != v.fold[j] || len(v.marks[j]) > 0 {
			return true
		}
	}
	return false
}

// dropContained keeps, of overlapping occurrences, those not strictly inside a longer one, so that
// "người nhận bản kê khai" is not also read as "kê khai". Occurrences with the very same extent
// are all kept. The result is in text order.
func dropContained(ms []span) []span {
	slices.SortFunc(ms, func(a, b span) int {
		if a.f0 != b.f0 {
			return a.f0 - b.f0
		}
		return b.f1 - a.f1
	})
	out := ms[:0]
	cov := span{f0: -1, f1: -1}
	for _, m := range ms {
		if m.f1 <= cov.f1 && (m.f0 != cov.f0 || m.f1 != cov.f1) {
			continue
		}
		out = append(out, m)
		if m.f1 > cov.f1 {
			cov = m
		}
	}
	return out
}

// roster indexes the names of a round's nominees.
type roster struct {
	people  []Person
	names   []phrase // per person
	set     *phraseSet
	members [][]int // per phrase of set: the people whose names fold to it
	// twins: per person, the others whose names fold alike but are spelt differently ("Lê Văn
	// Tâm", "Lê Văn Tám"); namesakes spelt the same are not twins but one group.
	twins [][]int
}

func newRoster(people []Person) *roster {
	r := &roster{people: people, names: make([]phrase, len(people))}
	byFold := map[string]int{}
	var ph []phrase
	for i, p := range people {
		r.names[i] = newPhrase(personName(p.Name))
		if len(r.names[i].fold) == 0 {
			continue
		}
		k := string(r.names[i].fold)
		id, ok := byFold[k]
		if !ok {
			id = len(ph)
			byFold[k] = id
			ph = append(ph, r.names[i])
			r.members = append(r.members, nil)
		}
		r.members[id] = append(r.members[id], i)
	}
	r.set = newPhraseSet(ph)
	r.twins = make([][]int, len(people))
	for _, m := range r.members {
		for _, i := range m {
			for _, j := range m {
				if !slices.Equal(r.names[i].keys, r.names[j].keys) {
					r.twins[i] = append(r.twins[i], j)
				}
			}
		}
	}
	return r
}

// misread finds the roster person whose name a written name, on nobody's entry, is a misreading
// of: its letters (marks, case, spaces and hyphens aside) at most one edit from theirs in eight
// letters, and nearer to theirs than to anyone else's — namesakes and diacritic twins are never
// told apart so. -1 for none.
func (r *roster) misread(name string) int {
	f := []rune(strings.Map(func(c rune) rune {
		if unicode.IsLetter(c) {
			return c
		}
		return -1
	}, Fold(name)))
	limit := max(1, len(f)/8)
	best, bestD, tie := -1, limit+1, false
	for i := range r.people {
		d := editDistance(f, r.names[i].fold, limit+1)
		switch {
		case d < bestD:
			best, bestD, tie = i, d, false
		case d == bestD && best >= 0:
			tie = true
		}
	}
	if best < 0 || tie {
		return -1
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or cap when it is at least cap.
func editDistance(a, b []rune, cap int) int {
	if d := len(a) - len(b); d >= cap || -d >= cap {
		return cap
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
			low = min(low, cur[j])
		}
		if low >= cap {
			return cap
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], cap)
}

// personName is the part of a roster entry that documents write: a note in brackets
// ("Nguyễn Văn Hùng (Bí thư)") is dropped unless it is all there is.
func personName(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth = max(depth-1, 0)
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return s
	}
	return b.String()
}

// nameHit is one occurrence of a roster name in the text.
type nameHit struct {
	span
	people []int // roster indices this occurrence may be
	exact  bool  // the text's diacritics decided (people then has one entry unless namesakes)
	// variant: the text carries diacritics here but not the roster's (a typo, or someone else).
	variant bool
	// unlisted: a name written like a person's that is nobody on the roster (people is empty).
	unlisted bool
}

// hits finds every roster name in the text. When several people's names fold alike, only an
// occurrence written with one of their exact spellings is attributed; any other form stays open
// between all of them.
func (r *roster) hits(v *textView) []nameHit {
	var out []nameHit
	nw := sharedNameWords()
	for _, s := range dropContained(v.find(r.set, true)) {
		if v.insideLongerName(s, nw) {
			continue
		}
		h := nameHit{span: s}
		for _, i := range r.members[s.id] {
			if v.exactAt(s.f0, &r.names[i]) {
				h.people = append(h.people, i)
			}
		}
		if len(h.people) > 0 {
			h.exact = true
		} else {
			h.people = slices.Clone(r.members[s.id])
			h.variant = v.accentedSpan(s.f0, s.f1)
		}
		out = append(out, h)
	}
	return out
}

// resolve maps a declared nominee — an id, or failing that a name — to a roster index, or -1.
func (r *roster) resolve(declared string) int {
	for i, p := range r.people {
		if p.ID == declared {
			return i
		}
	}
	key := syllableKeys(declared)
	found := -1
	for i := range r.people {
		if key != "" && syllableKeys(r.people[i].Name) == key {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	if found >= 0 {
		return found
	}
	f := strings.ReplaceAll(Fold(declared), " ", "")
	for i := range r.people {
		if f != "" && string(r.names[i].fold) == f {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

func syllableKeys(s string) string {
	return strings.Join(newPhrase(s).keys, " ")
}

// wordSet is a vocabulary of syllables, matched diacritic by diacritic where the text carries
// marks and folded where it does not.
type wordSet struct {
	exact map[string]bool // syllableKey
	fold  map[string]bool
}

func newWordSet(words string) wordSet {
	s := wordSet{exact: map[string]bool{}, fold: map[string]bool{}}
	for _, w := range strings.Fields(words) {
		s.exact[syllableKey(w)] = true
		s.fold[Fold(w)] = true
	}
	return s
}

// nameWords is what Vietnamese personal names are made of, and the words that stand before a
// name without being part of it.
type nameWords struct {
	surname wordSet
	middle  wordSet // middle-name syllables, which also open compound names ("Tôn Nữ", "Thị")
	title   wordSet // honorifics: "Ông Lê Văn Tâm" is Lê Văn Tâm
	notName wordSet // capitalised words that start the next field on a line ("Chức vụ: …")
	place   wordSet // words before a place named like a person ("tỉnh Hà Giang", "đường Trần Phú")
}

var sharedNameWords = sync.OnceValue(func() *nameWords {
	return &nameWords{
		surname: newWordSet(`Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào
			Đoàn Vương Trịnh Trương Lâm Phùng Mai Tô Tạ Hà Cao Đinh Lương Lưu Quách Châu Thái Kiều Từ Khúc
			Lạc Giang Triệu Nông Tôn Thân La Đàm Mạc Kim Chu Cù Diệp Doãn Hứa Khổng Lại Lục Nghiêm Ông Quan
			Tiêu Trình Ưng Vi Âu Bạch Bế Cầm Chung Giáp Hàn Hầu Khuất Khương Kha Lò Lường Mạch Ninh Nhữ Phí
			Sầm Sùng Giàng Thào Vàng Mùa Lầu Tòng Quàng Điêu Lộc Tống Trầm Viên Cấn Chử Đới Đường Lăng Lữ
			Mẫn Mông Nhâm Tào Thạch Thiều Tiết Ứng Bàn Đèo Lỗ Y Ksor Rơ Nay`),
		middle: newWordSet(`Văn Thị Hữu Đức Công Quốc Minh Ngọc Thanh Xuân Thu Kim Đình Quang Bá Duy Mạnh
			Trọng Tiến Hồng Gia Khắc Đăng Sỹ Chí Như Hoài Bảo Nhật Huy Trung Việt Vĩnh Tấn Phước Thế Mỹ
			Diệu Bích Thúy Phương Hải Tuấn Nữ Viết Thái Trường Cảnh Doãn`),
		title: newWordSet(`ông bà anh chị cô chú bác cụ em thầy ngài cháu`),
		place: newWordSet(`tỉnh huyện xã phường quận trấn phố thôn bản ấp làng xóm khu đường sông núi cầu
			chợ đảo đèo cảng trường viện ty`),
		notName: newWordSet(`chức năm ngày sinh quê nơi đơn cơ bí phó trưởng chủ giám ủy đảng số điện địa đại chánh cán ban huyện tỉnh xã phường quận sở phòng hội tổ nghề trình thường`),
	}
})

// tokenKey is the syllableKey of word t as the text writes it.
func (v *textView) tokenKey(t int) string {
	if len(v.keys) != len(v.toks) {
		v.keys = slices.Grow(v.keys[:0], len(v.toks))[:len(v.toks)]
		clear(v.keys)
	}
	if k := v.keys[t]; k != "" {
		return k
	}
	tk := v.toks[t]
	if len(v.marks) == 0 {
		v.keys[t] = syllableKeyRunes(v.exact[tk.start:tk.end])
		return v.keys[t]
	}
	var b []rune
	for j := tk.start; j < tk.end; j++ {
		b = append(b, v.exact[j])
		b = append(b, v.marks[j]...)
	}
	v.keys[t] = syllableKey(string(b))
	return v.keys[t]
}

// in reports whether word t is one of the set's words: spelt exactly so in a text with
// diacritics ("Ban" is no "Bàn"), folded alike in one without.
func (v *textView) in(t int, s wordSet) bool {
	if v.hasDiacritics() {
		return s.exact[v.tokenKey(t)]
	}
	tk := v.toks[t]
	return s.fold[string(v.fold[tk.start:tk.end])]
}

// isTitle reports an honorific at word t: "Ông", "Bà", the "chí" of "đồng chí".
func (v *textView) isTitle(t int, nw *nameWords) bool {
	if v.in(t, nw.title) {
		return true
	}
	if t == 0 || v.toks[t].hardGap || string(v.fold[v.toks[t].start:v.toks[t].end]) != "chi" {
		return false
	}
	p := v.toks[t-1]
	return string(v.fold[p.start:p.end]) == "dong"
}

// isSyllable reports whether word t can be one syllable of a written name: capitalised, short,
// letters only and with a vowel (not an abbreviation such as "VT" or "ĐBQH").
func (v *textView) isSyllable(t int) bool {
	tk := v.toks[t]
	if !tk.upper || tk.end-tk.start > 7 {
		return false
	}
	vowel := false
	for _, r := range v.fold[tk.start:tk.end] {
		if !unicode.IsLetter(r) {
			return false
		}
		vowel = vowel || strings.ContainsRune("aeiouy", r)
	}
	return vowel
}

// joined reports whether words t-1 and t may be parts of one written name: nothing but white
// space or a hyphen between them, on one line — or wrapped in a narrow signature column, where
// the line that ends with t-1 holds only one or two capitalised words ("Trần\nVăn Bình").
func (v *textView) joined(t int) bool {
	if t <= 0 || v.toks[t].hardGap {
		return false
	}
	l, m := v.toks[t-1].line, v.toks[t].line
	if l == m {
		return true
	}
	if m != l+1 || v.lines[l].end != t || v.lines[m].first != t || v.lines[l].end-v.lines[l].first > 2 {
		return false
	}
	for u := v.lines[l].first; u < t; u++ {
		if !v.isSyllable(u) {
			return false
		}
	}
	return true
}

// insideLongerName reports whether a roster name found at s ends somebody's longer name:
// "Trần Lê Văn Tâm" is not Lê Văn Tâm. The word before it must be a capitalised surname or
// middle-name syllable joined to it and no honorific ("Ông", "Đồng chí"). A name of its own
// before it — the next column of a signature line, the previous cell of a table row — leaves it
// whole: "Nguyễn Văn Minh Lê Văn Tâm".
func (v *textView) insideLongerName(s span, nw *nameWords) bool {
	p := s.t0 - 1
	if !v.joined(s.t0) || !v.isSyllable(p) || v.isTitle(p, nw) || !v.in(p, nw.surname) && !v.in(p, nw.middle) {
		return false
	}
	q := p
	for v.joined(q) && v.isSyllable(q-1) && !v.isTitle(q-1, nw) {
		q--
	}
	for i := q; i < p; i++ {
		if v.in(i, nw.surname) {
			return false
		}
	}
	return true
}

// unlistedNames finds what the text writes as a person's name where no roster name stands: two
// to five capitalised syllables on one line, the first a surname ("Trần Văn Bình", and "Trần Lê
// Văn Tâm" whose tail is a roster name). Longer runs of capitals are headings, not names, and a
// run after "tỉnh", "xã", "đường"… is a place.
func (v *textView) unlistedNames(hits []nameHit) []span {
	nw := sharedNameWords()
	covered := make(map[int]bool)
	for _, h := range hits {
		for t := h.t0; t < h.t1; t++ {
			covered[t] = true
		}
	}
	var out []span
	for t := 0; t < len(v.toks); t++ {
		if covered[t] || !v.isSyllable(t) || !v.in(t, nw.surname) || v.isTitle(t, nw) {
			continue
		}
		if v.joined(t) && v.isSyllable(t-1) && !covered[t-1] && !v.isTitle(t-1, nw) &&
			(v.in(t-1, nw.surname) || v.in(t-1, nw.middle)) {
			continue // inside a name that began earlier
		}
		place := v.joined(t) && v.in(t-1, nw.place)
		e := t + 1
		for e < len(v.toks) && e-t <= maxNameWords && v.joined(e) && v.isSyllable(e) && !covered[e] &&
			!v.in(e, nw.notName) {
			e++
		}
		// On a line in capitals every word is capitalised: there a name must be all of its part
		// of the line ("HỌ VÀ TÊN: TRẦN VĂN BÌNH"), not words in a heading ("HỒ SƠ ĐỀ NGHỊ").
		whole := (e == len(v.toks) || !v.joined(e)) && (!v.joined(t) || v.isTitle(t-1, nw))
		if e-t >= 2 && e-t <= maxNameWords && (whole || !v.capsLine(v.toks[t].line)) && !place {
			out = append(out, span{id: -1, t0: t, t1: e, f0: v.toks[t].start, f1: v.toks[e-1].end})
		}
		t = e - 1
	}
	return out
}

// capsLine reports whether line l is written in capitals.
func (v *textView) capsLine(l int) bool {
	ln := v.lines[l]
	return ln.upper+ln.lower > 0 && 10*ln.upper >= 6*(ln.upper+ln.lower)
}

// nameLine reports whether line l holds nothing but capitalised words, as a signature line does,
// one name or two in columns ("Đinh Thị Hà Ksor H'Bia").
func (v *textView) nameLine(l int) bool {
	ln := v.lines[l]
	for t := ln.first; t < ln.end; t++ {
		tk := v.toks[t]
		if !tk.upper || t > ln.first && tk.hardGap || slices.ContainsFunc(v.fold[tk.start:tk.end], func(r rune) bool {
			return !unicode.IsLetter(r)
		}) {
			return false
		}
	}
	return ln.end > ln.first
}

// maxNameWords is the most syllables a written name has ("Tôn Nữ Thị Minh Châu").
const maxNameWords = 5

// words is the text of words [t0,t1) as written, white space collapsed and invisible characters
// dropped.
func (v *textView) words(t0, t1 int) string {
	s := strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, v.raw[v.toks[t0].rawStart:v.toks[t1-1].rawEnd])
	return strings.Join(strings.Fields(s), " ")
}
