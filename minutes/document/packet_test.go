package document_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"tinnhiem/internal/pdfmerge"
	"tinnhiem/minutes/document"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ingest", "pdftext", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var packetKinds = []document.PacketKind{
	{Kind: "self_assessment", Label: "Báo cáo tự đánh giá"},
	{Kind: "asset_declaration", Label: "Bản kê khai tài sản, thu nhập"},
	{Kind: "explanation", Label: "Báo cáo giải trình", Optional: true},
}

// packetOf is the packet of a fixture round of n persons: real PDFs from gofpdf, LibreOffice
// and qpdf (object streams) in turn, a hostile file, an encrypted one, and missing ones.
func packetOf(t testing.TB, track document.Track, n int) document.PacketModel {
	t.Helper()
	m := document.Fixture(track, n)
	p := document.PacketModel{
		Track: track, ParentOrganization: m.ParentOrganization, Organization: m.Organization,
		OrganizationHeading: m.OrganizationHeading, Place: m.Place, Title: m.Title, SessionName: m.SessionName,
		VoteDate: m.VoteDate, CreatedAt: time.Date(2028, 11, 28, 9, 0, 0, 0, time.UTC), Kinds: packetKinds,
	}
	self := [][]byte{readFixture(t, "gofpdf-bao-cao-tu-danh-gia.pdf"), readFixture(t, "qpdf-objstm-bao-cao-tu-danh-gia.pdf")}
	assets := readFixture(t, "lo-ke-khai-tai-san.pdf")
	for i, r := range m.Rows {
		person := document.PacketPerson{Name: r.Name, Position: r.Position, Appointed: time.Date(2021, 10, 1+i%20, 0, 0, 0, 0, time.UTC)}
		switch {
		case i == 1:
			// Nothing sent yet.
		case i == 2:
			person.Docs = append(person.Docs, document.PacketDoc{Kind: "self_assessment", File: "hong.pdf", PDF: []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")})
		case i == 3:
			person.Docs = append(person.Docs, document.PacketDoc{Kind: "self_assessment", File: "mat-khau.pdf", PDF: readFixture(t, "bad-encrypted-aes256.pdf")})
		default:
			person.Docs = append(person.Docs, document.PacketDoc{Kind: "self_assessment", File: fmt.Sprintf("tu-danh-gia-%d.pdf", i), PDF: self[i%2]})
		}
		if i != 1 {
			person.Docs = append(person.Docs, document.PacketDoc{Kind: "asset_declaration", File: "ke-khai.pdf", PDF: assets})
		}
		if i == 4 {
			person.Docs = append(person.Docs, document.PacketDoc{Kind: "explanation", File: "giai-trinh.pdf", PDF: readFixture(t, "gofpdf-de-nghi-giai-trinh.pdf")},
				document.PacketDoc{Kind: "other", File: "khac.pdf", PDF: assets}) // not a kind the round sends
		}
		p.Persons = append(p.Persons, person)
	}
	return p
}

// TestPacket: the contents lead to the right pages, every page of an accepted document is in
// the packet with its text, a document that cannot be merged is marked and not fatal.
func TestPacket(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	for _, track := range []document.Track{document.TrackParty, document.TrackState} {
		for _, n := range []int{5, 60} {
			t.Run(fmt.Sprintf("%s-%d", track, n), func(t *testing.T) {
				p := packetOf(t, track, n)
				out, entries, err := document.RenderPacket(p, pdfmerge.Tool{})
				if err != nil {
					t.Fatal(err)
				}
				if *document.Dump != "" {
					_ = os.WriteFile(filepath.Join(*document.Dump, fmt.Sprintf("packet-%s-%d.pdf", track, n)), out, 0o644)
				}
				res := document.Extract(t, out)
				pages := res.PageTexts
				self := document.Extract(t, readFixture(t, "gofpdf-bao-cao-tu-danh-gia.pdf")).PageTexts
				// Every page is numbered.
				for i, pg := range pages {
					if want := fmt.Sprintf("Trang %d/%d", i+1, len(pages)); !strings.Contains(pg, want) {
						t.Fatalf("page %d lacks %q", i+1, want)
					}
				}
				front := document.Flat(pages[0] + "\n" + pages[1])
				for _, w := range []string{"MỤC LỤC", "CHƯA CÓ TÀI LIỆU", "KHÔNG GHÉP ĐƯỢC", "tệp có mật khẩu", "tệp PDF hỏng"} {
					if !strings.Contains(document.Flat(strings.Join(pages, "\n")), w) {
						t.Errorf("%q missing", w)
					}
				}
				_ = front
				var merged, missing, refused int
				for _, e := range entries {
					switch {
					case e.Missing:
						missing++
					case e.Problem != "":
						refused++
					default:
						merged++
						if e.Page < 1 || e.Page+e.Pages-1 > len(pages) {
							t.Fatalf("entry %+v outside the %d pages", e, len(pages))
						}
						// The document's own pages, merged whole, where the contents say.
						if e.File == "tu-danh-gia-4.pdf" {
							for k := range self {
								if got, want := document.Flat(pages[e.Page-1+k]), document.Flat(self[k]); !strings.Contains(got, firstWords(want, 12)) {
									t.Errorf("page %d is not page %d of the self-assessment", e.Page+k, k+1)
								}
							}
						}
					}
					if e.Kind == "other" {
						t.Errorf("a kind the round does not send is in the packet: %+v", e)
					}
				}
				if refused != 2 || missing == 0 || merged == 0 {
					t.Errorf("merged %d, missing %d, refused %d", merged, missing, refused)
				}
				// The summary page of each person says who they are, on the page the contents give.
				person := p.Persons[4]
				for _, pg := range pages {
					if strings.Contains(pg, document.Upper(person.Name)) && strings.Contains(document.Flat(pg), "01/10/2021") || strings.Contains(document.Flat(pg), "05/10/2021") && strings.Contains(pg, document.Upper(person.Name)) {
						return
					}
				}
				t.Errorf("no summary page for %s", person.Name)
			})
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "pdfcpu")); err == nil {
		t.Error("pdfcpu wrote its configuration into the home directory")
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

func TestPacketRefuses(t *testing.T) {
	p := packetOf(t, document.TrackParty, 3)
	p.Persons = nil
	if _, _, err := document.RenderPacket(p, pdfmerge.Tool{}); !errors.Is(err, document.ErrInvalidModel) {
		t.Errorf("no person: %v", err)
	}
}

// FuzzPacketDocument: whatever bytes a document holds, the packet is made (or the document is
// refused with a reason), never a panic.
func FuzzPacketDocument(f *testing.F) {
	f.Add(readFixture(f, "gofpdf-bao-cao-tu-danh-gia.pdf"))
	f.Add(readFixture(f, "bad-encrypted-rc4.pdf"))
	f.Add([]byte("%PDF-1.4\n"))
	f.Add([]byte("%PDF-1.5\n1 0 obj << /Type /XRef /W [1 2 1] /Size 3 /Length 0 >> stream\nendstream endobj\nstartxref 9\n%%EOF"))
	base := packetOf(f, document.TrackParty, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := base
		p.Persons = []document.PacketPerson{{Name: "Nguyễn Văn An", Docs: []document.PacketDoc{{Kind: "self_assessment", File: "x.pdf", PDF: data}}}}
		start := time.Now()
		out, entries, err := document.RenderPacket(p, pdfmerge.Tool{})
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%d bytes took %v", len(data), d)
		}
		if err != nil {
			return // reported, not panicked; RenderPacket recovers none of its own failures silently
		}
		if len(out) == 0 || len(entries) == 0 {
			t.Fatal("no packet and no error")
		}
	})
}
