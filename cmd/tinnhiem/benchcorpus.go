package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifitalic"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
)

// A load corpus is a folder of dossier PDFs and manifest.json, which says for each file the
// group (a round's roster), the person and the kind it was written for, so that the load tool can
// create rounds whose rosters match and check every verdict.

// corpusManifest is DIR/manifest.json of a load corpus.
type corpusManifest struct {
	Version   int           `json:"version"`
	Seed      uint64        `json:"seed"`
	Groups    []corpusGroup `json:"groups"`
	Documents []corpusDoc   `json:"documents"`
}

// corpusGroup is the roster of one round of the corpus.
type corpusGroup struct {
	Key          string          `json:"key"`
	Organization string          `json:"organization"`
	Parent       string          `json:"parent_organization"`
	Place        string          `json:"place"`
	Nominees     []corpusNominee `json:"nominees"`
}

type corpusNominee struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
}

// corpusDoc is one file of the corpus and what it is.
type corpusDoc struct {
	File    string       `json:"file"` // relative to the corpus folder
	Group   string       `json:"group"`
	Nominee string       `json:"nominee"`
	Kind    dossier.Kind `json:"kind"`
	Pages   int          `json:"pages"`
}

// corpusSpec says what to generate.
type corpusSpec struct {
	Out      string
	Rounds   int
	Docs     int
	Seed     uint64
	Versions int // > 0: one group, one person, this many versions of one self-assessment
	Large    int // > 0: instead, this many scanned self-assessments of about LargeMB each
	LargeMB  int
}

// benchCorpus writes a load corpus: spec.Docs dossier PDFs of 2–6 pages into spec.Rounds groups
// (each person a self-assessment and an asset declaration; what is left over, requests for
// explanation and explanations), or spec.Versions versions of one person's self-assessment.
func benchCorpus(spec corpusSpec, progress func(done, total int)) (corpusManifest, error) {
	rng := rand.New(rand.NewPCG(spec.Seed, 0x7469_6e6e_6869_656d))
	m := corpusManifest{Version: 1, Seed: spec.Seed}
	if err := os.MkdirAll(spec.Out, 0o755); err != nil {
		return m, err
	}
	g := &corpusGen{rng: rng}
	if spec.Large > 0 {
		return benchLargeCorpus(spec, g, m, progress)
	}
	if spec.Versions > 0 {
		grp := g.group(1, 1)
		m.Groups = []corpusGroup{grp}
		for v := 1; v <= spec.Versions; v++ {
			m.Documents = append(m.Documents, corpusDoc{File: fmt.Sprintf("%s/%s-v%04d-bao-cao-tu-danh-gia.pdf", grp.Key, grp.Nominees[0].ID, v),
				Group: grp.Key, Nominee: grp.Nominees[0].ID, Kind: dossier.KindSelfAssessment, Pages: 2 + v%5})
		}
	} else {
		if spec.Rounds < 1 || spec.Docs < spec.Rounds {
			return m, usageError{"bench corpus: cần --docs ≥ --rounds ≥ 1"}
		}
		for i := 0; i < spec.Rounds; i++ {
			docs := spec.Docs / spec.Rounds
			if i < spec.Docs%spec.Rounds {
				docs++
			}
			persons := max(1, (docs-1)/2)
			grp := g.group(i+1, persons)
			m.Groups = append(m.Groups, grp)
			var ds []corpusDoc
			for _, n := range grp.Nominees {
				for _, k := range []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration} {
					if len(ds) < docs {
						ds = append(ds, corpusDoc{Group: grp.Key, Nominee: n.ID, Kind: k})
					}
				}
			}
			// What is left: a request for explanation for someone, then that person's explanation.
			for extra := 0; len(ds) < docs; extra++ {
				n := grp.Nominees[(extra/2)%len(grp.Nominees)]
				k := dossier.KindExplanationRequest
				if extra%2 == 1 {
					k = dossier.KindExplanation
				}
				ds = append(ds, corpusDoc{Group: grp.Key, Nominee: n.ID, Kind: k})
			}
			for j := range ds {
				ds[j].Pages = 2 + rng.IntN(5)
				ds[j].File = fmt.Sprintf("%s/%s-%02d-%s.pdf", grp.Key, ds[j].Nominee, j+1, kindSlug(ds[j].Kind))
			}
			m.Documents = append(m.Documents, ds...)
		}
	}
	groups := map[string]corpusGroup{}
	for _, grp := range m.Groups {
		groups[grp.Key] = grp
	}
	for i, d := range m.Documents {
		grp := groups[d.Group]
		data, err := g.pdf(grp, d, i)
		if err != nil {
			return m, fmt.Errorf("bench corpus: %s: %w", d.File, err)
		}
		p := filepath.Join(spec.Out, filepath.FromSlash(d.File))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return m, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return m, err
		}
		if progress != nil {
			progress(i+1, len(m.Documents))
		}
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	return m, os.WriteFile(filepath.Join(spec.Out, "manifest.json"), data, 0o644)
}

