package harness

import "github.com/trafficsim/trafficsim/harness/redact"

// WithAuth sets the archetype's auth, overriding Config.Auth.
func WithAuth(a Auth) ArchetypeOption {
	return optionFunc(func(ar *archetype) { ar.auth = &a })
}

// auth is the user's auth: its archetype's, else the run's.
func (vu *VU) auth() *Auth {
	if p := vu.env.plan; p != nil && vu.arch < len(p.archetypes) && p.archetypes[vu.arch].auth != nil {
		return p.archetypes[vu.arch].auth
	}
	return &vu.env.cfg.Auth
}

// redactAuthHeader hides the header a's secret travels in, whatever its
// name (an API key in "X-Auth" is no sensitive word): logged headers hold
// no credential of the run's auth.
func redactAuthHeader(h map[string]string, a *Auth) map[string]string {
	if _, ok := h[a.SecretHeader()]; ok {
		h[a.SecretHeader()] = redact.Redacted
	}
	return h
}
