//go:build !unix

package pdftext_test

func spinCPULimit(args []string) {}