// benchLargeCorpus writes spec.Large self-assessments with a text layer and, on the pages after,
// photographs (noise, which JPEG cannot shrink) up to about spec.LargeMB each: the large scans
// that test an upload path's memory.
func benchLargeCorpus(spec corpusSpec, g *corpusGen, m corpusManifest, progress func(done, total int)) (corpusManifest, error) {
	grp := g.group(1, max(1, spec.Large))
	m.Groups = []corpusGroup{grp}
	// Photos of noise, each different (a PDF writer stores identical images once), about 2.3 MB
	// each at 1400 px and quality 95; the same set serves every file.
	const side = 1400
	var photos [][]byte
	for size := 0; size+(5<<19) < spec.LargeMB<<20; {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		for i := range img.Pix {
			img.Pix[i] = byte(g.rng.IntN(256))
		}
		var photo bytes.Buffer
		if err := jpeg.Encode(&photo, img, &jpeg.Options{Quality: 95}); err != nil {
			return m, err
		}
		photos = append(photos, photo.Bytes())
		size += photo.Len()
	}
	for i := 0; i < spec.Large; i++ {
		n := grp.Nominees[i%len(grp.Nominees)]
		d := corpusDoc{File: fmt.Sprintf("%s/%s-scan-%02d.pdf", grp.Key, n.ID, i+1), Group: grp.Key, Nominee: n.ID, Kind: dossier.KindSelfAssessment, Pages: 1 + len(photos)}
		pdf := gofpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
		pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
		pdf.SetCreationDate(time.Date(2028, 11, 1, 8, 0, 0, 0, time.UTC))
		pdf.AddPage()
		pdf.SetFont("serif", "B", 15)
		pdf.CellFormat(0, 8, "BÁO CÁO TỰ ĐÁNH GIÁ", "", 1, "C", false, 0, "")
		pdf.SetFont("serif", "", 13)
		pdf.MultiCell(0, 6.5, fmt.Sprintf("Họ và tên: %s\nChức vụ: %s\nVề phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; việc vợ/chồng, con gương mẫu chấp hành pháp luật. Bản chụp số %d kèm theo.", n.Name, n.Position, i+1), "", "J", false)
		for p, photo := range photos {
			pdf.AddPage()
			name := fmt.Sprintf("anh-%d", p)
			pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(photo))
			pdf.ImageOptions(name, 20, 20, 170, 170, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
		}
		path := filepath.Join(spec.Out, filepath.FromSlash(d.File))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return m, err
		}
		f, err := os.Create(path)
		if err != nil {
			return m, err
		}
		err = pdf.Output(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return m, err
		}
		m.Documents = append(m.Documents, d)
		if progress != nil {
			progress(i+1, spec.Large)
		}
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	return m, os.WriteFile(filepath.Join(spec.Out, "manifest.json"), data, 0o644)
}

