// Package check is the logic of the assertions a request's answer is
// judged by: a status among the wanted ones, a JSON value present or equal
// at a path, a predicate on the body. Each returns nil when it holds, else
// an error saying what is wrong, with a value at a secret-looking path
// redacted and long values cut.
//
// It works on what an assertion needs, the status and the body, not on a
// harness.Response, so it is tested on its own and harness keeps only thin
// wrappers: users go on writing
//
//	harness.Get("/me").Check("has id", harness.HasJSON("id"))
//
// and harness.HasJSON calls HasJSON here on the response's body.
package check
