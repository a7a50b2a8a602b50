package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"tinnhiem/dossier"
)

// corpusCase is one document of testdata/classify with what Recognize must say about it.
type corpusCase struct {
	File     string `json:"file"`
	Roster   string `json:"roster"`
	Declared struct {
		Kind    dossier.Kind `json:"kind"`
		Nominee string       `json:"nominee"`
	} `json:"declared"`
	Kind    dossier.Kind `json:"kind"`
	Nominee string       `json:"nominee"`
	// What the content alone says, when a declaration overrides it.
	ContentKind    dossier.Kind `json:"content_kind"`
	ContentNominee string       `json:"content_nominee"`
	Missing        *[]string    `json:"missing"`
	Warnings       []string     `json:"warnings"`
	Candidates     []string     `json:"candidates"`
	Reason         string       `json:"reason"`
	RequestRef     *string      `json:"request_ref"`
}

// reviewCodes are the warnings that send a document to a person; a case must expect each one it
// gets, so that a change cannot quietly push good documents into review.
var reviewCodes = []string{WarnKindMismatch, WarnNomineeMismatch, WarnAmbiguousNominee, WarnKindUncertain,
	WarnNomineeVariant}

func loadCorpus(t testing.TB) (map[string][]Person, []corpusCase) {
	t.Helper()
	dir := filepath.Join("testdata", "classify")
	var rosters map[string][]struct{ ID, Name string }
	readJSON(t, filepath.Join(dir, "rosters.json"), &rosters)
	people := map[string][]Person{}
	for k, rs := range rosters {
		for _, r := range rs {
			people[k] = append(people[k], Person{ID: r.ID, Name: r.Name})
		}
	}
	var cases []corpusCase
	readJSON(t, filepath.Join(dir, "cases.json"), &cases)
	return people, cases
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestRecognizeCorpus runs every document of the corpus and requires all kinds and persons right.
func TestRecognizeCorpus(t *testing.T) {
	rosters, cases := loadCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	var kindsOK, peopleOK int
	for _, c := range cases {
		roster, ok := rosters[c.Roster]
		if !ok {
			t.Fatalf("%s: unknown roster %q", c.File, c.Roster)
		}
		b, err := os.ReadFile(filepath.Join("testdata", "classify", c.File))
		if err != nil {
			t.Fatal(err)
		}
		got := Recognize(string(b), roster, Declared{Kind: c.Declared.Kind, Nominee: c.Declared.Nominee})
		name := c.File
		if c.Declared.Kind != "" || c.Declared.Nominee != "" {
			name += " (declared)"
		}
		t.Run(name, func(t *testing.T) {
			if got.Kind == c.Kind {
				kindsOK++
			} else {
				t.Errorf("kind = %s (%.2f), want %s", got.Kind, got.KindConfidence, c.Kind)
			}
			if got.Nominee == c.Nominee {
				peopleOK++
			} else {
				t.Errorf("nominee = %q (%.2f, candidates %v), want %q", got.Nominee, got.NomineeConfidence,
					got.Candidates, c.Nominee)
			}
			checkRecognition(t, c, got)
			if c.ContentKind != "" || c.ContentNominee != "" {
				plain := Recognize(string(b), roster, Declared{})
				if c.ContentKind != "" && plain.Kind != c.ContentKind {
					t.Errorf("content kind = %s, want %s", plain.Kind, c.ContentKind)
				}
				if c.ContentNominee != "" && plain.Nominee != c.ContentNominee {
					t.Errorf("content nominee = %q, want %q", plain.Nominee, c.ContentNominee)
				}
			}
		})
	}
	n := len(cases)
	t.Logf("corpus: kinds %d/%d (%.1f%%), persons %d/%d (%.1f%%)", kindsOK, n, 100*float64(kindsOK)/float64(n),
		peopleOK, n, 100*float64(peopleOK)/float64(n))
	if kindsOK != n || peopleOK != n {
		t.Errorf("corpus accuracy below 100%%")
	}
}

func checkRecognition(t *testing.T, c corpusCase, got Recognition) {
	t.Helper()
	for _, w := range c.Warnings {
		if !slices.Contains(got.Warnings, w) {
			t.Errorf("warnings %v lack %q", got.Warnings, w)
		}
	}
	for _, w := range got.Warnings {
		if slices.Contains(reviewCodes, w) && !slices.Contains(c.Warnings, w) {
			t.Errorf("unexpected warning %q (kind %.2f, nominee %.2f)", w, got.KindConfidence, got.NomineeConfidence)
		}
	}
	if c.Kind == dossier.KindSelfAssessment && c.Missing == nil {
		t.Errorf("case must state the missing criteria of a self-assessment")
	}
	if c.Missing != nil && !slices.Equal(got.MissingCriteria, *c.Missing) &&
		(len(got.MissingCriteria) > 0 || len(*c.Missing) > 0) {
		t.Errorf("missing criteria = %v, want %v", got.MissingCriteria, *c.Missing)
	}
	if c.Candidates != nil && !slices.Equal(got.Candidates, c.Candidates) {
		t.Errorf("candidates = %v, want %v", got.Candidates, c.Candidates)
	}
	if got.Reason != c.Reason {
		t.Errorf("reason = %q, want %q", got.Reason, c.Reason)
	}
	if c.RequestRef != nil && got.RequestRef != *c.RequestRef {
		t.Errorf("request ref = %q, want %q", got.RequestRef, *c.RequestRef)
	}
	if got.KindConfidence < 0 || got.KindConfidence > 1 || got.NomineeConfidence < 0 || got.NomineeConfidence > 1 {
		t.Errorf("confidences out of range: %v %v", got.KindConfidence, got.NomineeConfidence)
	}
}
