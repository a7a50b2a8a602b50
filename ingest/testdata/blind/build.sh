#!/bin/sh
# Rebuilds the blind corpus from its sources: src/*.txt -> gen (.fodt or .html)
# -> LibreOffice .docx -> LibreOffice .pdf, then the bad files. Everything lands
# in OUT (default /tmp/blind); OUT/upload holds the files to upload, named as in
# expect.tsv. With --copy the small files not yet in pdf/ here (what
# ingest/blind_test.go reads) are copied there; --copy-all replaces them all.
# LibreOffice stamps every PDF with the time, so a rebuild never gives the same
# bytes: the stored corpus is only replaced on purpose.
#
# Needs: go, soffice (libreoffice-writer-nogui), qpdf, img2pdf, pdftoppm
# (poppler-utils), fonts-liberation, fonts-dejavu, fonts-noto-core.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
copy=no
case ${1:-} in
--copy) copy=new; shift ;;
--copy-all) copy=all; shift ;;
esac
out=${1:-/tmp/blind}
rm -rf "$out"
mkdir -p "$out/gen" "$out/docx" "$out/pdf" "$out/upload" "$out/tmp"
cd "$here"

go run ./gen/main.go src "$out/gen"
go run ./gen/main.go src2 "$out/gen"

# The long documents: a short report and then one appendix page per
# ::pagebreak, so the page count is known. The report itself takes one page.
mklong() { # name appendix-pages
	cp "long/$1.txt" "$out/tmp/$1.txt"
	i=1
	while [ "$i" -le "$2" ]; do
		sed "s/số N/số $i/g" long/appendix.txt >>"$out/tmp/$1.txt"
		i=$((i + 1))
	done
}
mklong b08-400pages 399
mklong b09-600pages 599
go run ./gen/main.go "$out/tmp" "$out/gen"

# Word's format is the point: every document goes through .docx.
soffice --headless --convert-to 'docx:MS Word 2007 XML' --outdir "$out/docx" "$out"/gen/*.fodt >/dev/null 2>&1
soffice --headless --infilter='HTML (StarWriter)' --convert-to 'docx:MS Word 2007 XML' --outdir "$out/docx" "$out"/gen/*.html >/dev/null 2>&1
soffice --headless --convert-to pdf --outdir "$out/pdf" "$out"/docx/*.docx >/dev/null 2>&1

for f in "$out"/pdf/d*.pdf "$out"/pdf/e*.pdf "$out"/pdf/f*.pdf; do
	case $(basename "$f") in e15.pdf) continue ;; esac
	cp "$f" "$out/upload/"
done

u=$out/upload
cp "$out/docx/d01.docx" "$u/b01-docx-renamed.pdf"
pdftoppm -jpeg -r 60 -f 1 -l 1 -singlefile "$out/pdf/d03.pdf" "$out/tmp/page"
cp "$out/tmp/page.jpg" "$u/b02-jpeg-renamed.pdf"
: >"$u/b03-empty.pdf"
size=$(wc -c <"$out/pdf/e01.pdf")
head -c $((size * 6 / 10)) "$out/pdf/e01.pdf" >"$u/b04-truncated.pdf"
qpdf --allow-weak-crypto --encrypt nguoidung chusohuu 128 --use-aes=n -- "$out/pdf/d16.pdf" "$u/b05-rc4.pdf"
qpdf --encrypt nguoidung chusohuu 256 -- "$out/pdf/d27.pdf" "$u/b06-aes256.pdf"
pdftoppm -png -gray -r 72 -f 1 -l 1 -singlefile "$out/pdf/d20.pdf" "$out/tmp/scan"
img2pdf --pagesize A4 -o "$u/b07-scan-img2pdf.pdf" "$out/tmp/scan.png"
cp "$out/pdf/b08-400pages.pdf" "$out/pdf/b09-600pages.pdf" "$u/"
go run ./bomb/main.go "$u/b10-bomb.pdf" $((2 << 30))
qpdf --encrypt '' chusohuu 256 -- "$out/pdf/e15.pdf" "$u/b11-owner-only.pdf"
cp "$out/gen/d02.html" "$u/b12-html-renamed.pdf"
pdftoppm -png -gray -r 72 -f 1 -l 1 -singlefile "$out/pdf/e09.pdf" "$out/tmp/b13-scan-lo"
# Writer (no Draw installed) places the picture on an otherwise empty page.
printf '<!DOCTYPE html><html><body><p><img src="b13-scan-lo.png" width="640"></p></body></html>' >"$out/tmp/b13-scan-lo.html"
soffice --headless --infilter='HTML (StarWriter)' --convert-to pdf --outdir "$out/tmp" "$out/tmp/b13-scan-lo.html" >/dev/null 2>&1
cp "$out/tmp/b13-scan-lo.pdf" "$u/"

for f in b08-400pages b09-600pages; do
	printf '%s: %s pages\n' "$f" "$(pdfinfo "$u/$f.pdf" | awk '/^Pages:/ {print $2}')"
done
ls "$u" | wc -l

if [ "$copy" != no ]; then
	mkdir -p "$here/pdf"
	if [ "$copy" = all ]; then rm -f "$here"/pdf/*.pdf; fi
	for f in "$u"/*.pdf; do
		case $(basename "$f") in b08-* | b09-* | b10-*) continue ;; esac
		if [ ! -e "$here/pdf/$(basename "$f")" ]; then cp "$f" "$here/pdf/"; fi
	done
fi
