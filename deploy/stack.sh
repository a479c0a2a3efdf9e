#!/usr/bin/env bash
# stack.sh starts, for a person to look at, the real parts trafficsim talks
# to: a Pushgateway, a Prometheus scraping it and the user service, and the
# reference user service itself. Everything lives in a temporary directory
# and stops on Ctrl-C. `make stack` calls this script.
#
# Addresses can be changed through the environment:
#   PUSHGATEWAY_ADDR   (default 127.0.0.1:9091)
#   PROMETHEUS_ADDR    (default 127.0.0.1:9090)
#   USER_SERVICE_ADDR  (default 127.0.0.1:8080)
#
# Grafana is not started (it is not packaged here): point your own Grafana at
# the Prometheus URL printed below and import
# deploy/grafana/dashboards/trafficsim.json (or use deploy/grafana/provisioning).
set -euo pipefail

PUSHGATEWAY_ADDR=${PUSHGATEWAY_ADDR:-127.0.0.1:9091}
PROMETHEUS_ADDR=${PROMETHEUS_ADDR:-127.0.0.1:9090}
USER_SERVICE_ADDR=${USER_SERVICE_ADDR:-127.0.0.1:8080}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

for prog in prometheus-pushgateway prometheus go; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		echo "stack: $prog not found; run 'make setup' (Debian packages prometheus-pushgateway, prometheus)" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/trafficsim-stack.XXXXXX")
pids=()
names=()

# stop_all stops only the processes this script started, by PID: SIGTERM,
# up to 5 s of grace, then SIGKILL.
stop_all() {
	local i pid
	for i in "${!pids[@]}"; do
		kill -TERM "${pids[$i]}" 2>/dev/null || true
	done
	for _ in $(seq 1 50); do
		local alive=0
		for pid in "${pids[@]}"; do
			if kill -0 "$pid" 2>/dev/null; then alive=1; fi
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for i in "${!pids[@]}"; do
		if kill -0 "${pids[$i]}" 2>/dev/null; then
			echo "stack: ${names[$i]} did not stop on SIGTERM; killing it" >&2
			kill -KILL "${pids[$i]}" 2>/dev/null || true
		fi
	done
	wait 2>/dev/null || true
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	if [ "${#pids[@]}" -gt 0 ]; then
		echo
		echo "stack: stopping ${names[*]}"
		stop_all
	fi
	if [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$status" -ne 143 ]; then
		echo "stack: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME LOG COMMAND... runs a command in the background and records it.
start() {
	local name=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 &
	pids+=("$!")
	names+=("$name")
}

# wait_ready NAME URL polls URL until it answers (30 s at most).
wait_ready() {
	local name=$1 url=$2
	local hostport=${url#http://}
	hostport=${hostport%%/*}
	for _ in $(seq 1 60); do
		if command -v curl >/dev/null 2>&1; then
			curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		elif (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
			return 0
		fi
		sleep 0.5
	done
	echo "stack: $name did not become ready at $url; its log:" >&2
	tail -n 20 "$work/$name.log" >&2 || true
	return 1
}

# Prometheus scrapes the addresses chosen above.
sed -e "s/127\.0\.0\.1:9091/${PUSHGATEWAY_ADDR}/" -e "s/127\.0\.0\.1:8080/${USER_SERVICE_ADDR}/" \
	"$here/prometheus/prometheus.yml" >"$work/prometheus.yml"

# The user service is built first and run as its own binary, so that its
# PID is the one stopped (a `go run` wrapper would leave its child behind).
echo "stack: building the user service (go build ./fixtures/userservice/cmd/userservice)"
(cd "$repo" && go build -o "$work/userservice" ./fixtures/userservice/cmd/userservice)

start pushgateway "$work/pushgateway.log" prometheus-pushgateway \
	--web.listen-address="$PUSHGATEWAY_ADDR" --persistence.file="$work/pushgateway.data"
start prometheus "$work/prometheus.log" prometheus \
	--config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
	--web.listen-address="$PROMETHEUS_ADDR"
start userservice "$work/userservice.log" "$work/userservice" -addr "$USER_SERVICE_ADDR"

wait_ready pushgateway "http://$PUSHGATEWAY_ADDR/-/ready"
wait_ready prometheus "http://$PROMETHEUS_ADDR/-/ready"
wait_ready userservice "http://$USER_SERVICE_ADDR/metrics"

cat <<MSG

  Pushgateway   http://$PUSHGATEWAY_ADDR
  Prometheus    http://$PROMETHEUS_ADDR   (targets: http://$PROMETHEUS_ADDR/targets)
  User service  http://$USER_SERVICE_ADDR  (metrics: http://$USER_SERVICE_ADDR/metrics)
  Logs          $work/*.log

  Push a run:   go test ./loadtests -run Populate -args -target http://$USER_SERVICE_ADDR -pushgateway http://$PUSHGATEWAY_ADDR
  Grafana:      add a Prometheus data source at http://$PROMETHEUS_ADDR and import
                deploy/grafana/dashboards/trafficsim.json

  Ctrl-C stops all three.
MSG

# Block until Ctrl-C, or until one of the three exits on its own.
wait -n "${pids[@]}" || true
for i in "${!pids[@]}"; do
	if ! kill -0 "${pids[$i]}" 2>/dev/null; then
		echo "stack: ${names[$i]} exited; last lines of its log:" >&2
		tail -n 20 "$work/${names[$i]}.log" >&2 || true
	fi
done
exit 1
