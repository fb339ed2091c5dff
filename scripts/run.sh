#!/usr/bin/env bash
# `make run`: build the release binary and run the whole stack in $PROJECT/var until Ctrl-C.
#   ITINERA_PORT     TCP port on 127.0.0.1 (default 8080)
#   ITINERA_WORKERS  FastCGI workers (default: 2 × cores)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROJECT="$ITINERA_PROJECT"
VARDIR="$PROJECT/var"
PORT="${ITINERA_PORT:-8080}"
BINARY="$PROJECT/.build/release/itinera"
STACK="$PROJECT/scripts/stack"

cd "$PROJECT"
ensure_packages

if pool_running "$VARDIR" || nginx_running "$VARDIR" || pg_running "$VARDIR"; then
    log "Itinera already runs from $VARDIR (stop it with: make stop)"
    "$STACK" status "$VARDIR" >&2 || true
    exit 1
fi

log "Building the release binary (swift build -c release --static-swift-stdlib)"
swift build -c release --static-swift-stdlib

stopped=0
# shellcheck disable=SC2317  # invoked by the traps
shutdown() {
    local rc="${1:-0}"
    trap '' INT TERM PIPE
    if ((stopped == 0)); then
        stopped=1
        # Piped into `tee` or the like, Ctrl-C ends the reader too: keep stopping, silently.
        if ! { log "" && log "Stopping Itinera"; } 2>/dev/null; then
            exec >/dev/null 2>&1
        fi
        "$STACK" down "$VARDIR" || rc=1
    fi
    trap - EXIT
    exit "$rc"
}
trap 'shutdown 130' INT
trap 'shutdown 143' TERM
trap 'shutdown $?' EXIT

# The offline sandbox checkout is on in the demo; its webhook secret stays the same across runs.
export ITINERA_SANDBOX_PAYMENTS="${ITINERA_SANDBOX_PAYMENTS:-1}"
if [[ -z "${ITINERA_SANDBOX_WEBHOOK_SECRET:-}" ]]; then
    mkdir -p "$VARDIR"
    [[ -s "$VARDIR/sandbox-webhook.secret" ]] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d " \n" >"$VARDIR/sandbox-webhook.secret")
    ITINERA_SANDBOX_WEBHOOK_SECRET="$(cat "$VARDIR/sandbox-webhook.secret")"
    export ITINERA_SANDBOX_WEBHOOK_SECRET
fi

workers_args=()
if [[ -n "${ITINERA_WORKERS:-}" ]]; then
    workers_args=(--workers "$ITINERA_WORKERS")
fi
"$STACK" up "$VARDIR" --port "$PORT" --binary "$BINARY" "${workers_args[@]}" >/dev/null

# Which payment providers this run can take money through.
payments_line() {
    local providers=()
    [[ "${ITINERA_SANDBOX_PAYMENTS:-}" == 1 ]] && providers+=("sandbox checkout (no provider account needed)")
    [[ -n "${STRIPE_SECRET_KEY:-}" ]] && providers+=("Stripe")
    [[ -n "${RAZORPAY_KEY_ID:-}" ]] && providers+=("Razorpay")
    ((${#providers[@]})) || { echo "none configured"; return; }
    local joined="${providers[0]}" provider
    for provider in "${providers[@]:1}"; do joined+=", $provider"; done
    echo "$joined"
}

# The database the run uses: the local cluster, or the caller's DATABASE_URL.
database_line() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        # Never echo a password to the terminal.
        echo "$(sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$DATABASE_URL") (from DATABASE_URL)"
    else
        echo "$(pg_database_url "$VARDIR") (app role), $(pg_database_url "$VARDIR" itinera) (owner)"
    fi
}

cat <<INFO

Itinera is running.
  Portal:   http://127.0.0.1:$PORT/
  Health:   http://127.0.0.1:$PORT/api/health
  Logs:     $VARDIR/log/itinera.log (app), $VARDIR/log/worker.log (outbox), $VARDIR/log/postgresql.log,
            $VARDIR/nginx/logs/access.log and error.log
  Sign in:  http://127.0.0.1:$PORT/login.html
  Database: $(database_line)
  Payments: $(payments_line)
$(print_demo_logins | sed 's/^/  /')

Press Ctrl-C to stop.
INFO

# Wait in the foreground; `sleep & wait` lets the traps run at once on a signal.
rm -f "$VARDIR/run/stop-requested"
while pool_running "$VARDIR" && nginx_running "$VARDIR" && worker_running "$VARDIR"; do
    sleep 1 &
    wait $! || true
done
if [[ -e "$VARDIR/run/stop-requested" ]]; then
    rm -f "$VARDIR/run/stop-requested"
    log "Stopped by \`make stop\`"
    shutdown 0
fi
log "A component stopped unexpectedly (see the logs above); shutting down"
shutdown 1
