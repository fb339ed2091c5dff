#!/usr/bin/env bash
# `make test`: lint, build, unit tests (swift test), then the integration tests (pytest) that start
# real stacks through scripts/stack in temp directories.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROJECT="$ITINERA_PROJECT"
cd "$PROJECT"

step() { log "" && log "==> $*"; }

step "Checking packages"
ensure_packages --with-test-tools
ensure_python_modules

step "Lint (swift format lint --strict)"
"${MAKE:-make}" --no-print-directory -C "$PROJECT" lint

step "Build (swift build)"
swift build

step "Unit tests (swift test)"
swift test

step "Integration tests (pytest Tests/Integration)"
if [[ -d Tests/Integration ]] &&
    find Tests/Integration -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit | grep -q .; then
    rc=0
    ITINERA_BINARY="$PROJECT/.build/debug/itinera" ITINERA_PROJECT="$PROJECT" \
        python3 -m pytest -q Tests/Integration || rc=$?
    if ((rc == 5)); then
        log "No integration tests collected; skipped."
    elif ((rc != 0)); then
        exit "$rc"
    fi
else
    log "No integration tests in Tests/Integration yet; skipped."
fi

step "All tests passed"
