package ingest

import (
	"testing"

	"tinnhiem/dossier"
)

// A request's reference is its number with the date printed beside it; the letter head's date
// only when the number line has none.
func TestRequestRefDate(t *testing.T) {
	tests := []struct{ text, want string }{
		{"ỦY BAN NHÂN DÂN TỈNH\nSông Ray, ngày 18 tháng 11 năm 2026\nĐỀ NGHỊ GIẢI TRÌNH\nSố 05/ĐNGT ngày 20/11/2026\nĐề nghị đồng chí Lê Văn Tâm giải trình.",
			"số 05/ĐNGT ngày 20/11/2026"},
		{"ỦY BAN NHÂN DÂN TỈNH\nSố 05/ĐNGT\nSông Ray, ngày 18 tháng 11 năm 2026\nĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Lê Văn Tâm giải trình.",
			"số 05/ĐNGT ngày 18/11/2026"},
	}
	for _, tc := range tests {
		if got := requestRef(newTextView(tc.text), dossier.KindExplanationRequest); got != tc.want {
			t.Errorf("requestRef = %q, want %q\n%s", got, tc.want, tc.text)
		}
	}
}
