#!/bin/sh
# Regenerates the PDF fixtures of ingest/pdftext from testdata/src and the
# golden texts from the fixtures. Needs: go, LibreOffice (soffice) with the
# Liberation fonts, qpdf.
#   apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation qpdf
# Review the golden diff by hand before committing: the golden files are the
# specification of what the extractor must return.
set -eu
cd "$(dirname "$0")/.."

# 1. gofpdf, UTF-8 TrueType (Liberation Serif): testdata/gofpdf-*.pdf
go test -count=1 -run '^TestGenerateFixtures$' . -args -generate

# 2. LibreOffice: testdata/lo-*.pdf from .fodt (styles, a table, a page break)
#    and from plain .txt.
profile=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$profile" "$out"' EXIT
soffice --headless "-env:UserInstallation=file://$profile" --convert-to pdf --outdir "$out" \
	testdata/src/*.fodt testdata/src/de-nghi-giai-trinh.txt >/dev/null
for f in "$out"/*.pdf; do
	cp "$f" "testdata/lo-$(basename "$f")"
done

# 3. Encrypted copies. With a user password (reason code "encrypted"):
#    RC4-128, AES-128, AES-256 (/V 5 /R 6). With an owner password only
#    (an empty user password: read like their source, TestOwnerPasswordOnly):
#    RC4-40, RC4-128, AES-128, AES-256 of revisions 5 and 6, with and without
#    object streams.
src=testdata/gofpdf-bao-cao-tu-danh-gia.pdf
qpdf --allow-weak-crypto --encrypt user owner 128 --use-aes=n -- "$src" testdata/bad-encrypted-rc4.pdf
qpdf --allow-weak-crypto --encrypt user owner 128 --use-aes=y -- "$src" testdata/bad-encrypted-aes128.pdf
qpdf --encrypt user owner 256 -- "$src" testdata/bad-encrypted-aes256.pdf
qpdf --object-streams=generate --encrypt "" owner 256 -- "$src" testdata/enc-owner-aes256-objstm-gofpdf-bao-cao-tu-danh-gia.pdf
lo=testdata/lo-de-nghi-giai-trinh.pdf
qpdf --allow-weak-crypto --encrypt "" chu-so-huu 40 -- "$lo" testdata/enc-owner-rc4-40-lo-de-nghi-giai-trinh.pdf
qpdf --allow-weak-crypto --encrypt "" chu-so-huu 128 --use-aes=n -- "$lo" testdata/enc-owner-rc4-128-lo-de-nghi-giai-trinh.pdf
qpdf --encrypt "" chu-so-huu 128 --use-aes=y -- "$lo" testdata/enc-owner-aes128-lo-de-nghi-giai-trinh.pdf
qpdf --encrypt "" chu-so-huu 256 --force-R5 -- "$lo" testdata/enc-owner-aes256-r5-lo-de-nghi-giai-trinh.pdf
qpdf --encrypt "" chu-so-huu 256 -- testdata/lo-ke-khai-tai-san.pdf testdata/enc-owner-aes256-lo-ke-khai-tai-san.pdf

# 4. The same text through object and cross-reference streams (PDF 1.5).
qpdf --object-streams=generate -- "$src" testdata/qpdf-objstm-bao-cao-tu-danh-gia.pdf

# 5. Golden texts for every fixture that has text.
go test -count=1 -run '^TestGolden$' . -args -update
