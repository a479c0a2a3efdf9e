package contract

import (
	"cmp"
	"context"
	"errors"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
)

// explorerConfig is a small, fast run against target.
func explorerConfig(t *testing.T, target string) harness.Config {
	cfg := harness.DefaultConfig()
	cfg.Target = target
	cfg.Users = 6
	cfg.Think = "none"
	cfg.ErrorRate = 0
	cfg.Duration = time.Minute
	cfg.Progress = 0
	cfg.ReportDir = t.TempDir()
	cfg.RecordSequences = true
	return cfg
}

// TestExplorer_FillsTheGaps runs readers that only list pets and one
// explorer that waits for them, then sends every operation left, reads
// before writes before deletes, with ids the run saw and a body whose
// email carries the run id.
func TestExplorer_FillsTheGaps(t *testing.T) {
	pets := newPetsServer()
	srv := httptest.NewServer(pets)
	t.Cleanup(srv.Close)
	d := parsePets(t)
	checker := NewChecker(d, 100, 1)

	sim := harness.New(t, explorerConfig(t, srv.URL))
	sim.Observe(checker)
	reader := func(ctx context.Context, vu *harness.VU) error {
		_, err := vu.Do(ctx, harness.Get("/pets").Param("kind", "cat"))
		return err
	}
	prepared := 0
	login := func(ctx context.Context, vu *harness.VU) error {
		prepared++
		resp, err := vu.Do(ctx, harness.Post("/login").JSON(map[string]string{"email": vu.Email(""), "password": "pw-0123456789"}))
		if err != nil {
			return err
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := resp.JSON(&tok); err != nil {
			return err
		}
		vu.Token = tok.AccessToken
		return nil
	}
	const readers, readerRequests = 5, 5
	sim.Archetype("reader", 5, harness.Between(readerRequests, readerRequests), reader)
	// The explorer waits for the readers' answers and its own login.
	sim.Archetype("explorer", 1, harness.Between(20, 20), Explorer(d, checker, ExplorerOptions{
		Prepare: login, After: readers*readerRequests + 1, MaxWait: 10 * time.Second,
	}))
	res := sim.MustRun(t.Context())
	s := res.Summary

	require.NotNil(t, s.Coverage)
	assert.Equal(t, 1.0, *s.Coverage, "%+v", s.Operations)
	assert.Zero(t, s.ErrorsUnexpected, "every described non-5xx answer is expected: %v", s.ErrorsByKind)
	assert.Zero(t, checker.Stats().Violations)
	assert.Equal(t, 1, prepared)

	var explorerSeq []string
	for _, seq := range res.Sequences {
		if len(seq) > 0 && seq[0] == "POST /login" {
			explorerSeq = seq
		}
	}
	assert.Equal(t, []string{
		"POST /login", // Prepare
		"GET /health", "GET /pets/{petId}", "POST /pets", "DELETE /pets/{petId}",
	}, explorerSeq, "the gaps only, reads first, deletes last; then the user ends with budget left")

	emailRE := regexp.MustCompile(`^ts-` + regexp.QuoteMeta(s.RunID) + `-\d+x0@trafficsim\.test$`)
	var created []map[string]any
	for _, b := range pets.sent() {
		if _, ok := b["owner_email"]; ok {
			created = append(created, b)
		}
	}
	require.Len(t, created, 1)
	assert.Equal(t, "Rex", created[0]["name"], "the example's other fields as they are")
	assert.Regexp(t, emailRE, created[0]["owner_email"], "the example's email made unique to the user and run")
}

// TestExplorer_Wait checks the explorer's wait for After answers on a
// fake clock: it ends when the answers are there, when MaxWait is over, or
// when the context is cancelled — whichever comes first.
func TestExplorer_Wait(t *testing.T) {
	tests := []struct {
		name     string
		answers  int // answered before the wait
		later    int // answered after 45ms, between two polls
		cancelAt time.Duration
		want     time.Duration
		wantErr  error
	}{
		{name: "enough answers already", answers: 10, want: 0},
		{name: "answers arrive", later: 10, want: 50 * time.Millisecond},
		{name: "too few answers: MaxWait", answers: 3, want: 2 * time.Second},
		{name: "cancelled", cancelAt: 300 * time.Millisecond, want: 300 * time.Millisecond, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := NewChecker(parsePets(t), 0, 1)
				e := &explorer{d: c.d, c: c, opts: ExplorerOptions{After: 10, MaxWait: 2 * time.Second}}
				observe := func(n int) {
					for range n {
						c.Observe(harness.Get("/health"), answer(200, `{"ok":true}`))
					}
				}
				observe(tt.answers)
				if tt.later > 0 {
					time.AfterFunc(45*time.Millisecond, func() { observe(tt.later) })
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tt.cancelAt > 0 {
					time.AfterFunc(tt.cancelAt, cancel)
				}
				start := time.Now()
				err := e.wait(ctx)
				assert.True(t, errors.Is(err, tt.wantErr), "err %v, want %v", err, tt.wantErr)
				assert.Equal(t, tt.want, time.Since(start).Round(explorerPoll))
			})
		})
	}
}

// TestExplorer_EndsWhenNothingIsLeft: with every operation answered as
// described the explorer makes no request and ends its user at once
// (harness.ErrDone, not a journey error).
func TestExplorer_EndsWhenNothingIsLeft(t *testing.T) {
	srv := httptest.NewServer(newPetsServer())
	t.Cleanup(srv.Close)
	d := parsePets(t)
	checker := NewChecker(d, 0, 1)
	described := map[string]int{"POST /pets": 201, "DELETE /pets/{petId}": 204}
	for _, op := range petsOps {
		method, route, _ := strings.Cut(op, " ")
		checker.Observe(harness.NewRequest(method, route, 1), answer(cmp.Or(described[op], 200), ""))
	}
	cfg := explorerConfig(t, srv.URL)
	cfg.Users = 2
	sim := harness.New(t, cfg)
	sim.Observe(checker)
	sim.Archetype("explorer", 1, harness.Between(50, 50), Explorer(d, checker, ExplorerOptions{}))
	res := sim.MustRun(t.Context())
	assert.Zero(t, res.Summary.Requests)
	assert.Equal(t, 2, res.Summary.Users)
}
