package document

import (
	"fmt"
	"testing"
)

// BenchmarkRender measures each document for 15, 50 and 200 persons; pdf-bytes is the size of
// one rendered file.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{15, 50, 200} {
		m := fixture(TrackParty, n)
		for _, kind := range Kinds() {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				var size int
				for b.Loop() {
					out, err := Render(kind, m)
					if err != nil {
						b.Fatal(err)
					}
					size = len(out)
				}
				b.ReportMetric(float64(size), "pdf-bytes")
			})
		}
	}
}
