package config_test

import (
	"flag"
	"fmt"
	"time"

	"github.com/trafficsim/trafficsim/harness/config"
)

func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.MinRequests, cfg.MaxRequests = 50, 10
	cfg.Stages = []config.Stage{{Duration: -time.Second, Target: 5}}
	fmt.Println(cfg.Validate())
	// Output:
	// -stages: stage 1: duration -1s is not positive
	// -min-request-count: 50 is greater than -max-request-count 10
}

func ExampleRegisterFlags() {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	flags := config.RegisterFlags(fs)
	_ = fs.Parse([]string{"-users=20", "-think=exp:1s"})
	cfg, err := flags.Config()
	fmt.Println(cfg.Users, cfg.Think, err)
	// Output: 20 exp:1s <nil>
}
