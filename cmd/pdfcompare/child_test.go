package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The child answers the reader's text, or its refusal with the reason code, as JSON.
func TestChild(t *testing.T) {
	var out bytes.Buffer
	if err := child(context.Background(), []string{"--", "../../ingest/pdftext/testdata/lo-de-nghi-giai-trinh.pdf"}, &out, os.Stderr); err != nil {
		t.Fatal(err)
	}
	var res childOutput
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Result == nil || res.Error != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !strings.HasPrefix(res.Text, "ĐẢNG CỘNG SẢN VIỆT NAM") {
		t.Errorf("text %q", res.Text)
	}

	bad := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(bad, []byte("not a pdf"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := child(context.Background(), []string{bad}, &out, os.Stderr); err != nil {
		t.Fatal(err)
	}
	res = childOutput{}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Error == nil || res.Error.Code != "not_pdf" {
		t.Fatalf("%v: %s", err, out.String())
	}
	if err := child(context.Background(), nil, &out, os.Stderr); err == nil {
		t.Error("no file accepted")
	}
}
