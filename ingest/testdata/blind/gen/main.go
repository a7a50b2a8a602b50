//go:build ignore

// Command gen turns the blind corpus' document sources (a small line-based
// markup, see ../README.md) into LibreOffice inputs: flat ODF text (.fodt) or
// HTML, as chosen by each source's @format line. build.sh then has LibreOffice
// save them as .docx and print those to PDF, so the PDFs come out of the same
// Word-import path a real dossier takes.
package main

import (
	"bufio"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

type run struct {
	text    string
	b, i, u bool
}

type para struct {
	runs   []run
	align  string // left, center, right, justify
	indent bool
	size   float64 // 0: document size
	brk    bool    // page break before
	list   string  // "", "num", "bullet"
}

type cell struct{ paras []para }

type table struct {
	rows   [][]cell
	border bool
	widths []int
}

type doc struct {
	format, font  string
	size          float64
	header        string
	footer        string
	pagenum       bool
	margins       [4]float64 // top right bottom left, cm
	blocks        []any      // para | table
	landscapeSize bool
}

func parseInline(s string) []run {
	var out []run
	var b, i, u bool
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, run{cur.String(), b, i, u})
			cur.Reset()
		}
	}
	for k := 0; k < len(s); {
		switch {
		case s[k] == '\\' && k+1 < len(s):
			cur.WriteByte(s[k+1])
			k += 2
		case strings.HasPrefix(s[k:], "**"):
			flush()
			b = !b
			k += 2
		case strings.HasPrefix(s[k:], "__"):
			flush()
			u = !u
			k += 2
		case s[k] == '*':
			flush()
			i = !i
			k++
		default:
			cur.WriteByte(s[k])
			k++
		}
	}
	flush()
	return out
}

func p(align, s string) para { return para{runs: parseInline(s), align: align} }

func parse(path string) (*doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &doc{format: "fodt", font: "Liberation Serif", size: 13, margins: [4]float64{2, 1.5, 2, 3}}
	var tbl *table  // bordered table being collected
	var cols *table // borderless layout table being collected
	var pendingBreak bool
	add := func(x para) {
		x.brk = x.brk || pendingBreak
		pendingBreak = false
		d.blocks = append(d.blocks, x)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t")
		if cols != nil {
			switch {
			case line == "::end":
				d.blocks = append(d.blocks, cols)
				cols = nil
			case strings.HasPrefix(line, "<") || strings.HasPrefix(line, ">"):
				c := 0
				if line[0] == '>' {
					c = 1
				}
				txt := strings.TrimSpace(line[1:])
				last := cols.rows[len(cols.rows)-1]
				last[c].paras = append(last[c].paras, p("center", txt))
			case line == "---":
				cols.rows = append(cols.rows, []cell{{}, {}})
			}
			continue
		}
		if tbl != nil && !strings.HasPrefix(line, "|") {
			d.blocks = append(d.blocks, tbl)
			tbl = nil
		}
		switch {
		case strings.HasPrefix(line, "#!"):
			// comment
		case strings.HasPrefix(line, "@"):
			k, v, _ := strings.Cut(line[1:], " ")
			v = strings.TrimSpace(v)
			switch k {
			case "format":
				d.format = v
			case "font":
				d.font = v
			case "size":
				d.size, _ = strconv.ParseFloat(v, 64)
			case "header":
				d.header = v
			case "footer":
				d.footer = v
			case "pagenum":
				d.pagenum = true
			case "margins":
				for n, x := range strings.Fields(v) {
					d.margins[n], _ = strconv.ParseFloat(x, 64)
				}
			default:
				return nil, fmt.Errorf("%s: unknown directive %q", path, k)
			}
		case line == "":
		case strings.HasPrefix(line, "::cols"):
			cols = &table{rows: [][]cell{{{}, {}}}, widths: []int{45, 55}}
			if w := strings.Fields(line[len("::cols"):]); len(w) == 2 {
				a, _ := strconv.Atoi(w[0])
				b, _ := strconv.Atoi(w[1])
				cols.widths = []int{a, b}
			}
		case strings.HasPrefix(line, "|"):
			if tbl == nil {
				tbl = &table{border: true}
			}
			head := strings.HasPrefix(line, "|!")
			inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(line, "|!"), "|"), "|")
			var row []cell
			for _, c := range strings.Split(inner, "|") {
				c = strings.TrimSpace(c)
				if head {
					c = "**" + c + "**"
				}
				var ps []para
				for _, part := range strings.Split(c, " // ") {
					al := "left"
					if head {
						al = "center"
					}
					ps = append(ps, p(al, part))
				}
				row = append(row, cell{ps})
			}
			tbl.rows = append(tbl.rows, row)
		case line == "::pagebreak":
			pendingBreak = true
		case line == "::blank":
			add(para{align: "left"})
		case strings.HasPrefix(line, "::"):
			k, v, _ := strings.Cut(line[2:], " ")
			switch k {
			case "title":
				x := p("center", "**"+v+"**")
				x.size = d.size + 2
				add(x)
			case "center", "right", "left":
				add(p(k, v))
			case "big":
				x := p("center", v)
				x.size = d.size + 1
				add(x)
			default:
				return nil, fmt.Errorf("%s: unknown block %q", path, k)
			}
		case strings.HasPrefix(line, "- "):
			x := p("justify", line[2:])
			x.list = "bullet"
			add(x)
		case strings.HasPrefix(line, "# "):
			x := p("justify", line[2:])
			x.list = "num"
			add(x)
		default:
			x := p("justify", line)
			x.indent = true
			add(x)
		}
	}
	if tbl != nil {
		d.blocks = append(d.blocks, tbl)
	}
	if cols != nil {
		return nil, fmt.Errorf("%s: ::cols without ::end", path)
	}
	return d, sc.Err()
}

