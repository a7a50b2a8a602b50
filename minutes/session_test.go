package minutes_test

import (
	"errors"
	"fmt"
	"testing"

	"tinnhiem/internal/problem"
	"tinnhiem/minutes"
)

func TestCheckSession(t *testing.T) {
	tests := []struct {
		name  string
		s     minutes.Session
		paths []string // problem paths, in order; none = valid
	}{
		{"empty", minutes.Session{}, nil},
		{"times in order", minutes.Session{SessionOpenedAt: "2028-12-15T07:30", SessionClosedAt: "2028-12-15T11:30",
			CountingOpenedAt: "2028-12-15T09:00", CountingClosedAt: "2028-12-15T10:00"}, nil},
		{"closed before opened", minutes.Session{SessionOpenedAt: "2028-12-15T07:30", SessionClosedAt: "2028-12-14T07:30",
			CountingOpenedAt: "2028-12-15T10:00", CountingClosedAt: "2028-12-15T09:00"}, []string{"session.session_closed_at", "session.counting_closed_at"}},
		{"not a time", minutes.Session{SessionOpenedAt: "sáng nay"}, []string{"session.session_opened_at"}},
		{"numbers of known documents only", minutes.Session{DocNumbers: map[string]string{"bien-ban-kiem-phieu": "05-BB/TU", "bien-ban-kiem-phiu": "x", "bao-cao": "y"}},
			[]string{"session.doc_numbers.bao-cao", "session.doc_numbers.bien-ban-kiem-phiu"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := minutes.CheckSession(tc.s)
			var got []string
			var ve problem.List
			if errors.As(err, &ve) {
				for _, p := range ve {
					got = append(got, p.Path)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.paths) {
				t.Errorf("problems at %v, want %v (%v)", got, tc.paths, err)
			}
		})
	}
}
