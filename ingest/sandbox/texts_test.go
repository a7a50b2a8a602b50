package sandbox

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"tinnhiem/ingest/reader"
)

// A result's texts travel in the frame's body, before a rendering, and come back as they went;
// a body that does not hold what the header says is a bad frame.
func TestTextsTravelInTheBody(t *testing.T) {
	res := &reader.Result{Format: reader.FormatPDF, Pages: 2, Text: "BÁO CÁO\f\"Trang 2\"\\",
		PageTexts: []string{"BÁO CÁO", "\"Trang 2\"\\"}, Warnings: []string{"w"}}
	rendering := []byte("%PDF-1.7 rendering")
	var frame bytes.Buffer
	resp, texts, n := moveTexts(response{Result: res})
	if resp.Result.Text != "" || resp.Result.PageTexts != nil || res.Text == "" {
		t.Fatalf("the header still carries the texts, or the result was changed: %+v / %+v", resp.Result, res)
	}
	texts = append(texts, bytes.NewReader(rendering))
	if err := writeFrame(&frame, resp, io.MultiReader(texts...), n+int64(len(rendering))); err != nil {
		t.Fatal(err)
	}
	var got response
	rn, err := readFrame(&frame, &got, maxTexts+maxRendering)
	if err != nil {
		t.Fatal(err)
	}
	if rn, err = takeTexts(&frame, &got, rn); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Result, res) || got.Texts != nil {
		t.Errorf("got %+v, want %+v", got.Result, res)
	}
	if rest, _ := io.ReadAll(&frame); int64(len(rest)) != rn || !bytes.Equal(rest, rendering) {
		t.Errorf("rendering: %q (%d announced)", rest, rn)
	}

	for name, c := range map[string]struct {
		texts []int
		body  int64
	}{
		"negative length":        {[]int{3, -1}, 10},
		"more than the body":     {[]int{8, 8}, 10},
		"texts without a result": {nil, 0},
	} {
		r := response{Result: &reader.Result{}, Texts: c.texts}
		if c.texts == nil {
			r = response{Texts: []int{1}}
		}
		if _, err := takeTexts(bytes.NewReader(make([]byte, 20)), &r, c.body); !errors.Is(err, errFrame) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A child that sends bytes that are not UTF-8 gets them replaced, as JSON replaced them.
	r := response{Result: &reader.Result{}, Texts: []int{3}}
	if _, err := takeTexts(bytes.NewReader([]byte("a\xffb")), &r, 3); err != nil || r.Result.Text != "a\uFFFDb" {
		t.Errorf("not UTF-8: %q %v", r.Result.Text, err)
	}
}
