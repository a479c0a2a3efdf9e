// Package loadtests holds trafficsim's own simulations, run as Go tests.
//
// The main one fills a user service with realistic traffic:
//
//	go test ./loadtests -run Populate -v -count=1
//
// With no -target it starts the reference user service (fixtures/userservice)
// in-process and runs against it. Flags come after -args, each also read from
// its TRAFFICSIM_ environment variable:
//
//	go test ./loadtests -run Populate -v -count=1 -args -users=500 -duration=1m
package loadtests
