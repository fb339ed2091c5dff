"""Regressions of a security and usability review: the money status follows the money, the timeline
names the caller, live streams end with their credential, sign-in throttling locks out neither an
office nor an account's owner, and the smaller findings."""

import datetime
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import MAX_BODY_BYTES, cgi, wait_until
from identity import DEMO_PASSWORD, Browser, bearer, cli, pay_offline
from test_bookings import move, new_booking
from test_live import Stream
from test_notifications import DEMO_BOOKING, client_save


@pytest.fixture(scope="module")
def customer_id(staff):
    r = staff.send("POST", "/api/customers", json={"name": "Hardening Client", "email": "hard@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


@pytest.fixture(autouse=True)
def forget_login_attempts(stack):
    stack.psql("DELETE FROM login_attempts")
    yield
    stack.psql("DELETE FROM login_attempts")


def counts(stack, booking_id):
    return stack.psql(
        f"SELECT (SELECT count(*) FROM payments WHERE booking_id = '{booking_id}') || '/' || "
        f"(SELECT count(*) FROM booking_lifecycle_events WHERE booking_id = '{booking_id}') || '/' || "
        f"(SELECT count(*) FROM outbox_events WHERE aggregate_id = '{booking_id}') || '/' || "
        f"(SELECT status FROM bookings WHERE id = '{booking_id}')")


# --- 1. payment_confirmed means the money is there -------------------------------------------------

def test_a_move_to_paid_is_refused_while_money_is_outstanding(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    assert move(staff, booking["id"], "payment_pending").status_code == 200
    before = counts(stack, booking["id"])
    r = move(staff, booking["id"], "payment_confirmed")
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "payment_outstanding"
    assert error["details"] == {"totalMinor": 340000, "paidMinor": 0, "outstandingMinor": 340000, "currency": "EUR"}
    assert error["message"].startswith("3400.00 EUR of 3400.00 EUR is still to be paid")
    assert counts(stack, booking["id"]) == before  # no event, no invoice, no notification queued
    # The database refuses it too, whoever writes.
    with pytest.raises(subprocess.CalledProcessError) as refused:
        stack.psql(f"UPDATE bookings SET status = 'payment_confirmed' WHERE id = '{booking['id']}'")
    assert "is not paid in full" in refused.value.stderr


def test_offline_payments_move_the_booking_on_once_they_cover_it(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)["id"]
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    first = pay_offline(staff, booking, 100000, reference="SEPA 2026-118", receivedOn=yesterday)
    assert first.status_code == 201, first.text
    data = first.json()["data"]
    assert data["booking"] == {"id": booking, "status": "payment_pending", "outstanding_minor": 240000}
    payment = data["payment"]
    assert (payment["provider"], payment["method"], payment["reference"], payment["received_on"]) == \
        ("manual", "bank_transfer", "SEPA 2026-118", yesterday)
    assert (payment["status"], payment["captured_minor"], payment["recorded_by"]) == \
        ("succeeded", 100000, staff.me["user"]["id"])
    # Still short: the manual move says how much.
    short = move(staff, booking, "payment_confirmed")
    assert short.status_code == 409 and short.json()["error"]["details"]["outstandingMinor"] == 240000

    rest = pay_offline(staff, booking, method="cash")
    assert rest.status_code == 201, rest.text
    assert rest.json()["data"]["booking"]["status"] == "payment_confirmed"
    events = staff.get(f"/api/bookings/{booking}/events").json()["data"]["items"]
    assert [(e["to_status"], e["actor_type"], e["recorded_by_name"]) for e in events[-2:]] == [
        ("payment_pending", "user", "Sam Staff"), ("payment_confirmed", "user", "Sam Staff")]
    # The same ledger as provider payments: totals, the invoice automation, the history.
    ledger = staff.get(f"/api/bookings/{booking}/payments").json()["data"]
    assert ledger["totals"][0]["captured_minor"] == 340000 and ledger["totals"][0]["outstanding_minor"] == 0
    assert wait_until(lambda: stack.psql(f"SELECT count(*) || '/' || min(amount_minor) FROM invoices "
                                         f"WHERE booking_id = '{booking}'") == "1/340000")
    history = [e["summary"] for e in staff.get(f"/api/bookings/{booking}/history").json()["data"]["items"]]
    assert "Recorded a payment of 1000.00 EUR by bank transfer (SEPA 2026-118)" in history

    # Refundable like any payment: given back by hand, settled at once.
    cash = ledger["payments"][1]
    refund = staff.send("POST", f"/api/payments/{cash['id']}/refunds",
                        json={"amountMinor": 40000, "reason": "Paid twice at the desk", "idempotencyKey": "hard-r1"})
    assert refund.status_code == 201, refund.text
    assert refund.json()["data"]["refund"]["status"] == "succeeded"
    assert refund.json()["data"]["payment"]["status"] == "partially_refunded"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "300000"


def test_refunding_every_offline_payment_of_a_closed_booking_marks_it_refunded(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, items=[{"kind": "activity", "description": "Walk", "quantity": 1,
                                                      "unitPriceMinor": 5000}])["id"]
    payment = pay_offline(staff, booking).json()["data"]["payment"]
    assert move(staff, booking, "cancelled").status_code == 200
    r = staff.send("POST", f"/api/payments/{payment['id']}/refunds",
                   json={"amountMinor": 5000, "idempotencyKey": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    assert stack.psql(f"SELECT status FROM bookings WHERE id = '{booking}'") == "refunded"


def test_bad_offline_payments_get_clear_errors_and_record_nothing(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)["id"]
    path = f"/api/bookings/{booking}/payments/offline"
    before = counts(stack, booking)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    cases = [
        ({"amountMinor": 100, "method": "bitcoin", "idempotencyKey": "a"}, 400, "method"),
        ({"amountMinor": 0, "method": "cash", "idempotencyKey": "b"}, 400, "amountMinor"),
        ({"amountMinor": 100, "method": "cash", "receivedOn": tomorrow, "idempotencyKey": "c"}, 400, "receivedOn"),
        ({"amountMinor": 100, "method": "cash", "receivedOn": "2026-02-30", "idempotencyKey": "d"}, 400, "receivedOn"),
        ({"amountMinor": 100, "method": "cash"}, 400, "idempotencyKey"),
        ({"amountMinor": "100", "method": "cash", "idempotencyKey": "e"}, 400, None),
        ({"amountMinor": 100, "method": "cash", "reference": "x" * 201, "idempotencyKey": "f"}, 400, "reference"),
    ]
    for body, status, field in cases:
        r = staff.send("POST", path, json=body)
        assert r.status_code == status, (body, r.text)
        if field:
            assert field in r.json()["error"]["details"]["fields"], (body, r.text)
    too_much = staff.send("POST", path, json={"amountMinor": 340001, "method": "cash", "idempotencyKey": "g"})
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "amount_exceeds_balance"
    other_currency = staff.send("POST", path, json={"amountMinor": 1, "currency": "USD", "method": "cash",
                                                    "idempotencyKey": "h"})
    assert other_currency.status_code == 422 and other_currency.json()["error"]["code"] == "currency_mismatch"
    foreign = Browser(stack, "admin@other.test")
    assert foreign.send("POST", path, json={"amountMinor": 1, "method": "cash", "idempotencyKey": "i"}).status_code == 404
    customer = Browser(stack, "customer@demo.test")
    assert customer.send("POST", path, json={"amountMinor": 1, "method": "cash",
                                             "idempotencyKey": "j"}).status_code == 403
    assert counts(stack, booking) == before
    assert move(staff, booking, "cancelled").status_code == 200
    closed = staff.send("POST", path, json={"amountMinor": 1, "method": "cash", "idempotencyKey": "k"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "booking_not_payable"


# --- 2. the actor is the caller ---------------------------------------------------------------------

def test_the_timeline_names_the_caller_whatever_the_body_says(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)["id"]
    before = counts(stack, booking)
    for extra in ({"actorType": "customer"}, {"actorType": "system"}, {"actorType": "webhook"},
                  {"actorId": str(uuid.uuid4())}):
        r = move(staff, booking, "cancelled", **extra)
        assert r.status_code == 422, (extra, r.text)
        assert r.json()["error"]["code"] == "actor_not_allowed"
    assert counts(stack, booking) == before
    r = move(staff, booking, "cancelled", actorType="user", actorId=staff.me["user"]["id"])
    assert r.status_code == 200, r.text
    event = r.json()["data"]["event"]
    assert (event["actor_type"], event["actor_id"]) == ("user", staff.me["user"]["id"])


# --- 4. live streams end with their credential -------------------------------------------------------

def ended_within(stream, seconds):
    return wait_until(lambda: stream.ended_at is not None, seconds)


def test_a_stream_ends_at_logout_and_the_old_cookie_cannot_reopen_it(stack):
    leaving = Browser(stack, "staff@demo.test")
    staying = Browser(stack, "staff@demo.test")  # the same person on another device
    customer = Browser(stack, "customer@demo.test")
    mine, theirs = Stream(stack, leaving), Stream(stack, staying)
    old_cookie = leaving.cookie
    time.sleep(0.3)
    assert leaving.send("POST", "/api/auth/logout").status_code == 200
    assert ended_within(mine, 5)
    # The user's other streams are closed too; their reconnect is authorized again and misses nothing.
    assert ended_within(theirs, 5)
    last = theirs.events[-1]["id"] if theirs.events else None
    again = Stream(stack, staying, last_event_id=last)
    assert client_save({"customer": customer}).status_code == 200
    assert again.wait_for("notification", lambda d: d["notification"]["type"] == "booking_updated_by_client") is not None
    assert mine.named("notification") == []
    reopened = requests.get(stack.url + "/api/notifications/stream", cookies={"itinera_session": old_cookie},
                            headers={"Accept": "text/event-stream"}, timeout=5)
    assert reopened.status_code == 401
    again.close()


def test_a_stream_ends_when_its_token_is_revoked(stack):
    owner = Browser(stack, "staff@demo.test")
    created = owner.send("POST", "/api/auth/tokens", json={"name": "stream test"})
    assert created.status_code == 201, created.text
    token = created.json()["data"]
    stream = Stream(stack, headers=bearer(token["token"]))
    time.sleep(0.3)
    assert owner.send("DELETE", f"/api/auth/tokens/{token['id']}").status_code == 200
    assert ended_within(stream, 5)
    assert requests.get(stack.url + "/api/notifications/stream", timeout=5,
                        headers={**bearer(token["token"]), "Accept": "text/event-stream"}).status_code == 401


def test_streams_end_after_a_password_change_and_after_leaving_the_team(stack):
    email = f"leaver-{uuid.uuid4().hex[:8]}@demo.test"
    cli(stack, "user", "add", "--email", email, "--name", "Lee Leaver", "--team", "Demo Travel", "--role", "staff",
        "--password-stdin", stdin=DEMO_PASSWORD + "\n")
    first = Browser(stack, email)
    stream = Stream(stack, first)
    time.sleep(0.3)
    cli(stack, "user", "passwd", "--email", email, "--password-stdin", stdin="another-password-1\n")
    assert ended_within(stream, 5)
    second = Browser(stack, email, password="another-password-1")
    stream = Stream(stack, second)
    time.sleep(0.3)
    cli(stack, "user", "remove", "--email", email, "--team", "Demo Travel")
    assert ended_within(stream, 5)
    assert second.get("/api/auth/me").status_code == 401


def test_a_disabled_account_and_a_deleted_session_end_their_streams(stack):
    email = f"gone-{uuid.uuid4().hex[:8]}@demo.test"
    cli(stack, "user", "add", "--email", email, "--name", "Gus Gone", "--team", "Demo Travel", "--role", "staff",
        "--password-stdin", stdin=DEMO_PASSWORD + "\n")
    stream = Stream(stack, Browser(stack, email))
    time.sleep(0.3)
    stack.psql(f"DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = '{email}')")
    assert ended_within(stream, 5)
    stream = Stream(stack, Browser(stack, email))
    time.sleep(0.3)
    stack.psql(f"UPDATE users SET disabled = true WHERE email = '{email}'")
    assert ended_within(stream, 5)


def test_a_stream_reconnecting_does_not_keep_an_idle_session_alive(stack):
    browser = Browser(stack, "customer@demo.test")
    session = f"token_hash = sha256('{browser.cookie}'::bytea)"
    stack.psql(f"UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE {session}")
    Stream(stack, browser).close()
    assert stack.psql(f"SELECT last_seen_at < now() - interval '9 minutes' FROM sessions WHERE {session}") == "t"
    assert browser.get("/api/auth/me").status_code == 200  # a real request still counts
    assert stack.psql(f"SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE {session}") == "t"


def test_no_stream_outlives_its_maximum_lifetime(stack):
    lifetime = int(stack.env["ITINERA_STREAM_MAX_SECONDS"])
    stream = Stream(stack, Browser(stack, "admin@demo.test"), read_timeout=lifetime + 30)
    opened = time.monotonic()
    assert ended_within(stream, lifetime + 5)
    assert lifetime - 1 <= stream.ended_at - opened <= lifetime + 5


# --- 5. throttling without office lock-outs -----------------------------------------------------------

def login(stack, email, password=DEMO_PASSWORD):
    return requests.post(stack.url + "/api/auth/login", json={"email": email, "password": password}, timeout=30)


def test_a_hammered_account_waits_but_a_colleague_behind_the_same_address_signs_in(stack):
    for _ in range(5):
        assert login(stack, "supplier@demo.test", "wrong-password").status_code == 401
    hammered = login(stack, "supplier@demo.test")
    assert hammered.status_code == 429
    assert hammered.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(hammered.headers["Retry-After"]) <= 900
    assert hammered.json()["error"]["details"]["retryAfterSeconds"] == int(hammered.headers["Retry-After"])
    assert login(stack, "staff@demo.test").status_code == 200


def test_an_account_hammered_from_elsewhere_still_opens_for_where_its_owner_signed_in(stack):
    assert login(stack, "supplier@demo.test").status_code == 200  # the owner, from here
    stack.psql("INSERT INTO login_attempts (email, ip, succeeded) "
               "SELECT 'supplier@demo.test', '198.51.100.' || n, false FROM generate_series(1, 8) n")
    assert login(stack, "supplier@demo.test").status_code == 200
    # From an address that never signed in to it, the account waits (growing delay after 5 failures).
    stack.psql("UPDATE login_attempts SET ip = '203.0.113.9' WHERE succeeded")
    stack.psql("INSERT INTO login_attempts (email, ip, succeeded) "
               "SELECT 'supplier@demo.test', '198.51.100.' || n, false FROM generate_series(1, 8) n")
    locked = login(stack, "supplier@demo.test")
    assert locked.status_code == 429
    assert 30 < int(locked.headers["Retry-After"]) <= 900


def test_an_address_over_its_limit_gets_429_for_wrong_passwords_but_right_ones_sign_in(stack):
    stack.psql("INSERT INTO login_attempts (email, ip, succeeded) "
               "SELECT 'nobody' || n || '@demo.test', '127.0.0.1', false FROM generate_series(1, 100) n")
    wrong = login(stack, "staff@demo.test", "wrong-password")
    assert wrong.status_code == 429 and int(wrong.headers["Retry-After"]) > 0
    assert login(stack, "customer@demo.test").status_code == 200


def test_nginx_answers_a_sign_in_flood_with_429_retry_after_and_the_json_error(stack):
    answers = []

    def hit():
        answers.append(requests.post(stack.url + "/api/auth/login", data=b"{", timeout=30,
                                     headers={"Content-Type": "application/json"}))

    threads = [threading.Thread(target=hit) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    r = limited[0]
    assert r.json()["ok"] is False and r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# --- 6. the smaller ones -------------------------------------------------------------------------------

def test_the_session_cookie_is_secure_when_the_public_origin_is_https(stack):
    body = b'{"email":"staff@demo.test","password":"' + DEMO_PASSWORD.encode() + b'"}'
    _, headers, _ = cgi(stack, "POST", "/api/auth/login", body, content_type="application/json",
                        env={"ITINERA_PUBLIC_ORIGIN": "https://book.example.com"})
    assert headers["Status"].startswith("200")
    assert "; Secure" in headers["Set-Cookie"]


def test_the_origin_check_compares_the_scheme(stack):
    host = stack.url.split("//")[1]
    other_scheme = requests.post(stack.url + "/api/auth/login", timeout=30, headers={"Origin": f"https://{host}"},
                                 json={"email": "staff@demo.test", "password": DEMO_PASSWORD})
    assert other_scheme.status_code == 403 and other_scheme.json()["error"]["code"] == "csrf_failed"
    same = requests.post(stack.url + "/api/auth/login", timeout=30, headers={"Origin": f"http://{host}"},
                         json={"email": "staff@demo.test", "password": DEMO_PASSWORD})
    assert same.status_code == 200


def test_invalid_utf8_says_so(stack, staff):
    r = staff.send("PATCH", f"/api/bookings/{DEMO_BOOKING}", data=b'{"notes":"caf\xe9"}',
                   headers={"Content-Type": "application/json", "If-Match": "1"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"
    assert "UTF-8" in r.json()["error"]["message"]


def test_status_lines_carry_their_reason_phrases(stack, staff):
    _, headers, _ = cgi(stack, "GET", "/api/notifications/stream",
                        env={"HTTP_COOKIE": f"itinera_session={staff.cookie}"})
    assert headers["Status"] == "406 Not Acceptable"
    _, headers, _ = cgi(stack, "PATCH", f"/api/bookings/{DEMO_BOOKING}", b'{"notes":"x"}',
                        content_type="application/json",
                        env={"HTTP_COOKIE": f"itinera_session={staff.cookie}", "HTTP_X_CSRF_TOKEN": staff.csrf})
    assert headers["Status"] == "428 Precondition Required"


def test_a_file_of_exactly_the_upload_limit_is_accepted(stack):
    limit = 256 * 1024
    supplier = Browser(stack, "supplier@demo.test")
    booking = stack.psql("SELECT booking_id FROM booking_assignments a JOIN users u ON u.id = a.user_id "
                         "WHERE u.email = 'supplier@demo.test' LIMIT 1")
    png = b"\x89PNG\r\n\x1a\n"
    exact = png + b"\x00" * (limit - len(png))
    env = {"ITINERA_MAX_UPLOAD_BYTES": str(limit), "HTTP_COOKIE": f"itinera_session={supplier.cookie}",
           "HTTP_X_CSRF_TOKEN": supplier.csrf}
    boundary = "itinera-upload-boundary"

    def form(data):
        return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"exact.png\"\r\n"
                f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()

    _, headers, payload = cgi(stack, "POST", f"/api/supplier/bookings/{booking}/work", form(exact), env=env,
                              content_type=f"multipart/form-data; boundary={boundary}")
    assert headers["Status"].startswith("201"), payload
    _, headers, payload = cgi(stack, "POST", f"/api/supplier/bookings/{booking}/work", form(exact + b"\x00"), env=env,
                              content_type=f"multipart/form-data; boundary={boundary}")
    assert headers["Status"].startswith("413"), payload
    assert str(limit) in payload.decode()
    assert MAX_BODY_BYTES < limit  # the upload limit, not the JSON body limit, is what applies


def test_scripts_and_styles_are_revalidated_so_an_upgrade_is_never_served_stale(stack):
    for path in ("/session.js", "/style.css"):
        first = requests.get(stack.url + path, timeout=10)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "no-cache", path
        again = requests.get(stack.url + path, timeout=10, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path


def test_staff_record_a_transfer_and_the_rest_in_cash_on_the_booking_page(stack, staff, customer_id, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select
    from chromium import wait
    from test_staff_portal import badge_text, open_signed_in, transition_buttons
    booking = new_booking(staff, customer_id, items=[{"kind": "hotel", "description": "Porto, 2 nights",
                                                      "quantity": 1, "unitPriceMinor": 48000}])
    open_signed_in(driver, stack, f"/booking.html?id={booking['id']}")
    wait(driver, EC.element_to_be_clickable((By.ID, "record-payment"))).click()
    amount = wait(driver, EC.visibility_of_element_located((By.ID, "offline-amount")))
    assert amount.get_attribute("value") == "480.00"  # the outstanding amount to start with
    amount.clear()
    amount.send_keys("200")
    driver.find_element(By.ID, "offline-reference").send_keys("SEPA 4411")
    driver.find_element(By.ID, "offline-submit").click()
    done = wait(driver, EC.visibility_of_element_located((By.ID, "payments-done")))
    assert done.text == "Recorded €200.00 by bank transfer; €280.00 is still outstanding."
    assert badge_text(driver) == "Awaiting payment"
    assert "Offline · bank transfer" in driver.find_element(By.ID, "payments").text
    assert "Ref. SEPA 4411" in driver.find_element(By.ID, "payments").text

    driver.find_element(By.ID, "record-payment").click()
    wait(driver, EC.visibility_of_element_located((By.ID, "offline-amount")))
    assert driver.find_element(By.ID, "offline-amount").get_attribute("value") == "280.00"
    Select(driver.find_element(By.ID, "offline-method")).select_by_value("cash")
    driver.find_element(By.ID, "offline-submit").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "payments-done"), "The booking is paid."))
    wait(driver, lambda d: badge_text(d) == "Paid")
    assert not driver.find_element(By.ID, "record-payment").is_displayed()
    assert "payment_confirmed" not in transition_buttons(driver)