// ---------- FODT ----------

type fodt struct {
	d      *doc
	pstyle map[string]string
	tstyle map[string]string
	auto   strings.Builder
	body   strings.Builder
	ntab   int
}

func (w *fodt) paraStyle(x para) string {
	key := fmt.Sprintf("%s|%v|%v|%v", x.align, x.indent, x.size, x.brk)
	if n, ok := w.pstyle[key]; ok {
		return n
	}
	n := fmt.Sprintf("P%d", len(w.pstyle)+1)
	w.pstyle[key] = n
	al := map[string]string{"left": "start", "center": "center", "right": "end", "justify": "justify"}[x.align]
	fmt.Fprintf(&w.auto, `<style:style style:name="%s" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="%s"`, n, al)
	if x.indent {
		w.auto.WriteString(` fo:text-indent="1cm"`)
	}
	if x.brk {
		w.auto.WriteString(` fo:break-before="page"`)
	}
	w.auto.WriteString(`/>`)
	if x.size > 0 {
		fmt.Fprintf(&w.auto, `<style:text-properties fo:font-size="%gpt"/>`, x.size)
	}
	w.auto.WriteString(`</style:style>`)
	return n
}

func (w *fodt) textStyle(r run) string {
	key := fmt.Sprintf("%v%v%v", r.b, r.i, r.u)
	if n, ok := w.tstyle[key]; ok {
		return n
	}
	n := fmt.Sprintf("T%d", len(w.tstyle)+1)
	w.tstyle[key] = n
	fmt.Fprintf(&w.auto, `<style:style style:name="%s" style:family="text"><style:text-properties`, n)
	if r.b {
		w.auto.WriteString(` fo:font-weight="bold"`)
	}
	if r.i {
		w.auto.WriteString(` fo:font-style="italic"`)
	}
	if r.u {
		w.auto.WriteString(` style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"`)
	}
	w.auto.WriteString(`/></style:style>`)
	return n
}

func (w *fodt) runs(sb *strings.Builder, rs []run) {
	for _, r := range rs {
		t := html.EscapeString(r.text)
		if r.b || r.i || r.u {
			fmt.Fprintf(sb, `<text:span text:style-name="%s">%s</text:span>`, w.textStyle(r), t)
		} else {
			sb.WriteString(t)
		}
	}
}

func (w *fodt) para(sb *strings.Builder, x para) {
	fmt.Fprintf(sb, `<text:p text:style-name="%s">`, w.paraStyle(x))
	w.runs(sb, x.runs)
	sb.WriteString(`</text:p>`)
}

