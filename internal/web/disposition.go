// Package web is the HTTP plumbing both faces of tinnhiem share — the JSON API and the web
// pages: download headers, the client's address, JSON answers. It holds no rule of the domain.
package web

import (
	"fmt"
	"mime"
	"strings"

	"tinnhiem/dossier"
)

// ContentDisposition builds an attachment header with an ASCII fallback and the UTF-8 name
// (RFC 6266 / RFC 5987), so browsers save Vietnamese file names correctly.
func ContentDisposition(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": asciiFallback(name)}) +
		"; filename*=UTF-8''" + rfc5987(name)
}

// rfc5987 percent-encodes every byte that is not an attr-char of RFC 5987.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attr, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func asciiFallback(name string) string {
	ext := extOf(name)
	slug := dossier.Slug(strings.TrimSuffix(name, ext))
	if slug == "" {
		slug = "tai-lieu"
	}
	return slug + strings.ToLower(ext)
}

func extOf(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i > 6 {
		return ""
	}
	for _, c := range name[i+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return name[i:]
}
