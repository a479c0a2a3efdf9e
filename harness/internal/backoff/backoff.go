// Package backoff is the one exponential wait of the harness: the circuit
// breaker's cooldown after each consecutive open, and the pusher's wait
// before each retry.
package backoff

import "time"

// Doubling is first doubled steps times, and never more than max.
func Doubling(first, max time.Duration, steps int) time.Duration {
	d := first
	for range steps {
		if d >= max {
			break
		}
		d *= 2
	}
	return min(d, max)
}