func (w *fodt) render() string {
	d := w.d
	var list string
	flushList := func() {
		if list != "" {
			w.body.WriteString(`</text:list>`)
			list = ""
		}
	}
	for _, b := range d.blocks {
		switch x := b.(type) {
		case para:
			if x.list != list {
				flushList()
				if x.list != "" {
					name := map[string]string{"num": "LNum", "bullet": "LBul"}[x.list]
					fmt.Fprintf(&w.body, `<text:list text:style-name="%s">`, name)
					list = x.list
				}
			}
			if x.list != "" {
				w.body.WriteString(`<text:list-item>`)
				w.para(&w.body, x)
				w.body.WriteString(`</text:list-item>`)
			} else {
				w.para(&w.body, x)
			}
		case *table:
			flushList()
			w.ntab++
			tn := fmt.Sprintf("Tab%d", w.ntab)
			fmt.Fprintf(&w.auto, `<style:style style:name="%s" style:family="table"><style:table-properties style:width="16.5cm" table:align="margins"/></style:style>`, tn)
			ncol := 0
			for _, r := range x.rows {
				if len(r) > ncol {
					ncol = len(r)
				}
			}
			cellStyle := "CellN"
			if x.border {
				cellStyle = "CellB"
			}
			fmt.Fprintf(&w.body, `<table:table table:name="%s" table:style-name="%s">`, tn, tn)
			for c := 0; c < ncol; c++ {
				cn := fmt.Sprintf("%s.C%d", tn, c)
				wd := 16.5 / float64(ncol)
				if len(x.widths) == ncol {
					wd = 16.5 * float64(x.widths[c]) / 100
				}
				fmt.Fprintf(&w.auto, `<style:style style:name="%s" style:family="table-column"><style:table-column-properties style:column-width="%.2fcm"/></style:style>`, cn, wd)
				fmt.Fprintf(&w.body, `<table:table-column table:style-name="%s"/>`, cn)
			}
			for _, r := range x.rows {
				w.body.WriteString(`<table:table-row>`)
				for c := 0; c < ncol; c++ {
					fmt.Fprintf(&w.body, `<table:table-cell table:style-name="%s" office:value-type="string">`, cellStyle)
					if c < len(r) && len(r[c].paras) > 0 {
						for _, cp := range r[c].paras {
							w.para(&w.body, cp)
						}
					} else {
						w.body.WriteString(`<text:p/>`)
					}
					w.body.WriteString(`</table:table-cell>`)
				}
				w.body.WriteString(`</table:table-row>`)
			}
			w.body.WriteString(`</table:table>`)
		}
	}
	flushList()

	var hf strings.Builder
	if d.header != "" {
		hf.WriteString(`<style:header>`)
		w.para(&hf, p("center", d.header))
		hf.WriteString(`</style:header>`)
	}
	if d.footer != "" || d.pagenum {
		hf.WriteString(`<style:footer>`)
		fp := para{align: "center"}
		fmt.Fprintf(&hf, `<text:p text:style-name="%s">`, w.paraStyle(fp))
		w.runs(&hf, parseInline(d.footer))
		if d.pagenum {
			if d.footer != "" {
				hf.WriteString(` – `)
			}
			hf.WriteString(`Trang <text:page-number text:select-page="current">1</text:page-number>`)
		}
		hf.WriteString(`</text:p></style:footer>`)
	}

	m := d.margins
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="Main" svg:font-family="'%s'"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.12cm" fo:line-height="115%%"/><style:text-properties style:font-name="Main" fo:font-size="%gpt" fo:language="vi" fo:country="VN"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<text:list-style style:name="LNum"><text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1.6cm" fo:text-indent="-0.6cm" fo:margin-left="1.6cm"/></style:list-level-properties></text:list-level-style-number></text:list-style>
<text:list-style style:name="LBul"><text:list-level-style-bullet text:level="1" text:bullet-char="–"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1.6cm" fo:text-indent="-0.6cm" fo:margin-left="1.6cm"/></style:list-level-properties></text:list-level-style-bullet></text:list-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PM"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="%gcm" fo:margin-right="%gcm" fo:margin-bottom="%gcm" fo:margin-left="%gcm"/><style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.4cm"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.4cm"/></style:footer-style></style:page-layout>
<style:style style:name="CellB" style:family="table-cell"><style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #000000"/></style:style>
<style:style style:name="CellN" style:family="table-cell"><style:table-cell-properties fo:padding="0.05cm" fo:border="none"/></style:style>
%s
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PM">%s</style:master-page></office:master-styles>
<office:body><office:text>%s</office:text></office:body>
</office:document>
`, d.font, d.size, m[0], m[1], m[2], m[3], w.auto.String(), hf.String(), w.body.String())
}

// ---------- HTML ----------

func htmlRuns(sb *strings.Builder, rs []run) {
	for _, r := range rs {
		t := html.EscapeString(r.text)
		if r.u {
			t = "<u>" + t + "</u>"
		}
		if r.i {
			t = "<i>" + t + "</i>"
		}
		if r.b {
			t = "<b>" + t + "</b>"
		}
		sb.WriteString(t)
	}
}

func htmlPara(sb *strings.Builder, d *doc, x para, tag string) {
	size := d.size
	if x.size > 0 {
		size = x.size
	}
	style := fmt.Sprintf("font-family:'%s';font-size:%gpt;text-align:%s;margin-top:0;margin-bottom:3pt", d.font, size, x.align)
	if x.indent {
		style += ";text-indent:1cm"
	}
	if x.brk {
		style += ";page-break-before:always"
	}
	fmt.Fprintf(sb, `<%s style="%s">`, tag, style)
	htmlRuns(sb, x.runs)
	fmt.Fprintf(sb, "</%s>\n", tag)
}

func renderHTML(d *doc) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>tài liệu</title></head><body style=\"font-family:'%s';font-size:%gpt\">\n", d.font, d.size)
	if d.header != "" {
		sb.WriteString(`<div title="header">`)
		htmlPara(&sb, d, p("center", d.header), "p")
		sb.WriteString("</div>\n")
	}
	list := ""
	for _, b := range d.blocks {
		switch x := b.(type) {
		case para:
			if x.list != list {
				if list == "num" {
					sb.WriteString("</ol>\n")
				} else if list == "bullet" {
					sb.WriteString("</ul>\n")
				}
				if x.list == "num" {
					sb.WriteString("<ol>\n")
				} else if x.list == "bullet" {
					sb.WriteString("<ul>\n")
				}
				list = x.list
			}
			if x.list != "" {
				htmlPara(&sb, d, x, "li")
			} else {
				htmlPara(&sb, d, x, "p")
			}
		case *table:
			if list != "" {
				sb.WriteString(map[string]string{"num": "</ol>\n", "bullet": "</ul>\n"}[list])
				list = ""
			}
			if x.border {
				sb.WriteString(`<table width="100%" border="1" cellspacing="0" cellpadding="4">` + "\n")
			} else {
				sb.WriteString(`<table width="100%" border="0" cellspacing="0" cellpadding="2">` + "\n")
			}
			for _, r := range x.rows {
				sb.WriteString("<tr>")
				for c, cl := range r {
					if len(x.widths) == len(r) {
						fmt.Fprintf(&sb, `<td valign="top" width="%d%%">`, x.widths[c])
					} else {
						sb.WriteString(`<td valign="top">`)
					}
					for _, cp := range cl.paras {
						htmlPara(&sb, d, cp, "p")
					}
					sb.WriteString("</td>")
				}
				sb.WriteString("</tr>\n")
			}
			sb.WriteString("</table>\n")
		}
	}
	if list != "" {
		sb.WriteString(map[string]string{"num": "</ol>\n", "bullet": "</ul>\n"}[list])
	}
	if d.footer != "" {
		sb.WriteString(`<div title="footer">`)
		htmlPara(&sb, d, p("center", d.footer), "p")
		sb.WriteString("</div>\n")
	}
	sb.WriteString("</body></html>\n")
	return sb.String()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen SRC_DIR OUT_DIR")
		os.Exit(2)
	}
	srcs, err := filepath.Glob(filepath.Join(os.Args[1], "*.txt"))
	if err != nil || len(srcs) == 0 {
		fmt.Fprintln(os.Stderr, "gen: no sources", err)
		os.Exit(1)
	}
	for _, s := range srcs {
		d, err := parse(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		base := strings.TrimSuffix(filepath.Base(s), ".txt")
		var out, ext string
		switch d.format {
		case "fodt":
			w := &fodt{d: d, pstyle: map[string]string{}, tstyle: map[string]string{}}
			out, ext = w.render(), ".fodt"
		case "html":
			out, ext = renderHTML(d), ".html"
		default:
			fmt.Fprintf(os.Stderr, "gen: %s: unknown format %q\n", s, d.format)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(os.Args[2], base+ext), []byte(out), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
