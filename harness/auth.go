package harness

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
