# shellcheck shell=bash
# Booking-core figures for scripts/bench (sourced; uses BASE, VARDIR, WORK, SECONDS_PER_RUN, BINARY):
#   - lifecycle transitions/s through nginx (each a full transition: row lock, event, audit of the
#     request, outbox row), on many seeded bookings: with the outbox worker paused, as pgbench runs
#     alone, and with the worker draining the events beside them;
#   - authenticated GET /api/bookings/{id} req/s and p99 (bearer token, random ids over the seed);
#   - outbox throughput of one worker (events/s);
#   - pgbench -N (simple-update TPS) on the same cluster, for scale.
# BENCH_BOOKINGS sets how many bookings are seeded (default 60000).

# reference_read_bench DIR TOKEN: the same read by scripts/bench.d/reference_read.c (a minimal C
# worker pool running the app's two statements) through the same nginx, as the ceiling of the
# read figure on this machine. Writes DIR/reference.txt (wrk's output), or nothing when it cannot
# be built.
reference_read_bench() {
    local dir="$1" token="$2" workers="${ITINERA_WORKERS:-$(($(nproc) * 2))}"
    # shellcheck disable=SC2046  # pkg-config's flags are separate words
    if ! "${CC:-cc}" -O2 -o "$dir/reference_read" "$PROJECT/scripts/bench.d/reference_read.c" \
        $(pkg-config --cflags --libs fcgi libpq openssl) 2>"$dir/reference-build.txt"; then
        log "The reference read could not be built (see $dir/reference-build.txt); skipped"
        return 0
    fi
    "$dir/reference_read" "$VARDIR/run/reference.sock" "$workers" "$(pg_database_url "$VARDIR")" &
    REFERENCE_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do [[ -S "$VARDIR/run/reference.sock" ]] && break; sleep 0.1; done
    log "Reference reads (minimal C worker, same statements): wrk -t2 -c32 -d${SECONDS_PER_RUN}s GET /bench/read/{id}"
    wrk -t2 -c32 -d2s -s "$PROJECT/scripts/bench.d/booking_read.lua" "$BASE" -- "$dir/ids" "$token" /bench/read/ >/dev/null
    wrk -t2 -c32 "-d${SECONDS_PER_RUN}s" --latency -s "$PROJECT/scripts/bench.d/booking_read.lua" "$BASE" \
        -- "$dir/ids" "$token" /bench/read/ >"$dir/reference.txt"
    kill "$REFERENCE_PID" 2>/dev/null || true
    wait "$REFERENCE_PID" 2>/dev/null || true
    REFERENCE_PID=""
}

booking_bench() {
    local owner bookings="${BENCH_BOOKINGS:-60000}" dir="$WORK/booking"
    mkdir -p "$dir"
    owner="$(pg_database_url "$VARDIR" itinera)"
    local admin="${owner/itinera@/postgres@}"
    log "Seeding $bookings bookings"
    psql "$owner" -XAtq -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO customers (id, team_id, name)
VALUES ('00000000-0000-4000-8000-0000000be001', '00000000-0000-4000-8000-00000000d001', 'Bench Customer')
ON CONFLICT (id) DO NOTHING;
-- Made a minute apart over the past, as real bookings are (not all in one instant: the list
-- indexes would hold one long run of equal keys).
INSERT INTO bookings (team_id, booking_reference, customer_id, status, currency, total_minor, departure_at,
                      created_at, updated_at)
SELECT '00000000-0000-4000-8000-00000000d001', 'ITN-' || upper(lpad(to_hex(g), 6, '0')),
       '00000000-0000-4000-8000-0000000be001', 'booking_created', 'EUR', 100000 + g, now() + g * interval '1 hour',
       now() - g * interval '1 minute', now() - g * interval '1 minute'
FROM generate_series(1, $bookings) g
ON CONFLICT (team_id, booking_reference) DO NOTHING;
INSERT INTO booking_items (team_id, booking_id, position, kind, description, quantity, unit_price_minor)
SELECT team_id, id, 0, 'flight', 'Bench flight ' || booking_reference, 1, total_minor FROM bookings
WHERE customer_id = '00000000-0000-4000-8000-0000000be001';
ANALYZE customers, bookings, booking_items;
SQL
    # The staff JSON is built on the first read after a change (as after this bulk insert); build it
    # now, so the read figure is the steady state, and report how long the first build took.
    psql "$owner" -XAtq -v ON_ERROR_STOP=1 >"$dir/build.txt" <<SQL
BEGIN;
SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true) AS t,
       set_config('itinera.role', 'staff', true) AS r \\gset
