package ingest

import (
	"strings"
	"testing"

	"tinnhiem/dossier"
)

// The sentence saying why a declared person is in doubt never contradicts itself.
func TestNomineeMismatchSentence(t *testing.T) {
	r := dossier.Round{ID: "r", Nominees: []dossier.Nominee{{ID: "p01", Name: "Lê Văn Tâm"}, {ID: "p02", Name: "Lê Văn Tám"}, {ID: "p03", Name: "Đặng Thị Mai"}}}
	tests := []struct {
		name     string
		declared string
		says     Recognition
		want     string
		not      string
	}{
		{"another person", "p03", Recognition{Nominee: "p01"}, "tài liệu ghi tên Lê Văn Tâm (p01), không phải Đặng Thị Mai (p03)", ""},
		{"twins, the declared one among them", "p02", Recognition{Candidates: []string{"p01", "p02"}},
			"có thể là của Lê Văn Tâm (p01) hoặc Lê Văn Tám (p02); cần xác nhận đúng là của Lê Văn Tám (p02)", "không phải Lê Văn Tám"},
		{"twins, the declared one not among them", "p03", Recognition{Candidates: []string{"p01", "p02"}},
			"có thể là của Lê Văn Tâm (p01) hoặc Lê Văn Tám (p02), không phải Đặng Thị Mai (p03)", ""},
		{"a name off the roster", "p03", Recognition{OffRosterOwners: []string{"Trần Văn Bình"}},
			"tài liệu ghi tên Trần Văn Bình (không có trong danh sách), không phải Đặng Thị Mai (p03)", ""},
		{"nobody named", "p03", Recognition{}, "tài liệu không ghi tên Đặng Thị Mai (p03)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nomineeMismatchSentence(r, tc.declared, tc.says)
			if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
				t.Errorf("got %q, want %q without %q", got, tc.want, tc.not)
			}
		})
	}
}
