//go:build !race

package harness

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = false
