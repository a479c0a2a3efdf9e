package capped

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
)

// eofReader returns its last bytes together with io.EOF, as net/http's
// bodies of a known length do.
type eofReader struct{ r *strings.Reader }

func (e eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == nil && e.r.Len() == 0 {
		err = io.EOF
	}
	return n, err
}

func TestRead(t *testing.T) {
	const limit = 8
	short := "{\"a\":1}" // 7 bytes
	exact := "12345678"
	long := "123456789012"
	tests := []struct {
		name     string
		body     io.Reader
		size     int64
		want     string
		wantN    int64
		wantErr  error
		tooLarge bool
	}{
		{name: "announced length", body: strings.NewReader(short), size: 7, want: short, wantN: 7},
		{name: "announced length, EOF with the last bytes", body: eofReader{strings.NewReader(short)}, size: 7, want: short, wantN: 7},
		{name: "one byte at a time", body: iotest.OneByteReader(strings.NewReader(short)), size: 7, want: short, wantN: 7},
		{name: "unknown length", body: strings.NewReader(short), size: -1, want: short, wantN: 7},
		{name: "exactly the limit", body: strings.NewReader(exact), size: 8, want: exact, wantN: 8},
		{name: "exactly the limit, unknown length", body: strings.NewReader(exact), size: -1, want: exact, wantN: 8},
		{name: "empty", body: strings.NewReader(""), size: 0, want: "", wantN: 0},
		{name: "no body despite a length (HEAD)", body: http.NoBody, size: 120, want: "", wantN: 0},
		{name: "over the limit: kept up to it, all counted", body: strings.NewReader(long), size: 12, want: long[:limit], wantN: 12, tooLarge: true},
		{name: "over the limit, unknown length", body: strings.NewReader(long), size: -1, want: long[:limit], wantN: 12, tooLarge: true},
		{name: "longer than announced is counted", body: strings.NewReader(long), size: 4, want: long[:4], wantN: 12, tooLarge: true},
		{name: "cut short", body: io.MultiReader(strings.NewReader("1234"), iotest.ErrReader(io.ErrUnexpectedEOF)), size: 7, want: "1234", wantN: 4, wantErr: io.ErrUnexpectedEOF},
		{name: "error after the body", body: io.MultiReader(strings.NewReader(short), iotest.ErrReader(errors.New("reset"))), size: 7, want: short, wantN: 7, wantErr: errors.New("reset")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := Read(tt.body, tt.size, limit)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.wantN, n, "bytes counted")
			switch {
			case tt.tooLarge:
				assert.ErrorIs(t, err, ErrTooLarge)
			case tt.wantErr != nil:
				assert.EqualError(t, err, tt.wantErr.Error())
			default:
				assert.NoError(t, err)
			}
		})
	}
}
