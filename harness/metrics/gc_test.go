package metrics

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupJSON renders one group of a GET /api/v1/metrics answer.
func groupJSON(labels map[string]string, pushed time.Time) string {
	var ls []string
	for k, v := range labels {
		ls = append(ls, fmt.Sprintf("%q:%q", k, v))
	}
	sort.Strings(ls)
	l := "{" + strings.Join(ls, ",") + "}"
	secs := 0.0
	if !pushed.IsZero() {
		secs = float64(pushed.UnixNano()) / 1e9
	}
	return fmt.Sprintf(`{"labels":%s,"last_push_successful":true,`+
		`"push_time_seconds":{"time_stamp":"2026-01-01T00:00:00Z","type":"GAUGE","metrics":[{"labels":%s,"value":"%g"}]},`+
		`"trafficsim_vus_active":{"type":"GAUGE","metrics":[{"labels":%s,"value":"1"}]}}`, l, l, secs, l)
}

func TestPusher_CollectGarbage(t *testing.T) {
	now := time.Now()
	groups := []string{
		groupJSON(map[string]string{"job": "sim", "instance": "0", "run_id": "old"}, now.Add(-2*time.Hour)),
		groupJSON(map[string]string{"job": "sim", "instance": "1", "run_id": "fresh"}, now.Add(-time.Minute)),
		groupJSON(map[string]string{"job": "other", "instance": "0", "run_id": "old"}, now.Add(-2*time.Hour)),
		groupJSON(map[string]string{"job": "sim", "run_id": "a/b"}, time.Time{}), // never pushed; "/" forces base64
	}
	body := `{"status":"success","data":[` + strings.Join(groups, ",") + `]}`

	var mu sync.Mutex
	var deleted []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/metrics":
			_, _ = w.Write([]byte(body))
		case r.Method == http.MethodDelete:
			mu.Lock()
			deleted = append(deleted, r.URL.Path)
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		default:
			http.Error(w, "unexpected", http.StatusTeapot)
		}
	}))
	t.Cleanup(srv.Close)

	reg, _ := testRegistry(t, "r")
	p, err := NewPusher(PusherConfig{URL: srv.URL, Job: "sim", RunID: "r", GC: time.Hour}, reg)
	require.NoError(t, err)
	require.NoError(t, p.collectGarbage(t.Context()))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, deleted, 2, "%q", deleted)
	sort.Strings(deleted)
	assert.Contains(t, deleted, "/metrics/job/sim/run_id@base64/YS9i")
	var old map[string]string
	for _, d := range deleted {
		if !strings.Contains(d, "@base64") {
			old = pathGrouping(t, d)
		}
	}
	assert.Equal(t, map[string]string{"job": "sim", "instance": "0", "run_id": "old"}, old)
}

func TestPusher_ListGroupsErrors(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{name: "status", status: http.StatusInternalServerError, body: "boom", wantErr: "status 500"},
		{name: "not json", status: http.StatusOK, body: "<html>", wantErr: "decode"},
		{name: "api error", status: http.StatusOK, body: `{"status":"error","data":[]}`, wantErr: `status "error"`},
		{name: "bad push time", status: http.StatusOK, body: `{"status":"success","data":[{"labels":{"job":"sim"},"push_time_seconds":{"metrics":[{"value":"soon"}]}}]}`, wantErr: "push_time_seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			reg, _ := testRegistry(t, "r")
			p, err := NewPusher(PusherConfig{URL: srv.URL, Job: "sim", RunID: "r", GC: time.Hour}, reg)
			require.NoError(t, err)
			err = p.collectGarbage(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "list pushed groups")
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
