package contract

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
)

func TestScanIDs(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		limit int
		want  []int64
	}{
		{"one object", `{"id":7,"name":"x"}`, 8, []int64{7}},
		{"nested and listed", `{"items":[{"id":1},{"id":22,"user":{"id":333}}],"total":3}`, 8, []int64{1, 22, 333}},
		{"spaces around the colon", "{\"id\" :\n 42}", 8, []int64{42}},
		{"other keys ending in id", `{"user_id":5,"uuid":6,"paid":7}`, 8, nil},
		{"string, float, negative and zero ids", `[{"id":"9"},{"id":1.5},{"id":-3},{"id":0},{"id":2e3}]`, 8, nil},
		{"too long to be an id", `{"id":12345678901234567890}`, 8, nil},
		{"limit", `[{"id":1},{"id":2},{"id":3}]`, 2, []int64{1, 2}},
		{"escaped key inside a string", `{"note":"{\"id\":5}","id":6}`, 8, []int64{6}},
		{"not JSON", "<html>id: 5</html>", 8, nil},
		{"empty", "", 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			scanIDs([]byte(tt.body), tt.limit, func(id int64) { got = append(got, id) })
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestIDRing(t *testing.T) {
	var r idRing
	rnd := rand.New(rand.NewPCG(1, 2))
	_, ok := r.pick(rnd)
	assert.False(t, ok, "nothing seen yet")

	for i := range 3 * idRingSize {
		r.collect([]byte(`{"id":` + strconv.Itoa(i+1) + `}`))
	}
	seen := map[int64]bool{}
	for range 1000 {
		id, ok := r.pick(rnd)
		require.True(t, ok)
		seen[id] = true
	}
	for id := range seen {
		assert.Greater(t, id, int64(2*idRingSize), "only the most recent ids are kept")
	}
	assert.Greater(t, len(seen), idRingSize/2, "picks spread over the ring")
}

func TestChecker_CollectsIDs(t *testing.T) {
	c := NewChecker(parsePets(t), 0, 1)
	// Unsampled 2xx answers are scanned every idStride answers of an
	// operation, from the first; errors never.
	for i := range idStride {
		c.Observe(harness.Get("/pets/{id}", 1), answer(200, `{"id":`+strconv.Itoa(100+i)+`,"name":"x"}`))
	}
	assert.Equal(t, uint64(1), c.ids.pos.Load(), "one of %d answers scanned", idStride)
	c.Observe(harness.Delete("/pets/{id}", 1), answer(404, `{"id":99,"error":"x"}`))
	assert.Equal(t, uint64(1), c.ids.pos.Load(), "error answers are not scanned")
	id, ok := c.ids.pick(rand.New(rand.NewPCG(1, 1)))
	require.True(t, ok)
	assert.Equal(t, int64(100), id)
}
