package worker_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/internal/pdffixture"
)

// A review that corrects a document's person and kind moves it: it leaves the versions of the
// person and kind it was first taken for (where it would make the same file, uploaded again for
// them, a "duplicate" of a paper that is no longer theirs), joins the new ones, and is judged
// against the deadline of its new kind, which it names.
func TestReviewMovesTheDocument(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	ctx := context.Background()
	doc := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con gương mẫu chấp hành pháp luật.")
	d := p.await(p.upload("r1", "a.pdf", doc, ingest.Declared{}).ID)
	if d.Status != dossier.StatusAccepted || d.Nominee != "n01" || d.Kind != dossier.KindSelfAssessment || d.Deadline != "dossier" {
		t.Fatalf("verdict: %s %s %s %q", d.Status, d.Nominee, d.Kind, d.Deadline)
	}
	out, err := p.review(d.ID, ingest.Review{Kind: dossier.KindExplanation, Nominee: "n02", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Nominee != "n02" || out.Kind != dossier.KindExplanation || out.Deadline != "explanation" || out.Status != dossier.StatusAccepted {
		t.Errorf("after review: %s %s %s deadline %q", out.Status, out.Nominee, out.Kind, out.Deadline)
	}
	if vs, _, err := p.docs.Versions(ctx, "r1", "n01", dossier.KindSelfAssessment); err != nil || len(vs) != 0 {
		t.Errorf("n01 self-assessment versions still list the moved document: %+v %v", vs, err)
	}
	if vs, _, err := p.docs.Versions(ctx, "r1", "n02", dossier.KindExplanation); err != nil || len(vs) != 1 || vs[0].ID != d.ID {
		t.Errorf("n02 explanation versions: %+v %v", vs, err)
	}
	// The same file uploaded again for n01 is n01's self-assessment, not a duplicate of n02's paper.
	again := p.await(p.upload("r1", "a-lan-2.pdf", doc, ingest.Declared{Nominee: "n01", Kind: dossier.KindSelfAssessment}).ID)
	if again.Status != dossier.StatusAccepted {
		t.Errorf("the same file again for n01: %s %s (duplicate of %s)", again.Status, again.Reason, again.DuplicateOf)
	}
}

// Reviews of one document at the same moment (two staff on the same page) either apply or are
// refused as not reviewable now (409 at the API), never an internal error.
func TestConcurrentReviewsAreRefusedNotFailed(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	doc := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao.")
	d := p.await(p.upload("r1", "a.pdf", doc, ingest.Declared{}).ID)
	const n = 8
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			_, err := p.review(d.ID, ingest.Review{Kind: dossier.KindSelfAssessment, Nominee: people[i%2].ID, By: "bantochuc"})
			errs <- err
		}()
	}
	close(start)
	applied := 0
	for range n {
		err := <-errs
		switch {
		case err == nil:
			applied++
		case !errors.Is(err, ingest.ErrNotReviewable):
			t.Errorf("concurrent review: %v (want applied or ErrNotReviewable)", err)
		}
	}
	if applied == 0 {
		t.Error("no review applied")
	}
}

// A review that moves a paper to another person takes off the warnings that were about the
// first one (not voted on, a name spelt otherwise) and adds those of the new one; what asked
// for the review goes.
func TestReviewRenewsWarnings(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	rd.Nominees[1].ExemptReason = "nghỉ hưu"
	p := newPipeline(t, rd)
	p.start(1)
	text := "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Nguyễn Thị Thanh Hà\nNhà ở, quyền sử dụng đất. Tổng thu nhập."
	d := p.await(p.upload("r1", "kk.pdf", pdffixture.Text(t, text), ingest.Declared{Kind: dossier.KindSelfAssessment}).ID)
	if d.Status != dossier.StatusNeedsReview || !contains(d.Warnings, "nominee_exempt") || !contains(d.Warnings, "kind_mismatch") {
		t.Fatalf("verdict: %s/%s %v", d.Status, d.Reason, d.Warnings)
	}
	out, err := p.review(d.ID, ingest.Review{Kind: dossier.KindAssetDeclaration, Nominee: "n01", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != dossier.StatusAccepted || len(out.Warnings) != 0 || out.Message != "" {
		t.Errorf("moved to a person on the ballot: %s %v %q", out.Status, out.Warnings, out.Message)
	}
	out, err = p.review(d.ID, ingest.Review{Kind: dossier.KindAssetDeclaration, Nominee: "n02", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(out.Warnings, "nominee_exempt") || !strings.Contains(out.Message, "không thuộc diện lấy phiếu") {
		t.Errorf("moved back to the exempt person: %v %q", out.Warnings, out.Message)
	}
}

// A request for explanation reviewed into another kind no longer has someone who asked.
func TestReviewAwayFromRequestDropsRequester(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	text := "ĐỀ NGHỊ GIẢI TRÌNH\nNgười đề nghị: Phan Văn Tiến\nĐề nghị đồng chí Trần Quốc Hùng giải trình về việc chậm tiến độ dự án."
	d := p.await(p.upload("r1", "dn.pdf", pdffixture.Text(t, text), ingest.Declared{}).ID)
	if d.Kind != dossier.KindExplanationRequest || d.Requester != "Phan Văn Tiến" {
		t.Fatalf("verdict: %s %q", d.Kind, d.Requester)
	}
	out, err := p.review(d.ID, ingest.Review{Kind: dossier.KindOther, Nominee: "n01", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Requester != "" {
		t.Errorf("reviewed to %s, requester still %q", out.Kind, out.Requester)
	}
}
