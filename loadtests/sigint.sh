#!/usr/bin/env bash
# sigint.sh measures how fast a run stops under overload: 10,000 Populate
# users (USERS) against the reference user service as a program, a demand
# far past what it serves (think const:300ms), -grace 1s. Once every user is
# active and the line of waiting requests has stood for WAIT seconds (5), it
# sends SIGINT and prints the seconds until the process exited, with the
# saturation summary.json recorded. FAULTS="*=latency:3s@1" makes every
# answer take 3 s, so requests in flight outlast the grace. `make sigint`
# calls it; extra test flags go in ARGS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/service.sh"
run=""
finish() {
	if [ -n "$run" ] && kill -0 "$run" 2>/dev/null; then kill -KILL "$run" 2>/dev/null || true; fi
	stop_service
}
trap finish EXIT INT TERM

users=${USERS:-10000}
report="$repo/reports/out/sigint"
rm -rf "$report"
cd "$repo/loadtests"
TRAFFICSIM_ADMIN_EMAIL=admin@trafficsim.test TRAFFICSIM_ADMIN_PASSWORD="$password" TRAFFICSIM_PUSHGATEWAY= \
	"$work/loadtests.test" -test.run 'TestPopulate$' -test.v -test.timeout 5m \
	-target "http://$addr" -users "$users" -min-request-count 100000 -max-request-count 100000 \
	-think const:300ms -ramp 3s -duration 3m -grace 1s -progress 200ms -report-dir "$report" ${ARGS:-} \
	>"$work/run.log" 2>&1 &
run=$!
until grep -q "active=$users " "$work/run.log"; do
	kill -0 "$run" 2>/dev/null || { echo "sigint: the run ended before $users users were active:" >&2; tail -20 "$work/run.log" >&2; exit 1; }
	sleep 0.1
done
sleep "${WAIT:-5}"
queued=$(grep -o 'queued=[0-9]*' "$work/run.log" | tail -1)
start=$(date +%s%N)
kill -INT "$run"
wait "$run" || true
end=$(date +%s%N)
run=""
ms=$(((end - start) / 1000000))
sat=$(tr -d '\n ' <"$report/summary.json" | grep -o '"saturation":{[^}]*}' || true)
echo "sigint: $users active users, $queued at the signal; exited $ms ms after SIGINT (-grace 1s)"
echo "sigint: $sat"
