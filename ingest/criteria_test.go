package ingest

import (
	"slices"
	"strings"
	"testing"

	"tinnhiem/dossier"
)

func TestCriterionLabels(t *testing.T) {
	codes := CriterionCodes()
	want := []string{CriterionPolitical, CriterionEthics, CriterionDiscipline, CriterionDuties, CriterionFamily}
	if !slices.Equal(codes, want) {
		t.Fatalf("codes = %v, want %v", codes, want)
	}
	for _, c := range codes {
		l := CriterionLabel(c)
		if l == c || l == "" {
			t.Errorf("CriterionLabel(%q) = %q, want a Vietnamese label", c, l)
		}
	}
	if got := CriterionLabel("nope"); got != "nope" {
		t.Errorf("unknown code label = %q", got)
	}
}

func TestMissingCriteria(t *testing.T) {
	all := "Về phẩm chất chính trị: vững vàng. Đạo đức, lối sống: giản dị. Ý thức tổ chức kỷ luật: tốt. " +
		"Kết quả thực hiện chức trách, nhiệm vụ được giao: hoàn thành. Vợ, con chấp hành tốt pháp luật."
	tests := []struct {
		name, text string
		want       []string
	}{
		{"all five", all, nil},
		{"all five in capitals", strings.ToUpper(all), nil},
		{"without marks", Fold(all), nil},
		{"variants", "Bản lĩnh chính trị vững vàng; lối sống lành mạnh; giữ nghiêm kỷ cương; hoàn thành nhiệm vụ được " +
			"phân công; gia đình gương mẫu chấp hành pháp luật.", nil},
		{"spouse as vợ (chồng)", "Tư tưởng chính trị, đạo đức, kỷ luật, chức trách: tốt. Trách nhiệm nêu gương của vợ (chồng), con: tốt.", nil},
		{"no family", "Phẩm chất chính trị, đạo đức, lối sống, kỷ luật tốt; hoàn thành chức trách.", []string{CriterionFamily}},
		{"chống is not chồng", "Phẩm chất chính trị, đạo đức, kỷ luật, chức trách tốt. Công tác phòng, chống tham nhũng " +
			"còn hạn chế, còn để xảy ra vi phạm.", []string{CriterionFamily}},
		{"only duties", "Kết quả thực hiện nhiệm vụ được giao: hoàn thành.",
			[]string{CriterionPolitical, CriterionEthics, CriterionDiscipline, CriterionFamily}},
		{"empty", "", CriterionCodes()},
	}
	m := newCriteriaMatcher()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.missing(newTextView(tt.text)); !slices.Equal(got, tt.want) {
				t.Errorf("missing = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMissingCriterionWarnings(t *testing.T) {
	text := "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nĐạo đức, lối sống tốt; hoàn thành nhiệm vụ được giao."
	got := Recognize(text, rosterBTV, Declared{})
	want := []string{CriterionPolitical, CriterionDiscipline, CriterionFamily}
	if !slices.Equal(got.MissingCriteria, want) {
		t.Fatalf("missing = %v, want %v", got.MissingCriteria, want)
	}
	for _, c := range want {
		if !slices.Contains(got.Warnings, WarnMissingCriterion+c) {
			t.Errorf("warnings %v lack %s", got.Warnings, WarnMissingCriterion+c)
		}
	}
	// Only self-assessments are held to the criteria.
	other := Recognize("BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng", rosterBTV, Declared{})
	if other.Kind != dossier.KindAssetDeclaration || len(other.MissingCriteria) > 0 {
		t.Errorf("asset declaration: kind %s, missing %v", other.Kind, other.MissingCriteria)
	}
}
