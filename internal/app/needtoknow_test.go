package app

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
)

// Every field of a document is decided: shown in the outline (it says nothing of the content)
// or hidden. A field added to dossier.Document fails this test until someone decides.
func TestOutlineFields(t *testing.T) {
	shown := []string{"ID", "Round", "File", "Size", "SHA256", "ContentType", "ReceivedAt", "Uploader", "DeclaredKind",
		"DeclaredNominee", "Status", "Kind", "Nominee", "Reason", "Message", "Warnings", "Pages", "OCR", "Format",
		"DuplicateOf", "AnswersRequest", "Deadline", "VerdictAt", "ReviewedBy", "ReviewedAt", "Revision", "KindConfidence", "OCRConfidence"}
	hidden := []string{"Excerpt", "RequestRef", "Requester", "Rendering"}
	var full dossier.Document
	v := reflect.ValueOf(&full).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if !slices.Contains(shown, name) && !slices.Contains(hidden, name) {
			t.Errorf("dossier.Document.%s is new: decide whether a counter or a viewer may see it (needtoknow.go) and list it here", name)
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("từ tài liệu " + name)
		case reflect.Int, reflect.Int64:
			f.SetInt(7)
		case reflect.Float64:
			f.SetFloat(0.5)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"missing_criterion:family_example"}))
		case reflect.Struct:
			f.Set(reflect.ValueOf(time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)))
		}
	}
	out := reflect.ValueOf(outline(dossier.Round{}, full))
	for i := range out.NumField() {
		name := out.Type().Field(i).Name
		zero := out.Field(i).IsZero() || (out.Field(i).Kind() == reflect.Slice && out.Field(i).Len() == 0)
		switch {
		case slices.Contains(hidden, name) && !zero:
			t.Errorf("%s reaches the outline", name)
		case slices.Contains(shown, name) && name != "Message" && name != "Warnings" && !reflect.DeepEqual(out.Field(i).Interface(), v.Field(i).Interface()):
			t.Errorf("%s is lost in the outline", name)
		}
	}
	if w := outline(dossier.Round{}, full).Warnings; w == nil || len(w) != 0 {
		t.Errorf("warnings %v, want an empty list", w)
	}
}

// The outline's message is made from codes and the round, never from the verdict's words.
func TestOutlineMessage(t *testing.T) {
	rd := dossier.Round{ID: "r", Nominees: []dossier.Nominee{{ID: "n01", Name: "Trần Quốc Hùng"}},
		Removed: []dossier.Nominee{{ID: "n09", Name: "Lê Thị Chín"}}}
	const quoted = "Vũ Đình Khoa"
	for _, c := range []struct {
		status, reason, format string
		want                   string
	}{
		{dossier.StatusNeedsReview, ingest.ReasonNomineeMismatch, "pdf", "khác với người đã khai"},
		{dossier.StatusNeedsReview, ingest.ReasonAmbiguousNominee, "pdf", "nhiều người"},
		{dossier.StatusNeedsReview, ingest.ReasonKindMismatch, "pdf", "loại tài liệu đã khai"},
		{dossier.StatusNeedsReview, ingest.ReasonKindUncertain, "pdf", "Chưa chắc chắn"},
		{dossier.StatusNeedsReview, ingest.ReasonOCRUncertain, "jpeg", "OCR"},
		{dossier.StatusRejected, ingest.ReasonUnknownKind, "pdf", "không phải giấy tờ"},
		{dossier.StatusRejected, ingest.ReasonUnknownNominee, "pdf", "Không xác định được"},
		{dossier.StatusRejected, ingest.ReasonRemovedNominee, "pdf", "Lê Thị Chín đã được rút"},
		{dossier.StatusRejected, ingest.ReasonDuplicate, "pdf", "mã d0"},
		{dossier.StatusRejected, ingest.ReasonTooLarge, "", "quá lớn"},
		{dossier.StatusRejected, "encrypted", "pdf", "mật khẩu"},
		{dossier.StatusRejected, "corrupt", "docx", "Word"},
		{dossier.StatusNeedsReview, "no_text_layer", "pdf", "người có thẩm quyền xác nhận"},
		{dossier.StatusAccepted, "", "pdf", ""},
	} {
		nominee := "n01"
		if c.reason == ingest.ReasonRemovedNominee {
			nominee = "n09"
		}
		d := dossier.Document{Status: c.status, Reason: c.reason, Format: c.format, Nominee: nominee, DuplicateOf: "d0",
			Message: "Tài liệu ghi tên " + quoted + " (không có trong danh sách)."}
		got := outlineMessage(rd, d)
		if strings.Contains(got, quoted) || (c.want == "" && got != "") || !strings.Contains(got, c.want) {
			t.Errorf("%s/%s: %q, want it to say %q and quote nothing", c.status, c.reason, got, c.want)
		}
	}
	// Late: the round's deadline and the receipt time, which the outline shows anyway.
	late, err := dossier.ParseRound([]byte("id: r\norganization: X\ntitle: T\nvote_date: 2028-12-15\ndeadlines: {dossier: 2028-11-25}\nsummoned: 5\n" +
		"nominees:\n  - {id: n01, name: Trần Quốc Hùng, position: Bí thư}\n"))
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2028, 11, 26, 2, 0, 0, 0, time.UTC)
	d := dossier.Document{Status: dossier.StatusLate, Kind: dossier.KindSelfAssessment, Nominee: "n01", ReceivedAt: received,
		Message: "Nộp muộn. Tài liệu ghi tên " + quoted + "."}
	dl, _ := late.DeadlineFor(dossier.KindSelfAssessment)
	if got, want := outlineMessage(late, d), dossier.LateMessage(late, received, dl.At); got != want || got == "" {
		t.Errorf("late: %q, want %q", got, want)
	}
}
