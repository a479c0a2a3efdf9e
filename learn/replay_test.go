package learn_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/learn"
)

// TestReplayer_StateAndHooks replays a three-step model against a test
// server: the token of the login answer is sent afterwards, the order id
// comes from the earlier answer, and the hooks supply the cart body and
// the coupon id.
func TestReplayer_StateAndHooks(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/" {
			return // the harness's reachability probe
		}
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/login":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-1", "orders": []any{map[string]any{"id": 77}}})
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)

	q := make([]float64, 101)
	for i := range q {
		q[i] = 4
	}
	m := &learn.Model{
		Version: learn.ModelVersion,
		Archetypes: []learn.Archetype{{
			Name: "buyer", Weight: 1, Length: learn.Dist{Mean: 4, Quantiles: q},
			Think: learn.ThinkFit{Law: "const:1ms"},
			Transitions: map[string]map[string]float64{
				"START":                 {"POST /login": 1},
				"POST /login":           {"GET /orders/{id}": 1},
				"GET /orders/{id}":      {"POST /cart": 1},
				"POST /cart":            {"GET /coupons/{coupon}": 1},
				"GET /coupons/{coupon}": {"END": 1},
			},
		}},
		Routes: map[string]learn.Route{"GET /orders/{id}": {Requests: 1, Statuses: map[int]float64{200: 1}}},
	}
	rp, err := learn.NewReplayer(m, nil, learn.Hooks{
		Body: func(_ *harness.VU, _ *learn.State, route string) (any, bool) {
			return map[string]int{"sku": 9}, route == "POST /cart"
		},
		ID: func(_ *harness.VU, _ *learn.State, route, param string) (string, bool) {
			return "SAVE10", param == "coupon"
		},
	})
	require.NoError(t, err)
	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Users, cfg.Duration, cfg.Progress = srv.URL, 1, 10*time.Second, 0
	cfg.ReportDir = filepath.Join(t.TempDir(), "reports")
	sim := harness.New(t, cfg)
	rp.Add(sim)
	res := sim.MustRun(context.Background())
	require.EqualValues(t, 4, res.Summary.Requests)
	assert.Equal(t, []string{
		"POST /login  ",
		"GET /orders/77 Bearer tok-1 ",
		`POST /cart Bearer tok-1 {"sku":9}`,
		"GET /coupons/SAVE10 Bearer tok-1 ",
	}, seen)
	f := rp.Fidelity(learn.DefaultThresholds)
	require.Len(t, f.Archetypes, 1)
	assert.Equal(t, 1, f.Archetypes[0].SessionsB)
	assert.Zero(t, f.Archetypes[0].LengthKS, "the one session had the model's length")
}
