package harness

// WithFinished returns a copy of the scope that asks fn whether the user
// with a given index has finished: a CleanupFunc's own tests use it to play
// a periodic cleanup in the middle of a run.
func (c CleanupScope) WithFinished(fn func(index int) bool) CleanupScope {
	c.finished = fn
	return c
}
