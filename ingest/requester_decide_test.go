package ingest_test

import (
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
)

// The verdict carries who asked for an explanation into the dossier's document, where only
// organizers see it; other papers name no requester.
func TestDecideRequester(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Hoàng Đức Lâm"}}, "2028-11-25")
	pending := dossier.Document{ID: "d1", Round: "r1", Status: dossier.StatusPending, Size: 100, SHA256: "ab",
		ReceivedAt: time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)}
	tests := []struct {
		name, text string
		kind       dossier.Kind
		nominee    string
		requester  string
	}{
		{"request by somebody off the roster",
			"PHIẾU ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị: Phan Văn Tiến\nNgười được đề nghị giải trình: Trần Quốc Hùng\nNội dung: việc chậm giải ngân.",
			dossier.KindExplanationRequest, "n01", "Phan Văn Tiến"},
		{"request by a person on the ballot",
			"PHIẾU ĐỀ NGHỊ GIẢI TRÌNH\nĐề nghị đồng chí Trần Quốc Hùng giải trình việc chậm giải ngân vốn đầu tư công.\nNGƯỜI ĐỀ NGHỊ\n(Ký, ghi rõ họ tên)\nHoàng Đức Lâm",
			dossier.KindExplanationRequest, "n01", "Hoàng Đức Lâm"},
		{"the board forwards",
			"TỈNH ỦY BÌNH SƠN\nBAN TỔ CHỨC\nSố 15-CV/BTCTU\nV/v chuyển ý kiến đề nghị giải trình\nKính gửi: Đồng chí Trần Quốc Hùng.\n" +
				"Ban Tổ chức Tỉnh ủy nhận được ý kiến đề nghị giải trình đối với đồng chí. Đề nghị đồng chí giải trình bằng văn bản.\nT/M BAN TỔ CHỨC\nTRƯỞNG BAN\nBùi Xuân Trường",
			dossier.KindExplanationRequest, "n01", ""},
		{"an explanation", "BÁO CÁO GIẢI TRÌNH\nTheo đề nghị của đại biểu Phan Văn Tiến, tôi xin giải trình như sau: việc chậm giải ngân do vướng mặt bằng.\nNGƯỜI GIẢI TRÌNH\nTrần Quốc Hùng",
			dossier.KindExplanation, "n01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ingest.Decide(pending, rd, ingest.Extraction{Pages: 1, Text: tc.text})
			if got.Status != dossier.StatusAccepted || got.Kind != tc.kind || got.Nominee != tc.nominee {
				t.Fatalf("got %s/%s %s %s, want accepted %s %s (%s)", got.Status, got.Reason, got.Kind, got.Nominee,
					tc.kind, tc.nominee, got.Message)
			}
			if got.Requester != tc.requester {
				t.Errorf("requester = %q, want %q", got.Requester, tc.requester)
			}
		})
	}
}
