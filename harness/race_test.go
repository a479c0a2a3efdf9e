//go:build race

package harness

// raceEnabled is true when the tests run under the race detector, whose
// instrumentation makes every frame, and so every stack, larger.
const raceEnabled = true
