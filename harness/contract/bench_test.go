package contract

import (
	"testing"

	"github.com/trafficsim/trafficsim/harness"
)

// BenchmarkChecker_Observe measures the hot path: a request to a described
// operation whose answer the sample does not pick (the ids of every
// idStride-th 2xx answer are scanned, as in a run).
func BenchmarkChecker_Observe(b *testing.B) {
	c := NewChecker(parsePets(b), 0, 1)
	req := harness.Get("/pets/{id}", 7)
	resp := answer(200, `{"id":7,"name":"Rex","owner_email":"ada@example.com"}`)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Observe(req, resp)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Observe(req, resp)
			}
		})
	})
	b.Run("validated", func(b *testing.B) {
		all := NewChecker(c.d, 100, 1)
		b.ReportAllocs()
		for b.Loop() {
			all.Observe(req, resp)
		}
	})
}
