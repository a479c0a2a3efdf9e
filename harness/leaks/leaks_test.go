package leaks

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// blocked waits until release is closed; its name is what Find reports.
// It is started with running.Add(1) and says when it runs: a goroutine
// not yet scheduled has no frames in the profile.
func blocked(running *sync.WaitGroup, release <-chan struct{}) {
	running.Done()
	<-release
}

func TestFind(t *testing.T) {
	tests := []struct {
		name  string
		start func(ctx context.Context, running *sync.WaitGroup, release <-chan struct{}) // under the label
		want  int
		entry string // in the description, when want > 0
	}{
		{"nothing started", func(context.Context, *sync.WaitGroup, <-chan struct{}) {}, 0, ""},
		{"a goroutine that ended", func(context.Context, *sync.WaitGroup, <-chan struct{}) {
			done := make(chan struct{})
			go func() { close(done) }()
			<-done
		}, 0, ""},
		{"goroutines still waiting", func(_ context.Context, running *sync.WaitGroup, release <-chan struct{}) {
			for range 3 {
				running.Add(1)
				go blocked(running, release)
			}
		}, 3, "leaks.blocked"},
		{"started by a goroutine the run started", func(_ context.Context, running *sync.WaitGroup, release <-chan struct{}) {
			running.Add(1)
			go func() { go blocked(running, release) }()
		}, 1, "leaks.blocked"},
		{"started unlabelled", func(ctx context.Context, running *sync.WaitGroup, release <-chan struct{}) {
			running.Add(1)
			Unlabelled(ctx, func() { go blocked(running, release) })
		}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			var running sync.WaitGroup
			label := New("test")
			label.Do(context.Background(), func(ctx context.Context) { tt.start(ctx, &running, release) })
			running.Wait()
			n, text := find(label, 200*time.Millisecond)
			assert.Equal(t, tt.want, n, text)
			if tt.want > 0 {
				assert.Contains(t, text, tt.entry)
			} else {
				assert.Empty(t, text)
			}
		})
	}
}

func TestFind_otherRunsAreNotCounted(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var running sync.WaitGroup
	running.Add(1)
	other := New("same-id")
	other.Do(context.Background(), func(context.Context) { go blocked(&running, release) })
	running.Wait()
	mine := New("same-id")
	assert.NotEqual(t, other, mine, "labels are unique even for one run id")
	mine.Do(context.Background(), func(context.Context) {})
	n, text := find(mine, 50*time.Millisecond)
	assert.Zero(t, n, text)
}

func TestFind_waitsForGoroutinesOnTheirWayOut(t *testing.T) {
	label := New("test")
	label.Do(context.Background(), func(context.Context) {
		go time.Sleep(100 * time.Millisecond)
	})
	n, text := find(label, 2*time.Second)
	assert.Zero(t, n, text)
}

func TestLeakedGroup_String(t *testing.T) {
	tests := []struct {
		name string
		g    leakedGroup
		want string
	}{
		{"waits where it started", leakedGroup{count: 2, entry: "main.worker", at: "main.worker"}, "2 × main.worker"},
		{"waits elsewhere", leakedGroup{count: 1, entry: "main.worker", at: "main.(*queue).get"}, "1 × main.worker (in main.(*queue).get)"},
		{"only runtime frames", leakedGroup{count: 3, entry: "main.worker"}, "3 × main.worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.g.String())
		})
	}
}

func TestFind_mostNumerousFirst(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var running sync.WaitGroup
	running.Add(5)
	label := New("test")
	label.Do(context.Background(), func(context.Context) {
		go blockedToo(&running, release)
		for range 4 {
			go blocked(&running, release)
		}
	})
	running.Wait()
	n, text := find(label, 50*time.Millisecond)
	assert.Equal(t, 5, n, text)
	lines := strings.Split(text, "\n")
	if assert.Len(t, lines, 2, text) {
		assert.True(t, strings.HasPrefix(lines[0], "4 × "), lines[0])
		assert.True(t, strings.HasPrefix(lines[1], "1 × "), lines[1])
	}
}

// blockedToo is blocked with another stack.
func blockedToo(running *sync.WaitGroup, release <-chan struct{}) {
	running.Done()
	<-release
}
