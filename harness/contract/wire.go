package contract

import (
	"context"

	"github.com/trafficsim/trafficsim/harness"
)

// init makes -openapi work in every simulation of a test binary that
// imports this package: the harness cannot import it (this package builds
// on harness.Request and harness.VU), so it registers its wiring instead.
func init() { harness.RegisterContract(wire) }

// wire loads the description of -openapi and returns a Checker of
// -validate-sample percent and, with -explorer, an explorer on it.
func wire(ctx context.Context, s harness.ContractSetup) (harness.ContractParts, error) {
	if s.Client != nil {
		defer s.Client.CloseIdleConnections()
	}
	d, err := Load(ctx, s.Config.OpenAPI, s.Client)
	if err != nil {
		return harness.ContractParts{}, err
	}
	c := NewChecker(d, s.Config.ValidateSample, s.Config.Seed)
	parts := harness.ContractParts{Observer: c}
	if s.Config.Explorer > 0 {
		parts.Explorer = Explorer(d, c, ExplorerOptions{Prepare: s.Explore.Prepare, After: s.Explore.After})
	}
	return parts, nil
}
