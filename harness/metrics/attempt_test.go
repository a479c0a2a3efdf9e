package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name    string
		attempt int
		want    time.Duration
	}{
		{name: "first retry", attempt: 0, want: 100 * time.Millisecond},
		{name: "second retry", attempt: 1, want: 200 * time.Millisecond},
		{name: "fifth retry", attempt: 4, want: 1600 * time.Millisecond},
		{name: "capped", attempt: 5, want: MaxBackoff},
		{name: "far beyond the cap", attempt: 1000, want: MaxBackoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, backoff(tt.attempt))
		})
	}
}

func TestClassify(t *testing.T) {
	gw := &gateway{secret: "pw"}
	tests := []struct {
		name      string
		err       error
		doer      recordingDoer
		wantKind  PushFailure
		wantRetry bool
	}{
		{name: "gather error", err: errors.New("gather"), wantKind: PushOther},
		{name: "500", err: errors.New("x"), doer: recordingDoer{called: true, status: 500}, wantKind: PushHTTP5xx, wantRetry: true},
		{name: "400", err: errors.New("x"), doer: recordingDoer{called: true, status: 400}, wantKind: PushHTTP4xx},
		{name: "401", err: errors.New("x"), doer: recordingDoer{called: true, status: 401}, wantKind: PushHTTP4xx},
		{name: "408", err: errors.New("x"), doer: recordingDoer{called: true, status: 408}, wantKind: PushHTTP4xx, wantRetry: true},
		{name: "204", err: errors.New("x"), doer: recordingDoer{called: true, status: 204}, wantKind: PushOther},
		{name: "deadline", err: context.DeadlineExceeded, doer: recordingDoer{called: true}, wantKind: PushTimeout, wantRetry: true},
		{name: "other network", err: errors.New("reset"), doer: recordingDoer{called: true}, wantKind: PushOther, wantRetry: true},
		{name: "secret scrubbed", err: errors.New("dial http://u:pw@gw: reset"), doer: recordingDoer{called: true}, wantKind: PushOther, wantRetry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := gw.classify(tt.err, &tt.doer)
			assert.Equal(t, tt.wantKind, f.kind)
			assert.Equal(t, tt.wantRetry, f.retryable)
			assert.ErrorIs(t, f.err, tt.err)
			assert.NotContains(t, f.err.Error(), "pw")
		})
	}
}
