// Package capped reads a response body up to a limit (-max-body) and
// counts every byte of it, the ones past the limit too, which it discards:
// the recorded size of an answer is its real size, the memory kept is
// bounded, and the connection is drained for reuse. It is plain io, apart
// from the exchange that calls it, so its edge cases (an announced length
// that lies, EOF with the last bytes, a HEAD answer) are tested alone.
package capped

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is the error of a body over the limit; the kind of such a
// request is body_too_large.
var ErrTooLarge = errors.New("response body larger than -max-body")

// Read reads at most limit bytes of body and discards the rest,
// counting every byte; a body over the limit is an error of its own kind.
// size is the body's announced length (-1 when unknown): a body that
// announced its length within the limit is read into a slice of exactly
// that size, without io.ReadAll's growing buffer.
func Read(body io.Reader, size, limit int64) ([]byte, int64, error) {
	if body == http.NoBody {
		size = 0 // a HEAD answer announces a length but has no body
	}
	if size < 0 || size > limit {
		buf, err := io.ReadAll(io.LimitReader(body, limit))
		n := int64(len(buf))
		if err != nil {
			return buf, n, err
		}
		return finishCapped(body, buf, n, limit, nil)
	}
	// One byte of room past the announced length, usually free in the
	// allocation's size class, to see the end without a buffer of its own.
	buf := make([]byte, size, size+1)
	n, err := io.ReadFull(body, buf)
	buf = buf[:n]
	if err != nil && (err != io.EOF || n != 0) {
		return buf, int64(n), err
	}
	return finishCapped(body, buf, int64(n), limit, buf[n:n+1])
}

// finishCapped reads what is left of body past buf, n bytes so far, and
// counts it; spare, when not nil, is room for one byte to look for the end.
func finishCapped(body io.Reader, buf []byte, n, limit int64, spare []byte) ([]byte, int64, error) {
	if spare != nil {
		k, err := body.Read(spare)
		n += int64(k)
		if err == io.EOF {
			return buf, n, tooLarge(n, limit)
		}
		if err != nil {
			return buf, n, err
		}
	}
	rest, err := io.Copy(io.Discard, body)
	n += rest
	if err != nil {
		return buf, n, err
	}
	return buf, n, tooLarge(n, limit)
}

// tooLarge is ErrTooLarge when n bytes are over the limit.
func tooLarge(n, limit int64) error {
	if n > limit {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	return nil
}