func readCorpusManifest(dir string) (corpusManifest, bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if os.IsNotExist(err) {
		return corpusManifest{}, false, nil
	}
	if err != nil {
		return corpusManifest{}, false, err
	}
	var m corpusManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return m, false, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	return m, true, nil
}

func kindSlug(k dossier.Kind) string {
	switch k {
	case dossier.KindSelfAssessment:
		return "bao-cao-tu-danh-gia"
	case dossier.KindAssetDeclaration:
		return "ke-khai-tai-san"
	case dossier.KindExplanationRequest:
		return "de-nghi-giai-trinh"
	case dossier.KindExplanation:
		return "bao-cao-giai-trinh"
	}
	return "tai-lieu"
}

// corpusGen makes people, places and documents from word pools, deterministically by its rng.
type corpusGen struct {
	rng *rand.Rand
}

var (
	corpusFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai"}
	corpusMiddle = []string{"Văn", "Thị", "Minh", "Quốc", "Thanh", "Đức", "Hữu", "Ngọc", "Xuân", "Hồng", "Công", "Đình", "Quang", "Thế", "Bảo", "Kim", "Trọng", "Việt"}
	corpusGiven  = []string{"Hùng", "Hà", "Tuấn", "Lan", "Khoa", "Vinh", "Mai", "Tùng", "Bình", "An", "Cường", "Dũng", "Giang", "Hải", "Hạnh", "Hiếu", "Hòa", "Huệ", "Khánh", "Linh", "Long", "Nam", "Nga", "Phong", "Phúc", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tú", "Uyên", "Yến", "Châu", "Điệp", "Kiên", "Lộc", "Nhung", "Quyết"}
	corpusPlaces = []string{"Bình Sơn", "Tân Lập", "Hòa An", "Phú Xuân", "Long Giang", "Thanh Hà", "Đông Hưng", "Quảng Điền", "Vĩnh Thạnh", "Ninh Phước", "Hà Tiên", "Kim Bảng"}
	corpusPosts  = []string{"Bí thư", "Phó Bí thư Thường trực", "Phó Bí thư, Chủ tịch Ủy ban nhân dân", "Trưởng Ban Tổ chức", "Chủ nhiệm Ủy ban Kiểm tra",
		"Trưởng Ban Tuyên giáo và Dân vận", "Phó Chủ tịch Thường trực Ủy ban nhân dân", "Chủ tịch Ủy ban Mặt trận Tổ quốc", "Trưởng Ban Nội chính", "Chánh Văn phòng",
		"Chỉ huy trưởng Ban Chỉ huy Quân sự", "Trưởng Công an", "Phó Chủ tịch Hội đồng nhân dân", "Trưởng Ban Kinh tế - Xã hội"}
)

func (g *corpusGen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// group makes the roster of group i: n persons whose names differ even without diacritics, so
// that every document names exactly one of them.
func (g *corpusGen) group(i, n int) corpusGroup {
	place := g.pick(corpusPlaces)
	grp := corpusGroup{Key: fmt.Sprintf("r%02d", i), Place: place,
		Organization: "Huyện ủy " + place + fmt.Sprintf(" (nhóm %02d)", i), Parent: "Đảng bộ tỉnh " + g.pick(corpusPlaces)}
	seen := map[string]bool{}
	for len(grp.Nominees) < n {
		name := g.pick(corpusFamily) + " " + g.pick(corpusMiddle) + " " + g.pick(corpusGiven)
		given := ingest.Fold(name[strings.LastIndexByte(name, ' ')+1:])
		// A given name once per roster: recognition must never hesitate between two people.
		if seen[given] {
			if len(seen) >= len(corpusGiven) {
				seen = map[string]bool{} // a roster longer than the pool: names still differ in full
			}
			continue
		}
		seen[given] = true
		post := corpusPosts[len(grp.Nominees)%len(corpusPosts)]
		grp.Nominees = append(grp.Nominees, corpusNominee{ID: fmt.Sprintf("n%02d", len(grp.Nominees)+1), Name: name, Position: post + " Huyện ủy " + place})
	}
	return grp
}

// spouseName is a name of the other sex's pool that is on no roster: a declaration names the
// spouse, who must not be taken for a person of the round.
func (g *corpusGen) spouseName(grp corpusGroup) string {
	for {
		name := g.pick(corpusFamily) + " Thị " + g.pick([]string{"Ánh Tuyết", "Bích Ngọc", "Thu Hương", "Kim Oanh", "Mỹ Dung", "Thanh Xuân"})
		clash := false
		for _, n := range grp.Nominees {
			if ingest.Fold(n.Name) == ingest.Fold(name) {
				clash = true
			}
		}
		if !clash {
			return name
		}
	}
}

var corpusFillers = []string{
	"Thường xuyên học tập, quán triệt các nghị quyết, chỉ thị của Đảng; vận dụng sáng tạo vào tình hình thực tế của địa phương, đơn vị.",
	"Chủ động nắm bắt tình hình tư tưởng của cán bộ, đảng viên và nhân dân; kịp thời đề xuất giải pháp tháo gỡ khó khăn, vướng mắc ở cơ sở.",
	"Thực hiện nghiêm nguyên tắc tập trung dân chủ, tự phê bình và phê bình; giữ gìn sự đoàn kết, thống nhất trong tập thể lãnh đạo.",
	"Chỉ đạo quyết liệt công tác cải cách hành chính, chuyển đổi số; rút ngắn thời gian giải quyết thủ tục cho người dân và doanh nghiệp.",
	"Tập trung lãnh đạo phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh; quan tâm đời sống của người có công và hộ nghèo.",
	"Gương mẫu thực hiện các quy định về những điều đảng viên không được làm và trách nhiệm nêu gương của cán bộ, đảng viên.",
	"Tăng cường kiểm tra, giám sát việc thực hiện nhiệm vụ chính trị; xử lý nghiêm các trường hợp vi phạm, không có vùng cấm.",
	"Quan tâm công tác cán bộ, quy hoạch, đào tạo, bồi dưỡng đội ngũ cán bộ trẻ, cán bộ nữ, cán bộ người dân tộc thiểu số.",
	"Giữ mối liên hệ mật thiết với nhân dân; tiếp công dân định kỳ theo quy định, giải quyết dứt điểm nhiều vụ việc tồn đọng, kéo dài.",
	"Chỉ đạo triển khai các chương trình mục tiêu quốc gia về xây dựng nông thôn mới, giảm nghèo bền vững và phát triển vùng đồng bào dân tộc.",
	"Thu ngân sách trên địa bàn vượt dự toán; giải ngân vốn đầu tư công đạt kế hoạch; an sinh xã hội được bảo đảm.",
	"Công tác phòng, chống tham nhũng, tiêu cực được chú trọng; kê khai tài sản, thu nhập theo đúng quy định của pháp luật.",
}

// pdf renders one document of the corpus: a Party-style header, the kind's title and sections,
// filler paragraphs up to the page count, a dated signature block.
func (g *corpusGen) pdf(grp corpusGroup, d corpusDoc, serial int) ([]byte, error) {
	var who corpusNominee
	for _, n := range grp.Nominees {
		if n.ID == d.Nominee {
			who = n
		}
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
	pdf.AddUTF8FontFromBytes("serif", "I", liberationserifitalic.TTF)
	stamp := time.Date(2028, 11, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(serial) * time.Minute)
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetCatalogSort(true)
	pdf.SetMargins(30, 20, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("serif", "I", 10)
		pdf.CellFormat(0, 6, fmt.Sprintf("Trang %d", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	head := func(left, right string) {
		pdf.SetFont("serif", "B", 13)
		y := pdf.GetY()
		pdf.CellFormat(75, 6, left, "", 0, "C", false, 0, "")
		pdf.SetXY(105, y)
		pdf.CellFormat(0, 6, right, "", 1, "C", false, 0, "")
		pdf.SetFont("serif", "I", 12)
		pdf.SetX(105)
		pdf.CellFormat(0, 6, fmt.Sprintf("%s, ngày %d tháng 11 năm 2028", grp.Place, 5+serial%20), "", 1, "C", false, 0, "")
		pdf.Ln(4)
	}
	title := func(lines ...string) {
		for i, l := range lines {
			if i == 0 {
				pdf.SetFont("serif", "B", 15)
			} else {
				pdf.SetFont("serif", "I", 13)
			}
			pdf.CellFormat(0, 7, l, "", 1, "C", false, 0, "")
		}
		pdf.Ln(3)
	}
	para := func(style, text string) {
		pdf.SetFont("serif", style, 13)
		pdf.MultiCell(0, 6.5, text, "", "J", false)
		pdf.Ln(1)
	}
	fill := func(pages int) {
		for pdf.PageNo() < pages {
			para("", g.pick(corpusFillers)+" "+g.pick(corpusFillers))
		}
	}
	sign := func(role, name string) {
		pdf.Ln(6)
		pdf.SetFont("serif", "B", 13)
		pdf.SetX(110)
		pdf.CellFormat(0, 6, role, "", 1, "C", false, 0, "")
		pdf.Ln(14)
		pdf.SetX(110)
		pdf.CellFormat(0, 6, name, "", 1, "C", false, 0, "")
	}
	switch d.Kind {
	case dossier.KindSelfAssessment:
		head(strings.ToUpper(grp.Parent), "ĐẢNG CỘNG SẢN VIỆT NAM")
		title("BÁO CÁO TỰ ĐÁNH GIÁ", "của người được lấy phiếu tín nhiệm")
		para("", "Họ và tên: "+who.Name)
		para("", "Chức vụ: "+who.Position)
		para("", "Thực hiện Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị về việc lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý trong hệ thống chính trị, tôi xin tự đánh giá kết quả thực hiện chức trách, nhiệm vụ được giao như sau:")
		sections := []struct{ h, t string }{
			{"1. Về phẩm chất chính trị", "Kiên định chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh; tuyệt đối trung thành với lợi ích của Đảng, của quốc gia - dân tộc và nhân dân."},
			{"2. Về đạo đức, lối sống", "Giữ gìn phẩm chất đạo đức cách mạng, cần, kiệm, liêm, chính, chí công vô tư; lối sống giản dị, không tham nhũng, tiêu cực, lãng phí."},
			{"3. Về ý thức tổ chức kỷ luật", "Chấp hành nghiêm nguyên tắc tập trung dân chủ, quy chế làm việc của cấp ủy; thực hiện đúng chế độ báo cáo, thỉnh thị."},
			{"4. Kết quả thực hiện chức trách, nhiệm vụ được giao", "Lãnh đạo hoàn thành các chỉ tiêu chủ yếu của Nghị quyết Đại hội; tốc độ tăng trưởng kinh tế bình quân đạt " + fmt.Sprintf("%d,%d", 6+serial%3, serial%10) + "%/năm."},
			{"5. Việc vợ/chồng, con gương mẫu chấp hành pháp luật", "Vợ/chồng và các con luôn gương mẫu chấp hành chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước."},
		}
		per := max(1, d.Pages-1)
		for i, s := range sections {
			para("B", s.h)
			para("", s.t)
			fill(1 + (i+1)*per/len(sections))
		}
		para("B", "II. Hạn chế, khuyết điểm và giải pháp khắc phục")
		para("", "Việc kiểm tra, đôn đốc thực hiện một số nghị quyết chuyên đề có lúc chưa thường xuyên. Giải pháp khắc phục: tăng cường kiểm tra, giám sát; phân công rõ người, rõ việc.")
		fill(d.Pages)
		sign("NGƯỜI BÁO CÁO", who.Name)
	case dossier.KindAssetDeclaration:
		head("", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
		title("BẢN KÊ KHAI TÀI SẢN, THU NHẬP", "(Kê khai hằng năm, áp dụng cho kỳ kê khai năm 2028)")
		para("B", "I. THÔNG TIN CHUNG")
		para("", "1. Người kê khai tài sản, thu nhập: "+who.Name)
		para("", fmt.Sprintf("Năm sinh: %d. Chức vụ: %s.", 1965+serial%15, who.Position))
		para("", fmt.Sprintf("Nơi thường trú: số %d đường Lý Thường Kiệt, thị trấn %s.", 1+serial%90, grp.Place))
		para("", "2. Vợ hoặc chồng của người kê khai: "+g.spouseName(grp)+", viên chức.")
		para("B", "II. THÔNG TIN MÔ TẢ VỀ TÀI SẢN")
		para("", "1. Quyền sử dụng thực tế đối với đất:")
		pdf.SetFont("serif", "", 12)
		for _, row := range [][]string{{"STT", "Loại đất", "Diện tích", "Giá trị (đồng)"}, {"1", "Đất ở", fmt.Sprintf("%d m²", 80+serial%200), "2.400.000.000"}, {"2", "Đất nông nghiệp", "1.500 m²", "300.000.000"}} {
			for i, c := range row {
				w := []float64{15, 60, 35, 52}[i]
				pdf.CellFormat(w, 7, c, "1", 0, "C", false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(2)
		para("", "2. Nhà ở, công trình xây dựng: nhà ở riêng lẻ hai tầng.")
		para("", fmt.Sprintf("3. Tiền (tiền Việt Nam, ngoại tệ) gồm tiền mặt, tiền gửi: %d.000.000 đồng.", 100+serial%400))
		fill(d.Pages - 1)
		para("B", "III. BIẾN ĐỘNG TÀI SẢN, THU NHẬP VÀ GIẢI TRÌNH NGUỒN GỐC")
		para("", "Tổng thu nhập trong kỳ gồm lương, phụ cấp và thu nhập hợp pháp khác. Không có tài sản, tài khoản ở nước ngoài.")
		fill(d.Pages)
		sign("NGƯỜI KÊ KHAI TÀI SẢN", who.Name)
	case dossier.KindExplanationRequest:
		head(strings.ToUpper(grp.Parent), "ĐẢNG CỘNG SẢN VIỆT NAM")
		title("Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH")
		para("", "Kính gửi: Ban Tổ chức "+grp.Organization)
		para("", fmt.Sprintf("Đề nghị đồng chí %s, %s, giải trình rõ các nội dung sau:", who.Name, who.Position))
		para("", "1. Tiến độ giải phóng mặt bằng dự án khu dân cư mới còn chậm so với kế hoạch; nguyên nhân chủ quan và trách nhiệm của người đứng đầu.")
		para("", "2. Việc chỉ đạo khắc phục những hạn chế, khuyết điểm đã được chỉ ra qua kiểm điểm năm 2027.")
		fill(d.Pages)
		para("", "Đề nghị gửi báo cáo giải trình bằng văn bản trước ngày 12 tháng 12 năm 2028.")
	case dossier.KindExplanation:
		head(strings.ToUpper(grp.Parent), "ĐẢNG CỘNG SẢN VIỆT NAM")
		title("BÁO CÁO GIẢI TRÌNH", "về các nội dung được đề nghị giải trình")
		para("", "Họ và tên: "+who.Name)
		para("", "Chức vụ: "+who.Position)
		para("", "Tôi xin giải trình các nội dung được nêu trong ý kiến đề nghị giải trình như sau:")
		fill(d.Pages)
		sign("NGƯỜI GIẢI TRÌNH", who.Name)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
