//go:build !race

package pdftext_test

// maxChildRSS bounds the child's peak resident set on the 300-page PDF.
const maxChildRSS = 150 << 20
