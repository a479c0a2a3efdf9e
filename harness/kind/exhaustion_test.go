package kind_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

func TestKind_ExhaustionNote(t *testing.T) {
	tests := []struct {
		k    kind.Kind
		want []string // in the note; none: no note
	}{
		{kind.TooManyOpenFiles, []string{"too many open files", "ulimit -n: 4096", "ulimit -Hn"}},
		{kind.AddrInUse, []string{"address in use", "ulimit -n: 4096", "ip_local_port_range"}},
		{kind.NoPorts, []string{"no local ports left", "ulimit -n: 4096", "tcp_tw_reuse"}},
		{kind.Timeout, nil},
		{kind.Refused, nil},
		{kind.None, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.k), func(t *testing.T) {
			note := tt.k.ExhaustionNote(4096)
			assert.Equal(t, tt.k.Exhausts(), note != "", "a note exactly for the kinds that exhaust")
			for _, w := range tt.want {
				assert.Contains(t, note, w)
			}
		})
	}
}

func TestExhaustion_Note(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var x kind.Exhaustion
	assert.Empty(t, x.Notes(), "the zero value has no notes")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, k := range []kind.Kind{kind.Timeout, kind.TooManyOpenFiles, kind.HTTP5xx, kind.NoPorts, kind.TooManyOpenFiles} {
				x.Note(log, k)
			}
		})
	}
	wg.Wait()
	notes := x.Notes()
	require.Len(t, notes, 2, "once per exhausting kind: %q", notes)
	assert.ElementsMatch(t, []string{"too many open files", "no local ports left"},
		[]string{strings.Split(notes[0], ":")[0], strings.Split(notes[1], ":")[0]})
	assert.Equal(t, 2, strings.Count(buf.String(), "level=WARN"), "warned once per kind:\n%s", buf.String())
	assert.Contains(t, buf.String(), "kind=too_many_open_files")
	assert.Contains(t, buf.String(), "open_files_limit=")

	notes[0] = "changed"
	assert.NotEqual(t, "changed", x.Notes()[0], "Notes returns a copy")
}
