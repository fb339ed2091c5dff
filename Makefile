# Itinera: the two commands are `make run` and `make test`.
SHELL := bash
SWIFT_FORMAT_PATHS := Sources Tests Package.swift

.PHONY: run test stop lint format build bench bench-sse drill clean

run:
	scripts/run.sh

test:
	scripts/test.sh

stop:
	scripts/stop.sh

lint:
	swift format lint --recursive --strict $(SWIFT_FORMAT_PATHS)

format:
	swift format format --in-place --recursive $(SWIFT_FORMAT_PATHS)

build:
	swift build -c release --static-swift-stdlib

bench:
	scripts/bench

bench-sse:
	scripts/bench-sse

drill:
	scripts/drill

# Stops a stack still running from var/ first, so no PostgreSQL is left without its directory.
clean:
	-@scripts/stack down var >/dev/null 2>&1
	rm -rf .build var
