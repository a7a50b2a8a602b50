package web

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"tinnhiem/publish"
)

// ServeArtifact writes a generated PDF with its checksum headers.
func ServeArtifact(w http.ResponseWriter, r *http.Request, a publish.Artifact, rc io.Reader, log *slog.Logger) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", ContentDisposition(a.FileName))
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.Header().Set("X-Content-SHA256", a.SHA256)
	w.Header().Set("ETag", `"`+a.SHA256+`"`)
	if _, err := io.Copy(w, rc); err != nil {
		if r.Context().Err() != nil {
			// The client closed the connection, often right after the last byte it was told
			// to expect: nothing is wrong with the server or the store.
			log.InfoContext(r.Context(), "artifact download ended by the client", "round", a.Round, "object", a.Object, "err", err)
			return
		}
		log.ErrorContext(r.Context(), "artifact download failed", "round", a.Round, "object", a.Object, "err", err)
	}
}

// File is a stored file offered for download.
type File struct {
	Name        string // the name it is saved under
	ContentType string // default application/octet-stream
	Size        int64  // 0: unknown (no Content-Length)
	SHA256      string // "": not sent
}

// ServeFile writes a stored file as an attachment, with its length and checksum when known.
func ServeFile(w http.ResponseWriter, f File, rc io.Reader) {
	if f.ContentType == "" {
		f.ContentType = "application/octet-stream"
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", ContentDisposition(f.Name))
	if f.SHA256 != "" {
		w.Header().Set("X-Content-SHA256", f.SHA256)
	}
	if f.Size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	}
	_, _ = io.Copy(w, rc)
}