SELECT clock_timestamp() AS started \\gset
SELECT count(itinera_refresh_booking_detail(id)) FROM bookings
WHERE customer_id = '00000000-0000-4000-8000-0000000be001';
SELECT extract(epoch FROM clock_timestamp() - :'started'::timestamptz) * 1000;
COMMIT;
SQL
    # As pgbench -i does: no autovacuum or checkpoint of the seed's writes during the measurements.
    psql "$admin" -XAtq -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null 2>&1
    psql "$owner" -XAtq -c "SELECT id FROM bookings WHERE customer_id = '00000000-0000-4000-8000-0000000be001' AND status = 'booking_created' ORDER BY random()" >"$dir/ids"
    local token
    token="$(DATABASE_OWNER_URL="$owner" "$BINARY" token create --user staff@demo.test --team "Demo Travel" --name bench)"

    log "Warm-up (booking reads)"
    wrk -t2 -c32 -d2s -s "$PROJECT/scripts/bench.d/booking_read.lua" "$BASE" -- "$dir/ids" "$token" >/dev/null
    log "Booking reads: wrk -t2 -c32 -d${SECONDS_PER_RUN}s GET /api/bookings/{id}"
    wrk -t2 -c32 "-d${SECONDS_PER_RUN}s" --latency -s "$PROJECT/scripts/bench.d/booking_read.lua" "$BASE" \
        -- "$dir/ids" "$token" >"$dir/reads.txt"
    reference_read_bench "$dir" "$token"
    # Like pgbench, the transitions are measured alone first: the outbox worker is paused (its events
    # wait for it), then once more with the worker draining them on the same two cores.
    "$PROJECT/scripts/stack" worker-stop "$VARDIR" >/dev/null 2>&1 || true
    log "Transitions (outbox worker paused): wrk -t2 -c32 -d${SECONDS_PER_RUN}s POST /api/core/booking-lifecycle"
    wrk -t2 -c32 "-d${SECONDS_PER_RUN}s" --latency -s "$PROJECT/scripts/bench.d/transition.lua" "$BASE" \
        -- "$dir/ids" 2 "$token" >"$dir/transitions.txt"
    psql "$owner" -XAtq -c "SELECT id FROM bookings WHERE customer_id = '00000000-0000-4000-8000-0000000be001' AND status = 'booking_created' ORDER BY random()" >"$dir/ids"
    "$PROJECT/scripts/stack" worker-start "$VARDIR" >/dev/null 2>&1
    log "Transitions (outbox worker running)"
    wrk -t2 -c32 "-d${SECONDS_PER_RUN}s" --latency -s "$PROJECT/scripts/bench.d/transition.lua" "$BASE" \
        -- "$dir/ids" 2 "$token" >"$dir/transitions-beside-worker.txt"

    log "Outbox: one worker drains 10,000 status changes (invoice automation, status notification and its delivery)"
    "$PROJECT/scripts/stack" worker-stop "$VARDIR" >/dev/null 2>&1 || true
    psql "$owner" -XAtq -c "UPDATE outbox_events SET status = 'done' WHERE status = 'pending'" >/dev/null
    psql "$owner" -XAtq -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
SELECT team_id, 'booking.status_changed', id,
       json_build_object('booking_id', id, 'booking_reference', booking_reference, 'from', 'payment_pending',
                         'to', 'payment_confirmed', 'notification', 'booking_status_changed')
