package ingest

import (
	"slices"
	"unicode/utf8"
)

// phraseSet finds phrases in a text. It is a trie over the phrases' folded runes: looking for
// every phrase at a word costs the length of the longest match there, not the number of phrases
// sharing a first letter (a 5,000-person roster has a thousand names beginning with "n").
type phraseSet struct {
	ph    []phrase
	nodes []trieNode
	edges []trieEdge // each node's children, together and sorted by rune
	// root holds the root's children by ASCII rune, which nearly every word begins with
	// (0: none).
	root [utf8.RuneSelf]int32
	// vocab, when the set is part of one, finds it with the others in one pass; index is its
	// place there.
	vocab *vocabulary
	index int
}

// vocabulary is phrase sets searched together: a recognizer looks for its titles, body wording,
// name cues and criteria in every document, and one walk of the text through one trie of them
// all finds what the walks for each would.
type vocabulary struct {
	all  *phraseSet
	sets int
	set  []int32 // per phrase of all: the set it comes from
	id   []int32 // … and its index there
}

// joinVocabulary makes the sets one vocabulary. A set belongs to one vocabulary at most.
func joinVocabulary(sets ...*phraseSet) {
	voc := &vocabulary{sets: len(sets)}
	var ph []phrase
	for i, s := range sets {
		s.vocab, s.index = voc, i
		for j, p := range s.ph {
			ph = append(ph, p)
			voc.set = append(voc.set, int32(i))
			voc.id = append(voc.id, int32(j))
		}
	}
	voc.all = newPhraseSet(ph)
}

type trieNode struct {
	edge0, nEdges int32
	ends          []int32 // the phrases whose folded runes end here, ascending
}

type trieEdge struct {
	r    rune
	node int32
}

func newPhraseSet(ph []phrase) *phraseSet {
	s := &phraseSet{ph: ph}
	// Laid out from the phrases in folded order: the phrases under a node are a range of them,
	// its children the runs of one rune at its depth. Ties keep the phrases' order.
	order := make([]int32, 0, len(ph))
	for i, p := range ph {
		if len(p.fold) > 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := slices.Compare(ph[a].fold, ph[b].fold); c != 0 {
			return c
		}
		return int(a - b)
	})
	s.nodes = append(s.nodes, trieNode{})
	s.build(0, order, 0)
	for _, e := range s.edges[s.nodes[0].edge0 : s.nodes[0].edge0+s.nodes[0].nEdges] {
		if e.r >= 0 && e.r < utf8.RuneSelf {
			s.root[e.r] = e.node
		}
	}
	return s
}

// build lays out node n, under which are the phrases in order (sorted, all with the same first
// depth runes).
func (s *phraseSet) build(n int32, order []int32, depth int) {
	for len(order) > 0 && len(s.ph[order[0]].fold) == depth {
		s.nodes[n].ends = append(s.nodes[n].ends, order[0])
		order = order[1:]
	}
	// One edge per run of phrases with the same rune at this depth, laid out together.
	edge0 := int32(len(s.edges))
	var runs [][]int32
	for i := 0; i < len(order); {
		r := s.ph[order[i]].fold[depth]
		j := i + 1
		for j < len(order) && s.ph[order[j]].fold[depth] == r {
			j++
		}
		s.edges = append(s.edges, trieEdge{r: r, node: int32(len(s.nodes))})
		s.nodes = append(s.nodes, trieNode{})
		runs = append(runs, order[i:j])
		i = j
	}
	s.nodes[n].edge0, s.nodes[n].nEdges = edge0, int32(len(runs))
	for k, run := range runs {
		s.build(s.edges[edge0+int32(k)].node, run, depth+1)
	}
}

// child is the node under n by the rune r, or -1.
func (s *phraseSet) child(n int32, r rune) int32 {
	if n == 0 && uint32(r) < utf8.RuneSelf {
		if c := s.root[r]; c > 0 {
			return c
		}
		return -1
	}
	nd := &s.nodes[n]
	es := s.edges[nd.edge0 : nd.edge0+nd.nEdges]
	if len(es) <= 8 {
		for _, e := range es {
			if e.r == r {
				return e.node
			}
		}
		return -1
	}
	i, ok := slices.BinarySearchFunc(es, r, func(e trieEdge, r rune) int { return int(e.r - r) })
	if !ok {
		return -1
	}
	return es[i].node
}

// find returns every occurrence of the set's phrases that starts at a word start and ends at a
// word end, in text order (at one word, in the order of the set's phrases). With softOnly the
// words inside an occurrence may be separated only by white space and hyphens (a name does not
// run across a comma).
func (v *textView) find(s *phraseSet, softOnly bool) []span {
	if s.vocab != nil && !softOnly {
		if v.vocab != s.vocab {
			v.vocab, v.vocabFound = s.vocab, v.findVocabulary(s.vocab)
		}
		return slices.Clone(v.vocabFound[s.index])
	}
	return v.search(s, softOnly)
}

// findVocabulary finds every set of a vocabulary, each as find would: the phrases of one set
// come in order in the joined trie, so at one word they keep their order.
func (v *textView) findVocabulary(voc *vocabulary) [][]span {
	out := make([][]span, voc.sets)
	for _, m := range v.search(voc.all, false) {
		k := voc.set[m.id]
		m.id = int(voc.id[m.id])
		out[k] = append(out[k], m)
	}
	return out
}

// search is find in the set's own trie.
func (v *textView) search(s *phraseSet, softOnly bool) []span {
	var out []span
	for t, tk := range v.toks {
		first := len(out)
		n := int32(0)
		for p := tk.start; p < len(v.fold); p++ {
			if w := int(v.tokOf[p]); w != t && p == v.toks[w].start && softOnly && v.toks[w].hardGap {
				break
			}
			if n = s.child(n, v.fold[p]); n < 0 {
				break
			}
			e := p + 1
			if ends := s.nodes[n].ends; len(ends) > 0 && (e == len(v.fold) || v.tokOf[e] != v.tokOf[p]) {
				for _, id := range ends {
					out = append(out, span{id: int(id), t0: t, t1: int(v.tokOf[p]) + 1, f0: tk.start, f1: e})
				}
			}
		}
		if len(out)-first > 1 {
			slices.SortStableFunc(out[first:], func(a, b span) int { return a.id - b.id })
		}
	}
	return out
}
