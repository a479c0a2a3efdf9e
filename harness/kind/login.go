package kind

// Login is the outcome of a login attempt, counted by VU.RecordLogin in
// the summary's login_attempts and trafficsim_logins_total{outcome}. It is
// not a string so that a journey cannot invent label values: the label
// set stays bounded at the four outcomes, and anything else (a converted
// number) counts as LoginError.
type Login uint8

// The login outcomes. The zero value is LoginError: an attempt nobody
// classified did not succeed.
const (
	LoginError         Login = iota // any other failure: a 5xx, a transport error, an unreadable answer
	LoginSuccess                    // the credentials were accepted
	LoginWrongPassword              // refused for the credentials (401)
	LoginLocked                     // refused for too many attempts (429)
)

// String returns the outcome's label value: success, wrong_password,
// locked or error.
func (l Login) String() string {
	switch l {
	case LoginSuccess:
		return "success"
	case LoginWrongPassword:
		return "wrong_password"
	case LoginLocked:
		return "locked"
	}
	return "error"
}
