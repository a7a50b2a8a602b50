// Package scanfixture turns a clean page image into what a scanner or a phone camera gives, for
// tests of OCR: a slight rotation, speckle noise, a grey background, uneven lighting, a lower
// resolution and JPEG artefacts. It is deterministic for a given seed.
package scanfixture

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
)

// Options say how to degrade a page.
type Options struct {
	Degrees float64 // rotation, counter-clockwise
	Noise   float64 // share of pixels flipped to a random grey (0.002 is a dusty scanner glass)
	Scale   float64 // resize factor (0.6 makes a 300 dpi page a 180 dpi one); 0 keeps the size
	// Lighting darkens the page from one corner to the other by up to this much (0..1), as a lamp
	// or a window does to a phone photo; Paper is the background grey (255 white).
	Lighting float64
	Paper    uint8
	Blur     bool // a 3×3 box blur, as a camera slightly out of focus
	Seed     uint64
}

// Degrade applies the options to a page image and returns a greyscale image.
func Degrade(src image.Image, o Options) *image.Gray {
	g := toGray(src)
	if o.Scale > 0 && o.Scale != 1 {
		g = resize(g, o.Scale)
	}
	if o.Degrees != 0 {
		g = rotate(g, o.Degrees)
	}
	if o.Blur {
		g = blur(g)
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9E3779B97F4A7C15))
	b := g.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	paper := float64(o.Paper)
	if paper == 0 {
		paper = 255
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := float64(g.GrayAt(x, y).Y)
			// Ink stays ink; white becomes the paper's grey.
			v = v / 255 * paper
			if o.Lighting > 0 {
				d := (float64(x)/w + float64(y)/h) / 2
				v *= 1 - o.Lighting*d
			}
			if o.Noise > 0 && rng.Float64() < o.Noise {
				v = float64(rng.IntN(256))
			}
			g.SetGray(x, y, color.Gray{Y: uint8(max(0, min(255, math.Round(v))))})
		}
	}
	return g
}

// PNG encodes an image as PNG.
func PNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// JPEG encodes an image as JPEG at the given quality (a phone's is 80–90).
func JPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	return buf.Bytes(), err
}

func toGray(src image.Image) *image.Gray {
	if g, ok := src.(*image.Gray); ok {
		out := image.NewGray(g.Bounds())
		copy(out.Pix, g.Pix)
		return out
	}
	b := src.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, color.GrayModel.Convert(src.At(x, y)))
		}
	}
	return g
}

// rotate turns the image by deg degrees about its centre (bilinear), filling with white; the
// canvas grows to hold the whole page.
func rotate(g *image.Gray, deg float64) *image.Gray {
	th := deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	b := g.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	nw := int(math.Ceil(math.Abs(w*c) + math.Abs(h*s)))
	nh := int(math.Ceil(math.Abs(w*s) + math.Abs(h*c)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	cx, cy := w/2, h/2
	ncx, ncy := float64(nw)/2, float64(nh)/2
	for y := range nh {
		for x := range nw {
			dx, dy := float64(x)-ncx, float64(y)-ncy
			sx := c*dx - s*dy + cx
			sy := s*dx + c*dy + cy
			out.Pix[y*out.Stride+x] = bilinear(g, sx, sy)
		}
	}
	return out
}

func bilinear(g *image.Gray, x, y float64) uint8 {
	b := g.Bounds()
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return 255
		}
		return float64(g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)])
	}
	v := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
	return uint8(math.Round(v))
}

// resize scales by f with bilinear sampling (box-averaged when shrinking).
func resize(g *image.Gray, f float64) *image.Gray {
	b := g.Bounds()
	nw, nh := max(1, int(float64(b.Dx())*f)), max(1, int(float64(b.Dy())*f))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	k := max(1, int(1/f))
	for y := range nh {
		for x := range nw {
			if f < 1 {
				sx, sy := int(float64(x)/f), int(float64(y)/f)
				sum, n := 0, 0
				for j := sy; j < sy+k && j < b.Dy(); j++ {
					for i := sx; i < sx+k && i < b.Dx(); i++ {
						sum += int(g.Pix[j*g.Stride+i])
						n++
					}
				}
				out.Pix[y*out.Stride+x] = uint8(sum / max(n, 1))
			} else {
				out.Pix[y*out.Stride+x] = bilinear(g, float64(x)/f, float64(y)/f)
			}
		}
	}
	return out
}

func blur(g *image.Gray) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(b)
	w, h := b.Dx(), b.Dy()
	for y := range h {
		for x := range w {
			sum, n := 0, 0
			for j := max(0, y-1); j <= min(h-1, y+1); j++ {
				for i := max(0, x-1); i <= min(w-1, x+1); i++ {
					sum += int(g.Pix[j*g.Stride+i])
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}
