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
