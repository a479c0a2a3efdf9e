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
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/trafficsim-scale.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

cd "$repo"
go build -o "$work/userservice" ./fixtures/userservice/cmd/userservice
go test -c -o "$work/loadtests.test" ./loadtests
password="Scale-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
USERSERVICE_ADMIN_PASSWORD="$password" "$work/userservice" -addr 127.0.0.1:0 \
	-admin-email admin@trafficsim.test 2>"$work/service.log" &
pid=$!
addr=""
for _ in $(seq 1 100); do
	addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$work/service.log" | head -1)
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || { echo "scale: the user service did not start:" >&2; cat "$work/service.log" >&2; exit 1; }

report="$repo/reports/out/scale"
cd "$repo/loadtests"
status=0
TRAFFICSIM_ADMIN_EMAIL=admin@trafficsim.test TRAFFICSIM_ADMIN_PASSWORD="$password" \
	"$work/loadtests.test" -test.run 'TestPopulate$' -test.v -test.timeout 20m \
	-target "http://$addr" -users 100000 -min-request-count 2 -max-request-count 2 \
	-think const:60s -ramp 60s -duration 150s -progress 10s -report-dir "$report" ${ARGS:-} || status=$?
peak=$(sed -n 's/.*"rss_peak_bytes": *\([0-9]*\).*/\1/p' "$report/summary.json" | head -1)
echo "scale: peak resident memory of the generator: $((peak / 1048576)) MiB (reports in $report)"
exit "$status"
