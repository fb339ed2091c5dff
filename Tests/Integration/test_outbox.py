"""The outbox and `itinera worker`: automations, crash safety, concurrency, dead events."""

import os
import signal
import subprocess

from conftest import BINARY, wait_until
from identity import Browser, advance

from test_bookings import move, new_booking
from test_sales_and_catalog import walk


def staff_and_customer(stack):
    stack.psql("DELETE FROM login_attempts")
    staff = Browser(stack, "staff@demo.test")
    customer = staff.send("POST", "/api/customers", json={"name": "Outbox Test"}).json()["data"]["id"]
    return staff, customer


def to_payment_confirmed(staff, booking_id):
    for to in ("payment_pending", "payment_confirmed"):
        assert advance(staff, booking_id, to).status_code in (200, 201)


def test_automations_record_invoice_voucher_itinerary_and_message(healthy):
    stack = healthy
    staff, customer = staff_and_customer(stack)
    booking = new_booking(staff, customer)["id"]
    for to in ("payment_pending", "payment_confirmed", "supplier_confirmed", "documents_generated", "completed"):
        assert advance(staff, booking, to).status_code in (200, 201)
    assert wait_until(lambda: stack.psql(
        f"SELECT count(*) FROM customer_communications WHERE booking_id = '{booking}'") == "1")
    assert stack.psql(f"SELECT count(*) || '/' || min(amount_minor) FROM invoices WHERE booking_id = '{booking}'") \
        == "1/340000"
    kinds = stack.psql(f"SELECT string_agg(kind, ',' ORDER BY kind) FROM documents WHERE booking_id = '{booking}'")
    assert kinds == "invoice,itinerary,voucher"
    assert stack.psql(f"SELECT count(*) FROM itineraries WHERE booking_id = '{booking}'") == "1"
    # Staff read in the booking's history what the automations recorded, once each, done by no one,
    # beside the payment staff recorded.
    history = staff.get(f"/api/bookings/{booking}/history").json()["data"]["items"]
    assert [(e["summary"], e["actor_type"], e["actor_name"]) for e in history] == [
        ("Thank-you message to the client recorded", "system", None),
        ("Voucher and itinerary recorded", "system", None),
        ("Invoice recorded for 3400.00 EUR", "system", None),
        ("Recorded a payment of 3400.00 EUR by bank transfer", "user", "Sam Staff"),
    ]


def test_only_the_automations_a_status_calls_for_run(healthy):
    """Each automation runs, and records its outcome, only for the status it is for."""
    stack = healthy
    staff, customer = staff_and_customer(stack)
    booking = new_booking(staff, customer)["id"]
    to_payment_confirmed(staff, booking)
    runs = (f"SELECT string_agg(e.payload->>'to' || ':' || r.handler, ',' ORDER BY e.id, r.handler) "
            f"FROM outbox_events e JOIN outbox_handler_runs r ON r.event_id = e.id "
            f"WHERE e.aggregate_id = '{booking}' AND r.status = 'done'")
    # The status notification runs for every change; the invoice only for payment_confirmed.
    assert wait_until(lambda: stack.psql(runs) == "payment_pending:automation.status_notification,"
                      "payment_confirmed:automation.invoice,payment_confirmed:automation.status_notification")
    assert wait_until(lambda: stack.psql(
        f"SELECT count(*) FROM outbox_events WHERE aggregate_id = '{booking}' AND status <> 'done'") == "0")


def test_a_status_notification_is_raised_once_even_when_its_handler_runs_again(healthy):
    stack = healthy
    staff, customer = staff_and_customer(stack)
    booking = new_booking(staff, customer)["id"]
    assert move(staff, booking, "payment_pending").status_code == 200
    event = stack.psql(f"SELECT id FROM outbox_events WHERE aggregate_id = '{booking}' "
                       "AND type = 'booking.status_changed'")
    done = f"SELECT status FROM outbox_events WHERE id = {event}"
    raised = f"SELECT count(*) FROM notifications WHERE type = 'booking_status_changed' AND link_id = '{booking}'"
    deliveries = (f"SELECT count(*) FROM outbox_events WHERE type = 'notification.created' AND aggregate_id IN "
                  f"(SELECT id FROM notifications WHERE link_id = '{booking}')")
    assert wait_until(lambda: stack.psql(done) == "done")
    assert stack.psql(raised) == "1" and stack.psql(deliveries) == "1"
    # As when a second worker takes the event over after the first one's lease ran out.
    stack.psql(f"DELETE FROM outbox_handler_runs WHERE event_id = {event}; "
               f"UPDATE outbox_events SET status = 'pending', next_attempt_at = now() WHERE id = {event}; "
               "SELECT pg_notify('itinera_outbox', 'again')")
    assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM outbox_handler_runs WHERE event_id = {event}") == "1")
    assert wait_until(lambda: stack.psql(done) == "done")
    assert stack.psql(raised) == "1" and stack.psql(deliveries) == "1"
    # A status change that does not ask for the notification (an older build's) raises none.
    other = new_booking(staff, customer)["id"]
    old = stack.psql("INSERT INTO outbox_events (team_id, type, aggregate_id, payload) "
                     f"SELECT team_id, 'booking.status_changed', id, jsonb_build_object('booking_id', id, "
                     f"'from', 'booking_created', 'to', 'cancelled') FROM bookings WHERE id = '{other}' RETURNING id; "
                     "SELECT pg_notify('itinera_outbox', 'old')").splitlines()[0]
    assert wait_until(lambda: stack.psql(f"SELECT status FROM outbox_events WHERE id = {old}") == "done")
    assert stack.psql(f"SELECT count(*) FROM notifications WHERE link_id = '{other}' "
                      "AND type = 'booking_status_changed'") == "0"


