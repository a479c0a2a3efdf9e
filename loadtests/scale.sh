#!/usr/bin/env bash
# scale.sh runs the 100,000-user Populate run of "How big can a run be":
# the reference user service as a program of its own on a free loopback
# port, then TestPopulate with 100,000 users that each register and log in,
# paced so the service keeps up (two requests a user, a minute apart, starts
# spread over a minute). It prints the generator's peak resident memory, as
# summary.json records it (resources.rss_peak_bytes). `make scale` calls it;
# extra flags for the test go in ARGS, e.g. ARGS="-think const:20s" for a
# target that cannot keep up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/service.sh"
trap stop_service EXIT INT TERM

report="$repo/reports/out/scale"
cd "$repo/loadtests"
status=0
TRAFFICSIM_ADMIN_EMAIL=admin@trafficsim.test TRAFFICSIM_ADMIN_PASSWORD="$password" \
	"$work/loadtests.test" -test.run 'TestPopulate$' -test.v -test.timeout 20m \
	-target "http://$addr" -users 100000 -min-request-count 2 -max-request-count 2 \
	-think const:60s -ramp 60s -duration 150s -progress 10s -report-dir "$report" \
	-budgets "$here/scale-budgets.yaml" ${ARGS:-} || status=$?
peak=$(sed -n 's/.*"rss_peak_bytes": *\([0-9]*\).*/\1/p' "$report/summary.json" | head -1)
echo "scale: peak resident memory of the generator: $((peak / 1048576)) MiB (reports in $report)"
exit "$status"
