package loadtests

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/budget"
	_ "github.com/trafficsim/trafficsim/harness/contract" // -openapi, -explorer
	"github.com/trafficsim/trafficsim/loadtests/journeys"
)

// Flags are registered at package level: go test parses them before any
// test runs. Every flag also reads its TRAFFICSIM_ environment variable.
var (
	simFlags      = harness.RegisterFlags(flag.CommandLine)
	adminEmail    = flag.String("admin-email", "", "an admin account of the target (default: the in-process service's own)")
	adminPassword = flag.String("admin-password", "", "its password (or TRAFFICSIM_ADMIN_PASSWORD)")
)

// The CI thresholds of Populate live beside the code, in budgets.yaml, and
// are compiled into the test binary: without -budgets they hold the same
// from `go test`, from a compiled loadtests.test run in any folder, and in
// a container that has only the binary.
const defaultBudgetFile = "budgets.yaml"

//go:embed budgets.yaml
var defaultBudgets []byte

// TestPopulate is the main job: the four archetypes of the original design
// against the target, with the budgets of budgets.yaml.
func TestPopulate(t *testing.T) {
	// Problems of the flags are not fatal here: the simulation's Validate
	// reports them together with those of the archetypes and budgets, in
	// one message, before any request.
	cfg, _ := simFlags.Config()
	if cfg.BudgetFile == "" {
		cfg.Budgets = append(embeddedBudgets(t), cfg.Budgets...)
	}
	opts := adminOptions(t)
	inProcess := cfg.Target == ""
	cfg = withTarget(t, cfg, opts)
	if cfg.OpenAPI == "" && inProcess {
		cfg.OpenAPI = cfg.Target + "/openapi.json"
	}
	sim := populate(t, cfg, opts)
	if err := sim.Validate(); err != nil {
		t.Fatalf("trafficsim: invalid configuration:\n%v", err)
	}
	var contractBudgets []string
	if cfg.OpenAPI != "" {
		// The harness maps every request to an operation of the API
		// description (-openapi), validates a sample of the answers, and
		// with -explorer adds an explorer, promoted to admin, for the gaps.
		sim.Explore(harness.Explore{Prepare: promotedExplorer(opts), After: 1000})
		contractBudgets = []string{"coverage >= 100%", "violations == 0"}
	}
	res := sim.MustRun(t.Context())
	res.Check(t, contractBudgets...)
}

// embeddedBudgets returns the budgets of the compiled-in budgets.yaml as
// expressions.
func embeddedBudgets(t testing.TB) []string {
	bs, err := budget.ParseYAML(defaultBudgetFile, defaultBudgets)
	require.NoError(t, err, "the compiled-in %s", defaultBudgetFile)
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.String()
	}
	return out
}

// populate builds the Populate simulation: new 20 % (10–30 requests),
// active 50 % (30–100), admin 20 % (50–200), power 10 % (100–1000).
func populate(t testing.TB, cfg harness.Config, opts journeys.Options) *harness.Simulation {
	sim := harness.New(t, cfg)
	j := journeys.New(opts)
	sim.Archetype("new", 20, harness.Between(10, 30), j.NewUser)
	sim.Archetype("active", 50, harness.Between(30, 100), j.Active)
	sim.Archetype("admin", 20, harness.Between(50, 200), j.Admin)
	sim.Archetype("power", 10, harness.Between(100, 1000), j.Power)
	sim.OnCleanup(j.Cleanup())
	return sim
}

// adminOptions returns the admin account of the target: from the flags or
// environment, else a fresh one for the in-process service.
func adminOptions(t testing.TB) journeys.Options {
	email, pw := *adminEmail, *adminPassword
	if email == "" {
		email = os.Getenv("TRAFFICSIM_ADMIN_EMAIL")
	}
	if pw == "" {
		pw = os.Getenv("TRAFFICSIM_ADMIN_PASSWORD")
	}
	if email == "" {
		email, pw = "admin@trafficsim.test", randomPassword(t)
	}
	return journeys.Options{AdminEmail: email, AdminPassword: pw}
}

func randomPassword(t testing.TB) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random password: %v", err)
	}
	return "Admin-" + hex.EncodeToString(b[:])
}

// withTarget starts the reference user service in-process when no target
// was given, seeded with the admin account.
func withTarget(t testing.TB, cfg harness.Config, opts journeys.Options) harness.Config {
	if cfg.Target != "" {
		return cfg
	}
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
	cfg.Target = srv.URL
	return cfg
}
