package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/pdffixture"
)

// projection replays the round's DOSSIER events as the dossier projector does.
func projection(t testing.TB, p *pipeline, round string) *dossier.State {
	t.Helper()
	ctx := context.Background()
	st := dossier.NewState(round)
	s, err := p.ns.JS.Stream(ctx, bus.StreamDossier)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		if r, kind, err := dossier.ParseSubject(m.Subject); err != nil || r != round || kind != "document" {
			continue
		}
		if _, err := st.Apply(m.Subject, m.Data, seq); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// awaitEvent waits until the projection holds the document at its stored revision.
func awaitEvent(t testing.TB, p *pipeline, d dossier.Document) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if e, ok := projection(t, p, d.Round).Docs[d.ID]; ok && e.Revision == d.Revision {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event for %s revision %d", d.ID, d.Revision)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func nomineeStatus(t testing.TB, rep dossier.Report, id string) dossier.NomineeStatus {
	t.Helper()
	for _, ns := range rep.Nominees {
		if ns.Nominee == id {
			return ns
		}
	}
	t.Fatalf("no dossier for %s", id)
	return dossier.NomineeStatus{}
}

// A paper declared for a person or kind its content contradicts waits for review: it neither
// completes the dossier nor displaces the right version received before it; once a person
// confirms it, it counts.
func TestPipelineContradictedPaperWaitsForReview(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	good := p.await(p.upload("r1", "hung.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{}).ID)
	if good.Status != dossier.StatusAccepted || good.Nominee != "n01" {
		t.Fatalf("right paper: %s %s", good.Status, good.Nominee)
	}
	p.now = p.now.Add(time.Hour)
	// Hà's self-assessment, declared as Hùng's; and Hùng's, declared as Hà's.
	haText := "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Nguyễn Thị Thanh Hà\nVề phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; chồng, con gương mẫu chấp hành pháp luật."
	wrong := p.await(p.upload("r1", "nham.pdf", pdffixture.Text(t, haText), ingest.Declared{Nominee: "n01", Kind: dossier.KindSelfAssessment}).ID)
	forHa := p.await(p.upload("r1", "cua-ha.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment+"\n"), ingest.Declared{Nominee: "n02"}).ID)
	for _, d := range []dossier.Document{wrong, forHa} {
		if d.Status != dossier.StatusNeedsReview || d.Reason != ingest.ReasonNomineeMismatch || !contains(d.Warnings, "nominee_mismatch") || d.Message == "" {
			t.Fatalf("%s: %s/%s %v %q, want needs_review/nominee_mismatch", d.File, d.Status, d.Reason, d.Warnings, d.Message)
		}
	}
	if wrong.Nominee != "n01" || forHa.Nominee != "n02" || wrong.Kind != dossier.KindSelfAssessment {
		t.Errorf("declared values not kept: %s %s, %s", wrong.Nominee, wrong.Kind, forHa.Nominee)
	}
	awaitEvent(t, p, wrong)
	awaitEvent(t, p, forHa)

	rep := dossier.Status(rd, projection(t, p, "r1"), p.now)
	hung := nomineeStatus(t, rep, "n01")
	if got := hung.Documents[dossier.KindSelfAssessment]; got != dossier.StatusAccepted {
		t.Errorf("Hùng's self-assessment shows %s", got)
	}
	for _, v := range hung.Versions[dossier.KindSelfAssessment] {
		if v.Current != (v.DocumentID == good.ID) {
			t.Errorf("current version %s (%s), want the right paper %s", v.DocumentID, v.Status, good.ID)
		}
	}
	ha := nomineeStatus(t, rep, "n02")
	if ha.Documents[dossier.KindSelfAssessment] != dossier.StatusNeedsReview || !contains(kinds(ha.Missing), string(dossier.KindSelfAssessment)) {
		t.Errorf("Hà's dossier counts a paper not confirmed: %v missing %v", ha.Documents, ha.Missing)
	}
	if rep.Summary.NeedsReview != 2 {
		t.Errorf("needs_review count %d, want 2", rep.Summary.NeedsReview)
	}

	// Confirmed by a person, it counts (and, newest, becomes the current version).
	out, err := p.review(forHa.ID, ingest.Review{Kind: dossier.KindSelfAssessment, Nominee: "n02", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != dossier.StatusAccepted || contains(out.Warnings, "nominee_mismatch") || out.Reason != "" {
		t.Errorf("after review: %s/%s %v", out.Status, out.Reason, out.Warnings)
	}
	awaitEvent(t, p, out)
	rep = dossier.Status(rd, projection(t, p, "r1"), p.now)
	if got := nomineeStatus(t, rep, "n02").Documents[dossier.KindSelfAssessment]; got != dossier.StatusAccepted {
		t.Errorf("confirmed paper shows %s", got)
	}

	// The wrongly declared paper sent again without a declaration is a duplicate of the copy
	// waiting for review (the person confirms that one), not a second copy that counts.
	again := p.await(p.upload("r1", "nham-lan-2.pdf", pdffixture.Text(t, haText), ingest.Declared{}).ID)
	if again.Reason != ingest.ReasonDuplicate || again.DuplicateOf != wrong.ID {
		t.Errorf("same bytes as a paper in review: %s/%s of %q", again.Status, again.Reason, again.DuplicateOf)
	}
	// A copy of the right paper declared for somebody else waits for review; confirmed for the
	// person whose copy already counts, it is that copy's duplicate, not a second version.
	copyOfGood := p.await(p.upload("r1", "hung-lan-2.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{Nominee: "n02", Kind: dossier.KindSelfAssessment}).ID)
	if copyOfGood.Status != dossier.StatusNeedsReview {
		t.Fatalf("copy declared for another: %s/%s", copyOfGood.Status, copyOfGood.Reason)
	}
	dup, err := p.review(copyOfGood.ID, ingest.Review{Kind: dossier.KindSelfAssessment, Nominee: "n01", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if dup.Status != dossier.StatusRejected || dup.Reason != ingest.ReasonDuplicate || dup.DuplicateOf != good.ID {
		t.Errorf("confirmed onto the counting copy: %s/%s of %q", dup.Status, dup.Reason, dup.DuplicateOf)
	}
	awaitEvent(t, p, dup)
	// Nor can the same file count for a second person: confirmed for Hà, it is the duplicate of
	// the copy counting for Hùng.
	forOther := p.await(p.upload("r1", "hung-lan-3.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{Nominee: "n02", Kind: dossier.KindSelfAssessment}).ID)
	if !strings.Contains(forOther.Message, "đang được tính cho Trần Quốc Hùng (n01)") || !strings.Contains(forOther.Message, good.ID) {
		t.Errorf("the message does not name the copy that counts: %q", forOther.Message)
	}
	moved, err := p.review(forOther.ID, ingest.Review{Kind: dossier.KindSelfAssessment, Nominee: "n02", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Reason != ingest.ReasonDuplicate || moved.DuplicateOf != good.ID {
		t.Errorf("same bytes confirmed for a second person: %s/%s of %q", moved.Status, moved.Reason, moved.DuplicateOf)
	}
	rep = dossier.Status(rd, projection(t, p, "r1"), p.now)
	for _, v := range nomineeStatus(t, rep, "n01").Versions[dossier.KindSelfAssessment] {
		if v.Current != (v.DocumentID == good.ID) {
			t.Errorf("current version %s (%s), want the first copy %s", v.DocumentID, v.Status, good.ID)
		}
	}
}

func kinds(ks []dossier.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// The same bytes sent again are a duplicate of the first copy kept, whether that one still waits
// for review (no person yet) or was confirmed by a person since; the message names the first file.
func TestPipelineDuplicateOfDocumentsInReview(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	rd := ingesttest.RoundWith(t, "r1", people, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	scan := pdffixture.Scan(t)

	first := p.await(p.upload("r1", "ban-quet.pdf", scan, ingest.Declared{}).ID)
	if first.Status != dossier.StatusNeedsReview || first.Nominee != "" {
		t.Fatalf("scan: %s %s %q", first.Status, first.Reason, first.Nominee)
	}
	again := p.await(p.upload("r1", "ban-quet-lan-2.pdf", scan, ingest.Declared{}).ID)
	declared := p.await(p.upload("r1", "ban-quet-cua-hung.pdf", scan, ingest.Declared{Nominee: "n01", Kind: dossier.KindSelfAssessment}).ID)
	for _, d := range []dossier.Document{again, declared} {
		if d.Status != dossier.StatusRejected || d.Reason != ingest.ReasonDuplicate || d.DuplicateOf != first.ID || !strings.Contains(d.Message, "ban-quet.pdf") {
			t.Errorf("%s while the first waits for review: %s/%s of %q: %s", d.File, d.Status, d.Reason, d.DuplicateOf, d.Message)
		}
	}

	confirmed, err := p.review(first.ID, ingest.Review{Kind: dossier.KindSelfAssessment, Nominee: "n01", By: "bantochuc"})
	if err != nil {
		t.Fatal(err)
	}
	afterReview := p.await(p.upload("r1", "ban-quet-lan-3.pdf", scan, ingest.Declared{}).ID)
	if afterReview.Reason != ingest.ReasonDuplicate || afterReview.DuplicateOf != confirmed.ID || !strings.Contains(afterReview.Message, "ban-quet.pdf") {
		t.Errorf("after the first was confirmed: %s/%s of %q: %s", afterReview.Status, afterReview.Reason, afterReview.DuplicateOf, afterReview.Message)
	}
	// Declared for somebody else, the same scan is another person's paper, for a person to judge.
	other := p.await(p.upload("r1", "ban-quet-cua-ha.pdf", scan, ingest.Declared{Nominee: "n02", Kind: dossier.KindSelfAssessment}).ID)
	if other.Status != dossier.StatusNeedsReview {
		t.Errorf("declared for another person: %s/%s of %q", other.Status, other.Reason, other.DuplicateOf)
	}

	// A paper naming nobody, refused, then placed by a person: the same file again is its duplicate.
	nobody := pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Lê Văn Tám\nNhà ở, quyền sử dụng đất.")
	refused := p.await(p.upload("r1", "khong-ro.pdf", nobody, ingest.Declared{}).ID)
	if refused.Reason != ingest.ReasonUnknownNominee {
		t.Fatalf("paper naming nobody: %s/%s", refused.Status, refused.Reason)
	}
	if _, err := p.review(refused.ID, ingest.Review{Kind: dossier.KindAssetDeclaration, Nominee: "n02", By: "bantochuc"}); err != nil {
		t.Fatal(err)
	}
	resent := p.await(p.upload("r1", "khong-ro-lan-2.pdf", nobody, ingest.Declared{}).ID)
	if resent.Reason != ingest.ReasonDuplicate || resent.DuplicateOf != refused.ID {
		t.Errorf("after the refused paper was placed: %s/%s of %q", resent.Status, resent.Reason, resent.DuplicateOf)
	}
}

// A redelivered message of a document whose effects were recorded before the process died
// (its copy and version written, its verdict not stored) reaches the same verdict, not a
// duplicate of itself.
func TestPipelineRedeliveryIsNotItsOwnDuplicate(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25")
	p := newPipeline(t, rd)
	p.start(1)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		data     []byte
		declared ingest.Declared
		status   string
	}{
		{"accepted", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{}, dossier.StatusAccepted},
		{"needs review, nobody yet", pdffixture.Scan(t), ingest.Declared{}, dossier.StatusNeedsReview},
	} {
		first := p.await(p.upload("r1", tc.name+".pdf", tc.data, tc.declared).ID)
		if first.Status != tc.status {
			t.Fatalf("%s: %s/%s", tc.name, first.Status, first.Reason)
		}
		// Back to where a process that died before storing the verdict left it.
		d, rev, err := p.docs.Get(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.Status, d.Reason, d.Message, d.Kind, d.Nominee, d.Warnings, d.Revision = dossier.StatusPending, "", "", "", "", []string{}, 0
		if err := p.docs.Update(ctx, d, rev); err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(ingest.Uploaded{DocumentID: d.ID, Round: d.Round})
		msg := &nats.Msg{Subject: ingest.UploadedSubject("r1"), Data: data, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, "redelivery-"+d.ID)
		if _, err := p.ns.JS.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
		again := p.await(d.ID)
		if again.Status != first.Status || again.Reason != first.Reason || again.DuplicateOf != "" {
			t.Errorf("%s redelivered: %s/%s of %q, first time %s/%s", tc.name, again.Status, again.Reason, again.DuplicateOf, first.Status, first.Reason)
		}
	}
}

// Identical files handled at the same moment: exactly one of each pair stands, the other is its
// duplicate.
func TestPipelineConcurrentIdenticalUploads(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25")
	p := newPipeline(t, rd)
	const pairs = 4
	var ids [pairs][2]string
	for i := range pairs {
		var data []byte
		if i%2 == 0 {
			data = pdffixture.Text(t, fmt.Sprintf("BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nLần bổ sung số %d.", i))
		} else {
			data = append(pdffixture.Scan(t), fmt.Sprintf("%% %d\n", i)...)
		}
		for j := range 2 {
			ids[i][j] = p.upload("r1", fmt.Sprintf("f%d-%d.pdf", i, j), data, ingest.Declared{}).ID
		}
	}
	p.start(4)
	var wg sync.WaitGroup
	got := make([][2]dossier.Document, pairs)
	for i := range pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = [2]dossier.Document{p.await(ids[i][0]), p.await(ids[i][1])}
		}()
	}
	wg.Wait()
	for i, pair := range got {
		dups := 0
		for j, d := range pair {
			if d.Reason == ingest.ReasonDuplicate {
				dups++
				if d.DuplicateOf != pair[1-j].ID {
					t.Errorf("pair %d: duplicate of %q, want %q", i, d.DuplicateOf, pair[1-j].ID)
				}
			}
		}
		if dups != 1 {
			t.Errorf("pair %d: %s/%s and %s/%s, want exactly one duplicate", i, pair[0].Status, pair[0].Reason, pair[1].Status, pair[1].Reason)
		}
	}
}