def test_a_committed_change_wakes_the_listening_workers(healthy):
    """The worker is woken by a NOTIFY right after COMMIT; its sweep every second is the fallback."""
    stack = healthy
    staff, customer = staff_and_customer(stack)
    listener = subprocess.Popen(["psql", stack.owner_url, "-XAtq"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        listener.stdin.write("LISTEN itinera_outbox;\nSELECT 'listening';\n")
        listener.stdin.flush()
        assert listener.stdout.readline().strip() == "listening"
        booking = new_booking(staff, customer)["id"]
        assert move(staff, booking, "payment_pending").status_code == 200
        heard, _ = listener.communicate("SELECT 'done';\n", timeout=30)
    finally:
        if listener.poll() is None:
            listener.kill()
    assert 'notification "itinera_outbox" with payload "booking.created"' in heard
    assert 'notification "itinera_outbox" with payload "booking.status_changed"' in heard


def test_a_worker_killed_before_marking_done_produces_exactly_one_invoice(healthy):
    stack = healthy
    staff, customer = staff_and_customer(stack)
    stack.stack("worker-stop")
    paused = dict(stack.env, ITINERA_WORKER_PAUSE_BEFORE_DONE_MS="3000")
    worker = subprocess.Popen([str(BINARY), "worker"], env=paused, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        booking = new_booking(staff, customer)["id"]
        to_payment_confirmed(staff, booking)
        # The invoice handler has run and committed; the worker now sleeps before marking the event done.
        assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking}'") == "1")
        event = stack.psql(f"SELECT id FROM outbox_events WHERE aggregate_id = '{booking}' "
                           "AND payload->>'to' = 'payment_confirmed'")
        assert stack.psql(f"SELECT status FROM outbox_events WHERE id = {event}") == "pending"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    stack.stack("worker-start")
    assert wait_until(lambda: stack.psql(f"SELECT status FROM outbox_events WHERE id = {event}") == "done")
    assert stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking}'") == "1"
    assert stack.psql(f"SELECT attempts FROM outbox_events WHERE id = {event}") == "2"
    assert [e["summary"] for e in staff.get(f"/api/bookings/{booking}/history").json()["data"]["items"]] == [
        "Invoice recorded for 3400.00 EUR", "Recorded a payment of 3400.00 EUR by bank transfer"]
    # Its status notification to the team was not raised twice either.
    assert stack.psql(f"SELECT count(*) FROM notifications WHERE type = 'booking_status_changed' "
                      f"AND recipient_user_id IS NULL AND link_id = '{booking}' "
                      f"AND metadata->>'to' = 'payment_confirmed'") == "1"


def test_the_worker_rides_out_a_database_restart(healthy):
    """A restart of PostgreSQL delays the worker's work; the same worker reconnects, listens again and
    catches up on what was committed before and after it."""
    stack = healthy
    staff, customer = staff_and_customer(stack)
    worker = stack.worker_pid()
    booking = new_booking(staff, customer)["id"]
    assert move(staff, booking, "payment_pending").status_code == 200
    stack.stack("pg-stop")
    stack.stack("pg-start")
    assert wait_until(lambda: advance(staff, booking, "payment_confirmed").status_code == 201)
    assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking}'") == "1")
    assert wait_until(lambda: stack.psql(
        f"SELECT count(*) FROM outbox_events WHERE aggregate_id = '{booking}' AND status <> 'done'") == "0")
    assert stack.psql(f"SELECT count(*) FROM notifications WHERE type = 'booking_status_changed' "
                      f"AND recipient_user_id IS NULL AND link_id = '{booking}'") == "2"
    assert stack.worker_pid() == worker and os.path.exists(f"/proc/{worker}")


