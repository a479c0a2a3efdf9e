// Package config is the configuration of a trafficsim run: Config, the
// option table every flag comes from, the flags themselves, and the plain
// values a configuration holds — think times (Think), open-model plans
// (Stage), shards (Shard) and credentials (Auth). Package harness uses
// these under the same names (harness.Config is config.Config).
//
// Each option is one entry of the table (options.go): its flag, its
// TRAFFICSIM_ variable, its default, the Config field it sets, its checks
// and its doc. RegisterFlags, Default, Config.Validate and the README's
// flag table are made from it; checks between options are named rules
// (rules.go). Values built in code are checked as parsed ones are:
//
//	cfg := config.Default()
//	cfg.Stages = []config.Stage{{Duration: time.Minute, Target: 50}}
//	if err := cfg.Validate(); err != nil { // every problem at once, each naming its flag
//		log.Fatal(err)
//	}
//
// The package imports no part of harness but the leaves it needs (redact,
// outbound, metrics), so harness and its other packages can import it.
package config
