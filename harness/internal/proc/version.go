package proc

import "runtime/debug"

// Version is the main module's version from the binary's build info (a
// tagged release when built as a dependency), else "dev": the version
// summary.json and the pushed trafficsim_run_info carry.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