FROM bookings WHERE customer_id = '00000000-0000-4000-8000-0000000be001' LIMIT 10000;
-- The statistics autovacuum keeps on a running system: without them the worker's first plans are
-- made for the near-empty queue tables of a fresh cluster and kept until autovacuum runs.
ANALYZE outbox_events, outbox_handler_runs;
SQL
    "$PROJECT/scripts/stack" worker-start "$VARDIR" >/dev/null 2>&1
    local i
    for ((i = 0; i < 600; i++)); do
        [[ "$(psql "$owner" -XAtqc "SELECT count(*) FROM outbox_events WHERE status = 'pending'")" == 0 ]] && break
        sleep 0.5
    done
    psql "$owner" -XAtqc "SELECT count(*) || ' ' || extract(epoch FROM max(processed_at) - min(processed_at))
        FROM outbox_events WHERE type = 'booking.status_changed' AND payload->>'to' = 'payment_confirmed'
        AND status = 'done'" >"$dir/outbox.txt"

    log "pgbench -N on the same cluster"
    psql "$admin" -XAtqc "DROP DATABASE IF EXISTS itinera_pgbench" >/dev/null
    psql "$admin" -XAtqc "CREATE DATABASE itinera_pgbench" >/dev/null
    local pgbench host
    pgbench="$(pg_bindir)/pgbench"
    host="$VARDIR/run"
    "$pgbench" -h "$host" -U postgres -i -s 10 -q itinera_pgbench >/dev/null 2>&1
    "$pgbench" -h "$host" -U postgres -N -c 16 -j 2 -T "$SECONDS_PER_RUN" itinera_pgbench >"$dir/pgbench.txt" 2>&1

    python3 - "$dir" "$SECONDS_PER_RUN" <<'PY'
import os
import re
import sys

d, seconds = sys.argv[1], sys.argv[2]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(name):
    text = open(f"{d}/{name}.txt").read()
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1))
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)", text, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return rps, float(p99.group(1)) * UNITS[p99.group(2)], int(bad.group(1)) if bad else 0


built, build_ms = open(f"{d}/build.txt").read().split()
reads, read_p99, read_bad = wrk("reads")
transitions, transition_p99, transition_bad = wrk("transitions")
beside, beside_p99, beside_bad = wrk("transitions-beside-worker")
count, span = open(f"{d}/outbox.txt").read().split()
outbox = float(count) / float(span) if float(span) > 0 else float("nan")
tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", open(f"{d}/pgbench.txt").read()).group(1))
print()
print(f"Booking core (wrk -t2 -c32 -d{seconds}s; pgbench -N -c16 -j2 -T{seconds}):")
print(f"{'figure':44} {'value':>10} {'p99 ms':>9}   aim")
print(f"{'GET /api/bookings/{id} (bearer) req/s':44} {reads:>10.0f} {read_p99:>9.2f}   >= 15000")
if os.path.exists(f"{d}/reference.txt"):
    reference, reference_p99, reference_bad = wrk("reference")
    print(f"{'  … the same read, minimal C worker':44} {reference:>10.0f} {reference_p99:>9.2f}   (reference)")
print(f"{'lifecycle transitions/s (worker paused)':44} {transitions:>10.0f} {transition_p99:>9.2f}   >= 50 % of pgbench -N")
print(f"{'  … with the outbox worker running':44} {beside:>10.0f} {beside_p99:>9.2f}")
print(f"{'outbox events/s (one worker)':44} {outbox:>10.0f}")
print(f"{'pgbench -N TPS':44} {tps:>10.0f}")
print(f"first build of the staff JSON after the seed: {float(build_ms) / int(built):.3f} ms per booking ({built})")
print(f"transitions / pgbench -N = {100 * transitions / tps:.0f} %")
if os.path.exists(f"{d}/reference.txt"):
    print(f"booking reads / minimal C worker = {100 * reads / reference:.0f} %")
if os.path.exists(f"{d}/reference.txt") and reference_bad:
    print(f"warning: {reference_bad} non-2xx answers in the reference reads")
for name, bad in (("booking reads", read_bad), ("transitions", transition_bad), ("transitions", beside_bad)):
    if bad:
        print(f"warning: {bad} non-2xx answers in {name} (transitions: seed more bookings with BENCH_BOOKINGS)")
PY
}
