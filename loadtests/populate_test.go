package loadtests

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
)

// Flags are registered at package level: go test parses them before any
// test runs. Every flag also reads its TRAFFICSIM_ environment variable.
var (
	simFlags      = harness.RegisterFlags(flag.CommandLine)
	adminEmail    = flag.String("admin-email", "", "an admin account of the target (default: the in-process service's own)")
	adminPassword = flag.String("admin-password", "", "its password (or TRAFFICSIM_ADMIN_PASSWORD)")
	explorer      = flag.Int("explorer", 0, "weight of an explorer archetype that sends the operations no journey reached (0: none)")
)

// defaultBudgetFile holds the CI thresholds of Populate, beside the code.
const defaultBudgetFile = "budgets.yaml"

// TestPopulate is the main job: the four archetypes of the original design
// against the target, with the budgets of budgets.yaml.
func TestPopulate(t *testing.T) {
	cfg, err := simFlags.Config()
	require.NoError(t, err, "trafficsim flags")
	if cfg.BudgetFile == "" {
		cfg.BudgetFile = defaultBudgetFile
	}
	opts := adminOptions(t)
	inProcess := cfg.Target == ""
	cfg = withTarget(t, cfg, opts)
	if cfg.OpenAPI == "" && inProcess {
		cfg.OpenAPI = cfg.Target + "/openapi.json"
	}
	sim := populate(t, cfg, opts)
	var contractBudgets []string
	if cfg.OpenAPI != "" {
		// Every request mapped to an operation of the API description, a
		// sample of answers validated against it.
		d, err := contract.Load(t.Context(), cfg.OpenAPI, nil)
		require.NoError(t, err)
		checker := contract.NewChecker(d, cfg.ValidateSample, cfg.Seed)
		sim.Observe(checker)
		if *explorer > 0 {
			sim.Archetype("explorer", *explorer, harness.Between(50, 100), contract.Explorer(d, checker,
				contract.ExplorerOptions{Prepare: promotedExplorer(opts), After: 1000}))
		}
		contractBudgets = []string{"coverage >= 100%", "violations == 0"}
	}
	res := sim.Run(t.Context())
	res.Check(t, contractBudgets...)
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
	sim.OnCleanup(j.Cleanup(cfg.Target))
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
