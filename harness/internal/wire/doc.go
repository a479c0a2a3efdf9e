// Package wire is the wire form of a user's request that needs no user:
// the URL's path under the target's (escaped once), the body's bytes
// (Encode) set as http.NewRequest would set them, and the browser-like header values
// (User-Agent, Accept, Accept-Language) every request carries. It is
// apart from the harness's user, which decides what to send, so that
// the form can be tested on its own, and so that the shared header
// values, made once, are read by everyone and written by no one: a
// request's Header points at them instead of allocating its own.
package wire
