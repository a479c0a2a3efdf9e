# trafficsim — the commands of the README. `make test` installs what is
# missing, then runs every test; CI runs exactly that (.ci/run).

GO       ?= go
OUT      ?= reports/out
ARGS     ?=
BENCH    ?= .
COUNT    ?= 6
OLD      ?= $(OUT)/bench-old.txt
NEW      ?= $(OUT)/bench.txt
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages of the real parts: Pushgateway, Prometheus, and Chromium
# for the HTML report test.
PACKAGES := prometheus-pushgateway prometheus chromium iproute2
BINARIES := /usr/bin/prometheus-pushgateway /usr/bin/prometheus /usr/bin/chromium /bin/ip

.PHONY: all setup test test-race vet examples populate bench compare report stack soak scale sigint fuzz clean

all: test

## setup: install what a new machine lacks (idempotent, non-interactive)
setup:
	@missing=""; for b in $(BINARIES); do [ -x "$$b" ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
		echo "setup: installing $(PACKAGES)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(PACKAGES) >/dev/null; \
	fi
	@for b in $(BINARIES); do [ -x "$$b" ] || { echo "setup: $$b is still missing" >&2; exit 1; }; done
	@$(GO) mod download
	@mkdir -p $(OUT)

## test: every test (fuzz seed corpora included) through gotestsum, then the race detector on the harness
test: setup vet
	$(GO) tool gotestsum --format testname --junitfile $(OUT)/junit-tests.xml -- -count=1 -timeout 15m ./...
	$(GO) test -race -count=1 -timeout 10m ./harness/...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

## examples: each example's own module (examples/NAME/go.mod, a real
## service built from the Go module proxy) vetted and tested in its folder;
## the root's go vet and go test do not descend into them, gofmt (vet) does
EXAMPLES := $(patsubst %/go.mod,%,$(wildcard examples/*/go.mod))
examples:
	@for d in $(EXAMPLES); do \
		echo "== $$d"; \
		(cd $$d && $(GO) vet ./... && $(GO) test -count=1 -timeout 20m ./...) || exit 1; \
	done

## populate: the main job (pass flags with ARGS="-users=500 -duration=1m")
populate:
	$(GO) test ./loadtests -run Populate -v -count=1 -args $(ARGS)

## bench: benchmarks into $(OUT)/bench.txt, for benchstat
bench: setup
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) -timeout 30m ./harness/... ./loadtests/... | tee $(OUT)/bench.txt

## compare: benchstat OLD NEW (two bench.txt files)
compare:
	$(GO) tool benchstat -ignore pkg $(OLD) $(NEW)

## report: the per-endpoint diff of two runs' summaries (OLD_RUN, NEW_RUN: report dirs)
report:
	$(GO) run ./reports/cmd/trafficsim-compare $(OLD_RUN) $(NEW_RUN)

## stack: Pushgateway, Prometheus and the user service for a person to look at
stack: setup
	bash deploy/stack.sh

## soak: a 10-minute run recording heap and goroutines (opt-in, not in `make test`)
soak:
	TRAFFICSIM_SOAK=1 $(GO) test ./loadtests -run Soak -v -count=1 -timeout 20m -args $(ARGS)

## scale: 100,000 Populate users against the user service as a program; prints the peak RSS (opt-in)
scale: setup
	bash loadtests/scale.sh

## sigint: SIGINT to 10,000 users against a target that cannot keep up; prints the time to exit (opt-in)
sigint: setup
	bash loadtests/sigint.sh

## fuzz: each fuzz target for a while (their seed corpora run in `make test`)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list 'Fuzz.*' $$pkg 2>/dev/null | grep ^Fuzz); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 30s $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf $(OUT)
