package worker_test

import (
	"bytes"
	"context"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/docfixture"
	"tinnhiem/internal/scanfixture"
	"tinnhiem/internal/store"
)

// Word files and photos go through the same pipeline as PDFs: read in the sandbox, recognised,
// the format recorded; a Word file's PDF rendering is kept in the renderings store.
func TestPipelineFormats(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	p.start(2)
	docx, err := docfixture.Doc{Body: docfixture.Paras("", ingesttest.HungSelfAssessment)}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	page, err := scanfixture.PagePDF("BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nNhà ở, quyền sử dụng đất.")
	if err != nil {
		t.Fatal(err)
	}
	img, err := scanfixture.Rasterize(ocr.DefaultTools().PDFToPPM, page, 300)
	if err != nil {
		t.Fatal(err)
	}
	photo, err := scanfixture.JPEG(scanfixture.Degrade(img, scanfixture.Options{Degrees: 1, Seed: 3}), 85)
	if err != nil {
		t.Fatal(err)
	}
	w := p.upload("r1", "bao-cao.docx", docx, ingest.Declared{})
	j := p.upload("r1", "ke-khai.jpg", photo, ingest.Declared{})

	d := p.await(w.ID)
	if d.Status != dossier.StatusAccepted || d.Format != "docx" || d.Kind != dossier.KindSelfAssessment || d.Nominee != "n01" {
		t.Errorf("docx: %s/%s format %q kind %s nominee %s", d.Status, d.Reason, d.Format, d.Kind, d.Nominee)
	}
	if d.Rendering != store.RenderingName(d.ID) {
		t.Fatalf("docx rendering %q", d.Rendering)
	}
	pdf, err := p.ns.Objects(t, bus.ObjectRenderings).GetBytes(context.Background(), d.Rendering)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{}); err != nil || !bytes.Contains([]byte(res.Text), []byte("Trần Quốc Hùng")) {
		t.Errorf("the rendering: %v %q", err, res.Text)
	}

	d = p.await(j.ID)
	if d.Format != "jpeg" || !d.OCR || d.OCRConfidence <= 0 || d.Nominee != "n01" || d.Kind != dossier.KindAssetDeclaration || d.Rendering != "" {
		t.Errorf("photo: %s/%s format %q ocr %v %.2f kind %s nominee %s rendering %q", d.Status, d.Reason, d.Format, d.OCR, d.OCRConfidence, d.Kind, d.Nominee, d.Rendering)
	}
}
