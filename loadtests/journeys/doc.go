// Package journeys holds the journeys of trafficsim's own simulations: what
// new, active, admin and power users do against the reference user service
// (fixtures/userservice), or any service with the same API.
//
// Each journey keeps its user's state (credentials, token, ids it has seen)
// in vu.State and walks a stateful path: register, log in (sometimes with a
// wrong password first, at -error-rate), then a weighted random choice of
// actions until the user's request budget is spent.
//
//	j := journeys.New(journeys.Options{AdminEmail: "root@example.test", AdminPassword: pw})
//	sim.Archetype("new", 20, harness.Between(10, 30), j.NewUser)
//	sim.Archetype("active", 50, harness.Between(30, 100), j.Active)
//	sim.Archetype("admin", 20, harness.Between(50, 200), j.Admin)
//	sim.Archetype("power", 10, harness.Between(100, 1000), j.Power)
//	sim.OnCleanup(j.Cleanup())
package journeys