def held_worker(stack, events):
    """With the stack's worker stopped: `events` test.count events, and a worker with a ten-minute
    lease that pauses before each done mark, started once they are committed. Returns (worker, ids)."""
    stack.stack("worker-stop")
    stack.psql("CREATE TABLE IF NOT EXISTS outbox_test_effects (event_id bigint NOT NULL, at timestamptz DEFAULT now())")
    ids = stack.psql(f"INSERT INTO outbox_events (type, payload) SELECT 'test.count', '{{}}' "
                     f"FROM generate_series(1, {events}) RETURNING id").splitlines()
    env = dict(stack.env, ITINERA_OUTBOX_LEASE_SECONDS="600", ITINERA_WORKER_PAUSE_BEFORE_DONE_MS="2000")
    worker = subprocess.Popen([str(BINARY), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The whole batch is claimed; the first event's handler has run and the worker waits before its done mark.
    assert wait_until(lambda: stack.psql(
        f"SELECT count(*) FROM outbox_test_effects WHERE event_id = {ids[0]}") == "1")
    return worker, ids


def test_a_stopped_worker_hands_the_rest_of_its_batch_back(healthy):
    """SIGTERM finishes the running event; the others it had claimed are due again at once, with their
    attempt given back, instead of waiting out the lease; one that another claim took over meanwhile
    is left to that claim."""
    stack = healthy
    worker, ids = held_worker(stack, 5)
    mine, taken = ids[:4], ids[4]
    try:
        rows = f"SELECT id || ':' || status || ':' || attempts FROM outbox_events WHERE id IN ({','.join(mine)}) ORDER BY id"
        assert stack.psql(rows).splitlines() == [f"{i}:pending:1" for i in mine]
        # As an admin's retry and then another worker's claim would leave it: the same attempt count.
        stack.psql(f"UPDATE outbox_events SET next_attempt_at = now() + interval '10 minutes' WHERE id = {taken}")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert stack.psql(rows).splitlines() == [f"{mine[0]}:done:1"] + [f"{i}:pending:0" for i in mine[1:]]
    assert stack.psql(f"SELECT count(*) FROM outbox_events WHERE id IN ({','.join(mine)}) "
                      "AND status = 'pending' AND next_attempt_at > now()") == "0"
    assert stack.psql(f"SELECT attempts || ':' || (next_attempt_at > now() + interval '9 minutes') "
                      f"FROM outbox_events WHERE id = {taken}") == "1:true"
    stack.psql(f"DELETE FROM outbox_events WHERE id = {taken}")
    stack.stack("worker-start")
    assert wait_until(lambda: stack.psql(rows).splitlines() == [f"{i}:done:1" for i in mine], 10)
    assert stack.psql(f"SELECT count(*) || '/' || count(DISTINCT event_id) FROM outbox_test_effects "
                      f"WHERE event_id IN ({','.join(mine)})") == "4/4"


def test_after_a_database_restart_the_worker_takes_its_batch_up_again_at_once(healthy):
    """The events a worker held when PostgreSQL restarted run as soon as it is back, not after the
    lease; the one whose handler had already committed does not run its effect twice."""
    stack = healthy
    worker, ids = held_worker(stack, 3)
    try:
        stack.stack("pg-stop")
        stack.stack("pg-start")
        assert wait_until(lambda: stack.psql(
            f"SELECT count(*) FROM outbox_events WHERE id IN ({','.join(ids)}) AND status = 'done'") == "3", 30)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
    assert stack.psql(f"SELECT count(*) || '/' || count(DISTINCT event_id) FROM outbox_test_effects "
                      f"WHERE event_id IN ({','.join(ids)})") == "3/3"
    assert stack.psql(f"SELECT string_agg(attempts::text, ',' ORDER BY id) FROM outbox_events "
                      f"WHERE id IN ({','.join(ids)})") == "2,1,1"


def test_a_worker_stopped_while_the_database_is_down_hands_its_batch_back_once_it_is_up(healthy):
    stack = healthy
    worker, ids = held_worker(stack, 3)
    try:
        stack.stack("pg-stop")
        worker.send_signal(signal.SIGTERM)
        stack.stack("pg-start")
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    # Nothing waits out the ten-minute lease: the running one after its short backoff, the others now.
    assert stack.psql(f"SELECT count(*) FROM outbox_events WHERE id IN ({','.join(ids)}) "
                      "AND next_attempt_at > now() + interval '1 minute'") == "0"
    assert stack.psql(f"SELECT string_agg(attempts::text, ',' ORDER BY id) FROM outbox_events "
                      f"WHERE id IN ({','.join(ids)})") == "1,0,0"
    stack.stack("worker-start")
    assert wait_until(lambda: stack.psql(
        f"SELECT count(*) FROM outbox_events WHERE id IN ({','.join(ids)}) AND status = 'done'") == "3", 15)
    assert stack.psql(f"SELECT count(*) || '/' || count(DISTINCT event_id) FROM outbox_test_effects "
                      f"WHERE event_id IN ({','.join(ids)})") == "3/3"


def test_two_workers_drain_a_thousand_events_exactly_once(healthy):
    stack = healthy
    stack.psql("CREATE TABLE IF NOT EXISTS outbox_test_effects (event_id bigint NOT NULL, at timestamptz DEFAULT now())")
    stack.psql("TRUNCATE outbox_test_effects")
    mine = f"type = 'test.count' AND id > {stack.psql('SELECT coalesce(max(id), 0) FROM outbox_events')}"
    second = subprocess.Popen([str(BINARY), "worker"], env=stack.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        stack.psql("INSERT INTO outbox_events (type, payload) SELECT 'test.count', '{}' FROM generate_series(1, 1000);"
                   " SELECT pg_notify('itinera_outbox', 'bulk')")
        assert wait_until(lambda: stack.psql(
            f"SELECT count(*) FROM outbox_events WHERE {mine} AND status <> 'done'") == "0", 60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=15)
    assert stack.psql("SELECT count(*) || '/' || count(DISTINCT event_id) FROM outbox_test_effects") == "1000/1000"
    assert stack.psql(f"SELECT count(*) || '/' || count(*) FILTER (WHERE attempts = 1) FROM outbox_events "
                      f"WHERE {mine}") == "1000/1000"


def test_a_handler_that_always_fails_ends_dead_with_its_error_visible(healthy):
    stack = healthy
    event = stack.psql("INSERT INTO outbox_events (team_id, type, payload) "
                       "VALUES ('00000000-0000-4000-8000-00000000d001', 'test.fail', '{}') RETURNING id; "
                       "SELECT pg_notify('itinera_outbox', 'fail')").splitlines()[0]
    assert wait_until(lambda: stack.psql(f"SELECT status FROM outbox_events WHERE id = {event}") == "dead", 30)
    assert stack.psql(f"SELECT attempts FROM outbox_events WHERE id = {event}") == "3"
    admin = Browser(stack, "admin@demo.test")
    dead = admin.get("/api/admin/outbox?status=dead").json()["data"]["items"]
    mine = [e for e in dead if str(e["id"]) == event]
    assert mine and "always fails" in mine[0]["last_error"]
    assert mine[0]["handlers"][0]["status"] == "failed"
    retry = admin.send("POST", f"/api/admin/outbox/{event}/retry")
    assert retry.status_code == 200 and retry.json()["data"]["status"] == "pending"
    assert (retry.json()["data"]["attempts"], retry.json()["data"]["last_error"]) == (0, None)  # as if new
    assert wait_until(lambda: stack.psql(f"SELECT status FROM outbox_events WHERE id = {event}") == "dead", 30)
    other_team = Browser(stack, "admin@other.test")
    assert other_team.send("POST", f"/api/admin/outbox/{event}/retry").status_code == 404


def test_the_admin_outbox_lists_the_failing_events_the_dashboard_counts(healthy):
    stack = healthy
    # Failed once, its next try an hour away: the dashboard counts it as failed, retrying.
    failing = stack.psql("INSERT INTO outbox_events (team_id, type, payload, attempts, last_error, next_attempt_at) "
                         "VALUES ('00000000-0000-4000-8000-00000000d001', 'test.fail', '{}', 1, 'partner down', "
                         "now() + interval '1 hour') RETURNING id").splitlines()[0]
    waiting = stack.psql("INSERT INTO outbox_events (team_id, type, payload, next_attempt_at) "
                         "VALUES ('00000000-0000-4000-8000-00000000d001', 'test.fail', '{}', now() + interval '1 hour') "
                         "RETURNING id").splitlines()[0]
    admin = Browser(stack, "admin@demo.test")
    try:
        ids = lambda status: set(walk(admin, f"/api/admin/outbox?status={status}", limit=500))
        assert failing in ids("failed") and waiting not in ids("failed")
        assert waiting in ids("pending") and failing not in ids("pending")
        assert failing not in ids("dead")
        counts = admin.get("/api/admin/dashboard").json()["data"]["outbox"]
        assert (counts["pending"], counts["failed"]) == (len(ids("pending")), len(ids("failed")))
        bad = admin.get("/api/admin/outbox?status=stuck")
        assert bad.status_code == 400
        assert bad.json()["error"]["details"]["fields"]["status"] == "must be pending, failed, done or dead"
    finally:
        stack.psql(f"DELETE FROM outbox_events WHERE id IN ({failing}, {waiting})")
