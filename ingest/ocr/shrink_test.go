package ocr

import (
	"image"
	"testing"
)

// halve averages 2×2 blocks, rounding to nearest; shrink lands on the size asked whatever the
// ratio, from grey or colour.
func TestShrink(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 2))
	copy(g.Pix, []uint8{0, 255, 10, 20, 255, 0, 30, 41})
	h := halve(g)
	if h.Rect.Dx() != 2 || h.Rect.Dy() != 1 || h.Pix[0] != 128 || h.Pix[1] != 25 {
		t.Errorf("halve: %v %v", h.Rect, h.Pix)
	}
	for _, tc := range []struct{ sw, sh, dw, dh int }{{2542, 3551, 2511, 3508}, {7016, 4961, 3508, 2480}, {9000, 400, 3508, 155}} {
		r := image.Rect(0, 0, tc.sw, tc.sh)
		for _, src := range []image.Image{image.NewGray(r), image.NewRGBA(r), image.NewYCbCr(r, image.YCbCrSubsampleRatio420)} {
			dst := image.NewGray(image.Rect(0, 0, tc.dw, tc.dh))
			shrink(dst, src)
			if dst.Rect.Dx() != tc.dw || dst.Rect.Dy() != tc.dh {
				t.Errorf("%dx%d → %v", tc.sw, tc.sh, dst.Rect)
			}
		}
	}
	// A white page with a black square keeps it, in the right place.
	src := image.NewGray(image.Rect(0, 0, 4000, 4000))
	for i := range src.Pix {
		src.Pix[i] = 255
	}
	for y := 1000; y < 2000; y++ {
		for x := 1000; x < 2000; x++ {
			src.Pix[y*src.Stride+x] = 0
		}
	}
	colour := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio420)
	copy(colour.Y, src.Pix) // the same page as a colour JPEG decodes: its luma plane
	for i := range colour.Cb {
		colour.Cb[i], colour.Cr[i] = 128, 128
	}
	for _, s := range []image.Image{src, colour} {
		dst := image.NewGray(image.Rect(0, 0, 1000, 1000))
		shrink(dst, s)
		if in, out := dst.GrayAt(375, 375).Y, dst.GrayAt(100, 100).Y; in > 10 || out < 245 {
			t.Errorf("%T: inside the square %d, outside %d", s, in, out)
		}
	}
}

// What bringing a photo of a page at 300 dpi down costs beside Tesseract (Catmull-Rom held
// 285 MB for it).
func BenchmarkShrinkPage(b *testing.B) {
	src := image.NewGray(image.Rect(0, 0, 2542, 3551))
	b.ReportAllocs()
	for b.Loop() {
		shrink(image.NewGray(image.Rect(0, 0, 2511, 3508)), src)
	}
}
