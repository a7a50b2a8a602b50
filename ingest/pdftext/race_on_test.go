//go:build race

package pdftext_test

// The race detector multiplies memory use several times over.
const maxChildRSS = 600 << 20
