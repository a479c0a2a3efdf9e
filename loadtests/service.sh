# service.sh is sourced by the measured-run scripts (scale.sh, sigint.sh):
# it builds the reference user service and the loadtests test binary into
# $work, starts the service as a program of its own on a free loopback port
# (with FAULTS, a -faults rule set, when given), and sets $addr and
# $password. The caller's EXIT trap must call stop_service.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/trafficsim-run.XXXXXX")
pid=""
stop_service() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}

cd "$repo"
go build -o "$work/userservice" ./fixtures/userservice/cmd/userservice
go test -c -o "$work/loadtests.test" ./loadtests
password="Run-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
USERSERVICE_ADMIN_PASSWORD="$password" "$work/userservice" -addr 127.0.0.1:0 \
	-admin-email admin@trafficsim.test ${FAULTS:+-faults "$FAULTS"} 2>"$work/service.log" &
pid=$!
addr=""
for _ in $(seq 1 100); do
	addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$work/service.log" | head -1)
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || { echo "the user service did not start:" >&2; cat "$work/service.log" >&2; exit 1; }
