package harness

import "github.com/trafficsim/trafficsim/harness/breaker"

// Cooldowns of an open circuit (see package breaker): the first open lasts
// BreakerCooldown, each further open without a success in between twice as
// long as the one before, up to BreakerMaxCooldown.
const (
	BreakerCooldown    = breaker.Cooldown
	BreakerMaxCooldown = breaker.MaxCooldown
)
