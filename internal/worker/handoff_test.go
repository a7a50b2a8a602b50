package worker_test

import (
	"context"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/internal/pdffixture"
)

// TestHandoffReadsUploadsFromMemory: with the receiver's handoff enabled, the worker reads a
// small upload from the bytes this process received — here its stored original is deleted
// before the worker starts, and the verdict is still the file's — and a file the handoff no
// longer holds is read from the store as before.
func TestHandoffReadsUploadsFromMemory(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	h := p.recv.Handoff
	h.Enable()
	text := func(n int) []byte {
		return pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con. Bản "+string(rune('0'+n))+".")
	}
	inMemory := p.upload("r1", "bao-cao.pdf", text(1), ingest.Declared{})
	if err := p.recv.Objects.Delete(context.Background(), inMemory.ID); err != nil {
		t.Fatal(err)
	}
	fromStore := p.upload("r1", "bao-cao-2.pdf", text(2), ingest.Declared{})
	h.Drop(fromStore.ID)

	p.startWith(1, h)
	for _, d := range []dossier.Document{inMemory, fromStore} {
		got := p.await(d.ID)
		if got.Status != dossier.StatusAccepted || got.Kind != dossier.KindSelfAssessment || got.Nominee != "n01" {
			t.Errorf("%s: %s %s %s %s", d.File, got.Status, got.Reason, got.Kind, got.Nominee)
		}
	}
	if _, ok := h.Take(inMemory.ID, inMemory.SHA256); ok {
		t.Error("the handed-over file is still held after its verdict")
	}
}
