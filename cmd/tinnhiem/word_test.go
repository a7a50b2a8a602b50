package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/internal/docfixture"
)

// A Word self-assessment from outside: accepted with its format, its PDF rendering offered to
// the board (API and page) and to no viewer, and carried in the voters' packet as PDF.
func TestWordFileFromOutside(t *testing.T) {
	if _, err := exec.LookPath("soffice"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice is missing: .ci/run installs libreoffice-writer-nogui")
		}
		t.Skip("LibreOffice not installed")
	}
	ts := startServer(t, t.TempDir())
	statePath, _ := paperRounds(t)
	if out, err := ts.cli(t, "round", "import", statePath); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	const mark = "Trong nhiệm kỳ, tôi đã chủ trì xây dựng nghị quyết về chuyển đổi số của huyện"
	docx, err := docfixture.Doc{Body: docfixture.Paras("", "BÁO CÁO TỰ ĐÁNH GIÁ CỦA NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM\n"+
		"Họ và tên: Châu Văn Phúc\nChức vụ: Chủ tịch Ủy ban nhân dân huyện\n"+
		"Về phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật.\n"+mark+".")}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := ts.cli(t, "upload", "--round", "an-lac-hdnd", "--timeout", "120s", writeBytes(t, dir, "bao-cao-tu-danh-gia.docx", docx))
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	if !strings.Contains(out, `"status":"accepted"`) || !strings.Contains(out, `"nominee":"t02"`) || !strings.Contains(out, `"kind":"self_assessment"`) {
		t.Fatalf("the Word file's verdict: %s", out)
	}
	id := between(out, `"document_id":"`, `"`)

	admin := ts.token(t, "admin", ts.adminPassword(t))
	var doc struct {
		Format    string `json:"format"`
		Rendering string `json:"rendering"`
	}
	ts.api(t, http.MethodGet, "/api/v1/documents/"+id, admin, nil).decode(t, &doc)
	if doc.Format != "docx" || doc.Rendering == "" {
		t.Fatalf("document record: %+v", doc)
	}
	res := ts.api(t, http.MethodGet, "/api/v1/documents/"+id+"/rendering", admin, nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "bao-cao-tu-danh-gia.pdf") {
		t.Fatalf("rendering: %d %v", res.Status, res.Header)
	}
	if text, _ := pdfText(t, res.Body); !strings.Contains(text, mark) || !strings.Contains(text, "Châu Văn Phúc") {
		t.Errorf("the rendering's text: %s", text)
	}
	rendering := filepath.Join(dir, "ban-pdf.pdf")
	if out, err := ts.cli(t, "document", "download", id, "--pdf", "-o", rendering); err != nil {
		t.Fatalf("document download --pdf: %v %s", err, out)
	}
	if raw, _ := os.ReadFile(rendering); string(raw) != string(res.Body) {
		t.Errorf("the CLI's rendering (%d bytes) is not the API's (%d)", len(raw), len(res.Body))
	}
	ts.addUser(t, "xem", "mat-khau-nguoi-xem-dai", []string{"viewer"}, "Hội đồng nhân dân huyện An Lạc")
	viewer := ts.token(t, "xem", "mat-khau-nguoi-xem-dai")
	if res := ts.api(t, http.MethodGet, "/api/v1/documents/"+id+"/rendering", viewer, nil); res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
		t.Errorf("a viewer gets the rendering: %d", res.Status)
	}

	// The packet carries the Word file as PDF.
	packet := filepath.Join(dir, "ho-so.pdf")
	if out, err := ts.cli(t, "packet", "--round", "an-lac-hdnd", "-o", packet); err != nil || !strings.Contains(out, "1 tài liệu đã ghép") {
		t.Fatalf("packet: %v %s", err, out)
	}
	raw, err := os.ReadFile(packet)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := pdfText(t, raw); !strings.Contains(text, mark) {
		t.Errorf("the packet lacks the Word file's text: %s", text)
	}
}

// between is the text of s after the first before and up to the next after.
func between(s, before, after string) string {
	_, rest, ok := strings.Cut(s, before)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, after)
	return v
}
