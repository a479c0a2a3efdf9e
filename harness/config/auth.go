package config

import (
	"cmp"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// Auth says how a request proves who sends it: the scheme vu.Token is sent
// with, or fixed credentials (basic auth, an API key). It is plain data, set
// per simulation (Config.Auth) or per archetype (WithAuth), and used alike by
// journeys, the explorer and cleanup (cleanup.Scope.Auth), so one
// description of the target's scheme serves every client. Its secrets are
// sent in headers whose names the debug log redacts.
//
// The zero value is the default: vu.Token, once set, as "Authorization:
// Bearer <token>".
type Auth struct {
	kind   authKind
	name   string // the token scheme, the API key's header or the cookie's name
	user   string
	secret string
}

type authKind uint8

const (
	authToken  authKind = iota // vu.Token with a scheme (default Bearer)
	authBasic                  // fixed user and password
	authAPIKey                 // a header holding a fixed key, or vu.Token
	authCookie                 // vu.Token as a cookie
	authNone                   // nothing at all, vu.Token ignored
)

// TokenAuth sends vu.Token as "Authorization: <scheme> <token>" — scheme
// "Bearer" (the default), "Token" (Django REST, Gitea, ...) or any other;
// an empty scheme sends the token raw ("Authorization: <token>", as
// PocketBase wants).
func TokenAuth(scheme string) Auth {
	if scheme == "" {
		return Auth{kind: authToken, name: "-"}
	}
	return Auth{kind: authToken, name: scheme}
}

// BasicAuth sends the same user and password with every request.
func BasicAuth(user, password string) Auth {
	return Auth{kind: authBasic, user: user, secret: password}
}

// APIKeyAuth sends key in the given header ("X-API-Key"); an empty key
// sends vu.Token there instead, once set.
func APIKeyAuth(header, key string) Auth {
	return Auth{kind: authAPIKey, name: http.CanonicalHeaderKey(header), secret: key}
}

// CookieAuth sends vu.Token as the cookie name, for services whose login
// answers with a token the client keeps as a cookie itself. (A session the
// service sets with Set-Cookie needs nothing: every user has its own jar.)
func CookieAuth(name string) Auth { return Auth{kind: authCookie, name: name} }

// NoAuth sends no credentials at all, whatever vu.Token holds.
func NoAuth() Auth { return Auth{kind: authNone} }

// Apply adds the credentials to req: the fixed ones, or token with the
// auth's scheme (nothing when token is empty). Any client may call it —
// cleanup and tools of a simulation as well as the harness itself.
func (a Auth) Apply(req *http.Request, token string) {
	switch a.kind {
	case authBasic:
		req.Header["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(a.user+":"+a.secret))}
	case authAPIKey:
		if v := cmp.Or(a.secret, token); v != "" {
			req.Header[a.name] = []string{v}
		}
	case authCookie:
		if token != "" {
			req.AddCookie(&http.Cookie{Name: a.name, Value: token})
		}
	case authToken:
		if token == "" {
			return
		}
		switch a.name {
		case "", "Bearer":
			req.Header["Authorization"] = []string{"Bearer " + token}
		case "-":
			req.Header["Authorization"] = []string{token}
		default:
			req.Header["Authorization"] = []string{a.name + " " + token}
		}
	}
}

// SecretHeader is the header the auth's secret travels in, for redaction.
func (a Auth) SecretHeader() string {
	switch a.kind {
	case authAPIKey:
		return a.name
	case authCookie:
		return "Cookie"
	}
	return "Authorization"
}

// String describes the auth without its secret, for logs and messages.
func (a Auth) String() string {
	switch a.kind {
	case authBasic:
		return "basic auth as " + a.user
	case authAPIKey:
		if a.secret == "" {
			return "the token in header " + a.name
		}
		return "an API key in header " + a.name
	case authCookie:
		return "the token as cookie " + a.name
	case authNone:
		return "no credentials"
	}
	switch a.name {
	case "", "Bearer":
		return "the token as Authorization: Bearer"
	case "-":
		return "the token as Authorization, raw"
	}
	return "the token as Authorization: " + a.name
}

// Validate checks an auth built by hand as well as by the constructors.
func (a Auth) Validate() error {
	switch {
	case a.kind == authAPIKey && strings.TrimSpace(a.name) == "":
		return errors.New("an API key needs a header name")
	case a.kind == authCookie && strings.TrimSpace(a.name) == "":
		return errors.New("a cookie auth needs a cookie name")
	case a.kind == authToken && strings.ContainsAny(a.name, " \t\r\n"):
		return errors.New("a token scheme has no spaces, got " + a.name)
	}
	return nil
}
