"""Payments over HTTP: intents through the fake Stripe and Razorpay APIs, verified and idempotent
webhooks, partial payments, out-of-order events, refunds, and the sandbox checkout's own webhook."""

import hashlib
import hmac
import json
import threading
import time
import uuid

import pytest
import requests

from conftest import cgi, wait_until
from fake_providers import RAZORPAY_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRETS
from identity import Browser


@pytest.fixture(scope="module")
def customer_id(staff):
    r = staff.send("POST", "/api/customers", json={"name": "Payment Tester", "email": "pay@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


def new_booking(staff, customer_id, total=10000, currency="EUR"):
    r = staff.send("POST", "/api/bookings", json={
        "customerId": customer_id, "currency": currency,
        "items": [{"kind": "activity", "description": "Sunset sail", "quantity": 1, "unitPriceMinor": total}]})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


def create_intent(who, booking_id, provider="stripe", amount=None, key=None):
    body = {"bookingId": booking_id, "provider": provider, "idempotencyKey": key or str(uuid.uuid4())}
    if amount is not None:
        body["amountMinor"] = amount
    return who.send("POST", "/api/payments/create-intent", json=body)


def paid_intent(staff, booking_id, provider="stripe", amount=None):
    r = create_intent(staff, booking_id, provider, amount)
    assert r.status_code == 200, r.text
    return r.json()["data"]["payment"]


def booking_status(stack, booking_id):
    return stack.psql(f"SELECT status FROM bookings WHERE id = '{booking_id}'")


def payment_status(stack, payment_id):
    return stack.psql(f"SELECT status FROM payments WHERE id = '{payment_id}'")


def timestamped(secret, body, timestamp=None):
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def stripe_event(kind, payment, event_id=None, **fields):
    obj = {"id": payment["provider_reference"], "object": "payment_intent", "amount": payment["amount_minor"],
           "amount_received": payment["amount_minor"], "currency": payment["currency"].lower()}
    obj.update(fields)
    return json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex[:16]}", "type": kind,
                       "data": {"object": obj}}).encode()


def send_stripe(stack, body, secret=STRIPE_WEBHOOK_SECRETS[0], timestamp=None, header=None):
    headers = {"Content-Type": "application/json",
               "Stripe-Signature": header if header is not None else timestamped(secret, body, timestamp)}
    return requests.post(f"{stack.url}/api/payments/webhook?provider=stripe", data=body, headers=headers, timeout=30)


def send_razorpay(stack, body, event_id, secret=RAZORPAY_WEBHOOK_SECRET):
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return requests.post(f"{stack.url}/api/payments/webhook?provider=razorpay", data=body, timeout=30,
                         headers={"Content-Type": "application/json", "X-Razorpay-Signature": signature,
                                  "X-Razorpay-Event-Id": event_id})


def lifecycle_moves(stack, booking_id, to):
    return int(stack.psql(f"SELECT count(*) FROM booking_lifecycle_events WHERE booking_id = '{booking_id}' "
                          f"AND to_status = '{to}'"))


def test_stripe_intent_goes_through_the_provider_and_the_booking_waits_for_payment(stack, staff, customer_id,
                                                                                    providers):
    booking = new_booking(staff, customer_id, total=12345)
    key = str(uuid.uuid4())
    before = len(providers.calls("/v1/payment_intents"))
    r = create_intent(staff, booking, "stripe", key=key)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["payment"]["status"] == "requires_action" and data["payment"]["amount_minor"] == 12345
    assert data["providerPayload"]["clientSecret"].startswith(data["providerPayload"]["paymentIntentId"])
    call = providers.calls("/v1/payment_intents")[-1]
    form = dict(pair.split("=", 1) for pair in call[3].decode().split("&"))
    assert form["amount"] == "12345" and form["currency"] == "eur"
    assert call[2]["Authorization"] == "Bearer sk_test_itinera" and call[2]["Idempotency-Key"].startswith("itinera-")
    assert booking_status(stack, booking) == "payment_pending"

    again = create_intent(staff, booking, "stripe", key=key)
    assert again.status_code == 200 and again.json()["data"]["payment"]["id"] == data["payment"]["id"]
    assert len(providers.calls("/v1/payment_intents")) == before + 1
    assert stack.psql(f"SELECT count(*) FROM payments WHERE booking_id = '{booking}'") == "1"


def test_razorpay_intent_creates_an_order_with_basic_auth(stack, staff, customer_id, providers):
    booking = new_booking(staff, customer_id, total=50000, currency="INR")
    r = create_intent(staff, booking, "razorpay")
    assert r.status_code == 200, r.text
    payload = r.json()["data"]["providerPayload"]
    assert payload["orderId"].startswith("order_") and payload["amountMinor"] == 50000
    call = providers.calls("/v1/orders")[-1]
    assert call[2]["Authorization"].startswith("Basic ")
    assert json.loads(call[3])["currency"] == "INR"


def test_a_provider_refusal_leaves_the_payment_failed_with_the_reason(stack, staff, customer_id, providers):
    booking = new_booking(staff, customer_id)
    providers.fail_next("/v1/payment_intents", 402, {"error": {"message": "Your card was declined."}})
    key = str(uuid.uuid4())
    r = create_intent(staff, booking, "stripe", key=key)
    assert r.status_code == 502 and r.json()["error"]["code"] == "provider_error"
    payment_id = r.json()["error"]["details"]["paymentId"]
    assert payment_status(stack, payment_id) == "failed"
    assert "declined" in stack.psql(f"SELECT failure_reason FROM payments WHERE id = '{payment_id}'")
    assert booking_status(stack, booking) == "booking_created"
    # The key was given back: the retry makes a new attempt, which the provider now accepts.
    retry = create_intent(staff, booking, "stripe", key=key)
    assert retry.status_code == 200 and retry.json()["data"]["payment"]["status"] == "requires_action"


def test_bad_intent_requests_change_nothing(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    before = stack.psql("SELECT count(*) FROM payments")
    assert staff.send("POST", "/api/payments/create-intent", data=b"{nope",
                      headers={"Content-Type": "application/json"}).status_code == 400
    missing = staff.send("POST", "/api/payments/create-intent", json={"bookingId": booking, "provider": "paypal",
                                                                      "amountMinor": -5})
    assert missing.status_code == 400
    assert set(missing.json()["error"]["details"]["fields"]) == {"provider", "amountMinor", "idempotencyKey"}
    assert create_intent(staff, str(uuid.uuid4())).status_code == 404
    wrong_type = staff.send("POST", "/api/payments/create-intent",
                            json={"bookingId": booking, "provider": "stripe", "amountMinor": "ten",
                                  "idempotencyKey": "k"})
    assert wrong_type.status_code == 400
    assert stack.psql("SELECT count(*) FROM payments") == before
    assert booking_status(stack, booking) == "booking_created"


def test_unconfigured_providers_answer_503_without_naming_the_secret(stack):
    body = b'{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{}}}'
    status, headers, payload = cgi(stack, "POST", "/api/payments/webhook?provider=stripe", body=body,
                                   content_type="application/json",
                                   env={"STRIPE_WEBHOOK_SECRET": "", "STRIPE_SECRET_KEY": ""})
    answer = json.loads(payload)
    assert headers["Status"].startswith("503") and answer["error"]["code"] == "provider_not_configured"
    assert "STRIPE" not in payload.decode() and "secret" not in payload.decode().lower()


def test_signature_failures_answer_400_and_change_nothing(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    payment = paid_intent(staff, booking)
    body = stripe_event("payment_intent.succeeded", payment)
    receipts = stack.psql("SELECT count(*) FROM payment_webhook_events")
    now = int(time.time())
    cases = {
        "tampered": send_stripe(stack, body.replace(b'"amount": ', b'"amount": 1'),
                                header=timestamped(STRIPE_WEBHOOK_SECRETS[0], body)),
        "wrong secret": send_stripe(stack, body, secret="whsec_wrong"),
        "301 s old": send_stripe(stack, body, timestamp=now - 301),
        "missing": send_stripe(stack, body, header=""),
        "malformed": send_stripe(stack, body, header="v1=abc"),
    }
    for name, r in cases.items():
        assert r.status_code == 400, name
        assert r.json()["error"]["code"] == "invalid_signature", name
    razorpay = send_razorpay(stack, b'{"event":"payment.captured"}', "ev_bad", secret="wrong")
    assert razorpay.status_code == 400 and razorpay.json()["error"]["code"] == "invalid_signature"
    assert stack.psql("SELECT count(*) FROM payment_webhook_events") == receipts
    assert payment_status(stack, payment["id"]) == "requires_action"
    assert booking_status(stack, booking) == "payment_pending"

    rotated = send_stripe(stack, body, secret=STRIPE_WEBHOOK_SECRETS[1])
    assert rotated.status_code == 200 and rotated.json()["data"]["outcome"] == "applied"
    assert payment_status(stack, payment["id"]) == "succeeded"
    assert stack.psql(f"SELECT verification FROM payment_webhook_events WHERE payment_id = '{payment['id']}'") \
        == "verified with secret 2 of 2"


def test_twenty_concurrent_deliveries_of_one_event_apply_once(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=4200)
    payment = paid_intent(staff, booking)
    body = stripe_event("payment_intent.succeeded", payment)
    header = timestamped(STRIPE_WEBHOOK_SECRETS[0], body)
    answers = []
    start = threading.Barrier(20)

    def deliver():
        start.wait()
        answers.append(send_stripe(stack, body, header=header))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [200] * 20
    assert sorted(r.json()["data"]["duplicate"] for r in answers) == [False] + [True] * 19
    assert payment_status(stack, payment["id"]) == "succeeded"
    assert booking_status(stack, booking) == "payment_confirmed"
    assert lifecycle_moves(stack, booking, "payment_confirmed") == 1
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "4200"
    assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking}'") == "1")
    time.sleep(0.5)
    assert stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking}'") == "1"
    assert stack.psql(f"SELECT webhook_event_id FROM payments WHERE id = '{payment['id']}'") \
        == json.loads(body)["id"]


def test_partial_payments_confirm_only_when_covered_and_never_overpay(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=10000)
    deposit = paid_intent(staff, booking, amount=3000)
    over = create_intent(staff, booking, amount=8000)
    assert over.status_code == 422 and over.json()["error"]["code"] == "amount_exceeds_balance"
    assert over.json()["error"]["details"]["balanceMinor"] == 7000
    r = send_stripe(stack, stripe_event("payment_intent.succeeded", deposit))
    assert r.json()["data"]["outcome"] == "partially_paid"
    assert booking_status(stack, booking) == "payment_pending"

    rest = paid_intent(staff, booking)
    assert rest["amount_minor"] == 7000
    assert create_intent(staff, booking, amount=1).json()["error"]["code"] == "nothing_outstanding"
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", rest)).json()["data"]["outcome"] == "applied"
    assert booking_status(stack, booking) == "payment_confirmed"
    totals = staff.get(f"/api/bookings/{booking}/payments").json()["data"]["totals"]
    assert totals == [{"currency": "EUR", "captured_minor": 10000, "refunded_minor": 0, "outstanding_minor": 0,
                       "open_minor": 0}]
    late = create_intent(staff, booking, amount=100)
    assert late.status_code == 409 and late.json()["error"]["code"] == "booking_not_payable"


def test_items_change_while_payment_is_awaited_but_never_below_what_payments_hold(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=10000)
    deposit = paid_intent(staff, booking, amount=3000)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", deposit)).status_code == 200
    detail = staff.get(f"/api/bookings/{booking}").json()["data"]
    sail, items = detail["items"][0]["id"], f"/api/bookings/{booking}/items"
    extra = staff.send("POST", items, json={"kind": "other", "description": "Towels", "quantity": 2,
                                            "unitPriceMinor": 1000})
    assert extra.status_code == 201 and extra.json()["data"]["total_minor"] == 12000, extra.text
    towels = extra.json()["data"]["items"][1]["id"]

    below = staff.send("PATCH", f"{items}/{sail}", json={"unitPriceMinor": 500})  # total 2500 < 3000 captured
    assert below.status_code == 409 and below.json()["error"]["code"] == "total_below_payments", below.text
    assert below.json()["error"]["details"] == {"totalMinor": 2500, "heldMinor": 3000}
    rest = paid_intent(staff, booking)  # an open checkout for the 9000 left holds them too
    assert rest["amount_minor"] == 9000
    held = staff.send("PATCH", f"{items}/{sail}", json={"unitPriceMinor": 9999})
    assert held.status_code == 409 and held.json()["error"]["details"]["heldMinor"] == 12000
    assert stack.psql(f"SELECT total_minor FROM bookings WHERE id = '{booking}'") == "12000"

    # The checkout fails; taking the towels off and pricing the sail at what was paid confirms the booking.
    assert send_stripe(stack, stripe_event("payment_intent.payment_failed", rest,
                                           last_payment_error={"message": "Declined"})).status_code == 200
    assert staff.send("DELETE", f"{items}/{towels}").status_code == 200
    short = staff.send("PATCH", f"{items}/{sail}", json={"unitPriceMinor": 4000})
    assert short.status_code == 200 and booking_status(stack, booking) == "payment_pending"  # 1000 still to pay
    assert staff.get(f"/api/bookings/{booking}/payments").json()["data"]["totals"][0]["outstanding_minor"] == 1000
    covered = staff.send("PATCH", f"{items}/{sail}", json={"unitPriceMinor": 3000})
    assert covered.status_code == 200, covered.text
    assert covered.json()["data"]["total_minor"] == 3000 and booking_status(stack, booking) == "payment_confirmed"
    confirmed = staff.get(f"/api/bookings/{booking}/events").json()["data"]["items"][-1]
    assert (confirmed["to_status"], confirmed["actor_type"]) == ("payment_confirmed", "user")
    after = staff.send("PATCH", f"{items}/{sail}", json={"quantity": 2})
    assert after.status_code == 409 and after.json()["error"]["code"] == "booking_priced"


def test_a_deposit_refunded_while_payment_is_awaited_is_owed_again(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=10000)
    deposit = paid_intent(staff, booking, amount=3000)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", deposit)).status_code == 200
    assert refund(staff, deposit["id"], 1000, reason="Deposit was 20 EUR").status_code == 202
    history = staff.get(f"/api/bookings/{booking}/history").json()["data"]["items"]
    assert history[0]["summary"] == "Refund of 10.00 EUR requested: Deposit was 20 EUR"
    totals = staff.get(f"/api/bookings/{booking}/payments").json()["data"]["totals"][0]
    assert (totals["captured_minor"], totals["refunded_minor"], totals["outstanding_minor"]) == (3000, 1000, 8000)
    # The items may now go down to what the payments still hold, not to what was once captured.
    items = f"/api/bookings/{booking}/items"
    sail = staff.get(f"/api/bookings/{booking}").json()["data"]["items"][0]["id"]
    below = staff.send("PATCH", f"{items}/{sail}", json={"unitPriceMinor": 1999})
    assert below.status_code == 409 and below.json()["error"]["details"]["heldMinor"] == 2000, below.text

    # What was captured and kept, 2000, plus the rest, 8000, pays for the booking: the 7000 left by
    # counting the refunded part as paid would have confirmed it 1000 short.
    rest = paid_intent(staff, booking)
    assert rest["amount_minor"] == 8000
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", rest)).json()["data"]["outcome"] == "applied"
    assert booking_status(stack, booking) == "payment_confirmed"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "10000"
    assert stack.psql(f"SELECT count(*) FROM notifications WHERE type = 'payment_overpaid' "
                      f"AND link_id = '{booking}'") == "0"

    # A deposit refunded whole leaves the booking waiting for the whole total, not ended.
    second = new_booking(staff, customer_id, total=10000)
    given_back = paid_intent(staff, second, amount=3000)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", given_back)).status_code == 200
    whole = refund(staff, given_back["id"], 3000)
    assert whole.status_code == 202
    assert wait_until(lambda: refund_row(stack, whole.json()["data"]["refund"]["id"]).startswith("succeeded|re_"))
    # The provider's refund.created webhook, which moves a booking refunded whole, has been applied.
    assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM payment_webhook_events WHERE event_type = "
                                         f"'refund.created' AND payment_id = '{given_back['id']}' "
                                         "AND outcome IN ('applied', 'already_applied')") == "1")
    assert booking_status(stack, second) == "payment_pending"
    assert paid_intent(staff, second)["amount_minor"] == 10000
    assert staff.send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": second, "toStatus": "cancelled", "actorType": "user"}).status_code == 200
    assert staff.get(f"/api/bookings/{second}/payments").json()["data"]["totals"][0]["outstanding_minor"] == 0

    # Once paid for, a goodwill refund gives money back without making it owed.
    assert refund(staff, rest["id"], 500, reason="Goodwill").status_code == 202
    totals = staff.get(f"/api/bookings/{booking}/payments").json()["data"]["totals"][0]
    assert (totals["refunded_minor"], totals["outstanding_minor"]) == (1500, 0)
    assert booking_status(stack, booking) == "payment_confirmed"


def test_out_of_order_failure_never_undoes_a_success(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    payment = paid_intent(staff, booking)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", payment)).status_code == 200
    failed = send_stripe(stack, stripe_event("payment_intent.payment_failed", payment,
                                             last_payment_error={"message": "Card declined"}))
    assert failed.status_code == 200 and failed.json()["data"]["outcome"] == "ignored_out_of_order"
    assert payment_status(stack, payment["id"]) == "succeeded"
    assert booking_status(stack, booking) == "payment_confirmed"


def test_a_failure_marks_the_payment_failed_and_tells_staff(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    payment = paid_intent(staff, booking)
    r = send_stripe(stack, stripe_event("payment_intent.payment_failed", payment,
                                        last_payment_error={"message": "Insufficient funds"}))
    assert r.json()["data"]["outcome"] == "applied"
    assert payment_status(stack, payment["id"]) == "failed"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "payment_failed" and n["metadata"]["payment_id"] == payment["id"]
               and "Insufficient funds" in n["message"] for n in notes)
    assert booking_status(stack, booking) == "payment_pending"


def test_an_amount_mismatch_is_stored_and_reported_but_changes_nothing(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=9000)
    payment = paid_intent(staff, booking)
    r = send_stripe(stack, stripe_event("payment_intent.succeeded", payment, amount_received=100))
    assert r.status_code == 200 and r.json()["data"]["outcome"] == "amount_mismatch"
    assert payment_status(stack, payment["id"]) == "requires_action"
    assert booking_status(stack, booking) == "payment_pending"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "0"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "payment_amount_mismatch" and n["metadata"]["payment_id"] == payment["id"]
               for n in notes)


def refund(staff, payment_id, amount, **extra):
    return staff.send("POST", f"/api/payments/{payment_id}/refunds",
                      json=dict({"amountMinor": amount, "idempotencyKey": str(uuid.uuid4())}, **extra))


def refund_row(stack, refund_id):
    return stack.psql(f"SELECT status || '|' || coalesce(provider_reference, '') FROM payment_refunds "
                      f"WHERE id = '{refund_id}'")


def captured_payment(stack, staff, customer_id, total):
    booking = new_booking(staff, customer_id, total=total)
    payment = paid_intent(staff, booking)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", payment)).status_code == 200
    return booking, payment


def test_refunds_never_exceed_the_capture_and_a_full_refund_refunds_the_booking(stack, staff, customer_id,
                                                                                 providers):
    booking, payment = captured_payment(stack, staff, customer_id, 6000)
    too_much = refund(staff, payment["id"], 6001)
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "refund_exceeds_captured"
    assert too_much.json()["error"]["details"]["refundableMinor"] == 6000

    first = refund(staff, payment["id"], 2000, reason="Goodwill")
    assert first.status_code == 202, first.text
    pending = first.json()["data"]["refund"]
    assert pending["status"] == "pending" and first.json()["data"]["payment"]["status"] == "partially_refunded"
    # The worker calls the provider; the refund then carries the provider's id.
    assert wait_until(lambda: refund_row(stack, pending["id"]).startswith("succeeded|re_"))
    call = providers.calls("/v1/refunds")[-1]
    assert "amount=2000" in call[3].decode() and f"payment_intent={payment['provider_reference']}" in call[3].decode()
    assert call[2]["Idempotency-Key"] == f"itinera-refund-{pending['id']}"
    assert booking_status(stack, booking) == "payment_confirmed"

    # A pending refund already counts: 4,001 more would exceed what was captured.
    assert refund(staff, payment["id"], 4001).status_code == 422
    rest = refund(staff, payment["id"], 4000)
    assert rest.status_code == 202 and rest.json()["data"]["payment"]["status"] == "refunded"
    # The booking follows once the provider confirms (its refund.created webhook).
    assert wait_until(lambda: refund_row(stack, rest.json()["data"]["refund"]["id"]).startswith("succeeded|re_"))
    assert wait_until(lambda: booking_status(stack, booking) == "refunded")
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "0"
    view = staff.get(f"/api/bookings/{booking}/payments").json()["data"]
    assert view["totals"][0]["refunded_minor"] == 6000 and view["totals"][0]["captured_minor"] == 6000
    assert [r["amount_minor"] for r in view["payments"][0]["refunds"]] == [2000, 4000]

    # The provider reports the same refunds again (charge.refunded lists all of them): nothing changes.
    refunds = [{"id": r["provider_reference"], "amount": r["amount_minor"], "status": "succeeded"}
               for r in view["payments"][0]["refunds"]]
    echo = send_stripe(stack, stripe_event("charge.refunded", payment, id="ch_x",
                                           payment_intent=payment["provider_reference"],
                                           refunds={"data": refunds}))
    assert echo.json()["data"]["outcome"] == "already_applied"
    assert stack.psql(f"SELECT refunded_minor FROM payments WHERE id = '{payment['id']}'") == "6000"


def test_a_refund_the_provider_refuses_gives_the_amount_back_and_tells_staff(stack, staff, customer_id, providers):
    booking, payment = captured_payment(stack, staff, customer_id, 3000)
    providers.fail_next("/v1/refunds", 400, {"error": {"message": "Charge has already been refunded."}})
    r = refund(staff, payment["id"], 3000)
    assert r.status_code == 202
    refund_id = r.json()["data"]["refund"]["id"]
    assert wait_until(lambda: refund_row(stack, refund_id) == "failed|")
    assert stack.psql(f"SELECT status, refunded_minor FROM payments WHERE id = '{payment['id']}'") == "succeeded|0"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "3000"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "refund_failed" and n["metadata"]["refund_id"] == refund_id
               and "already been refunded" in n["message"] for n in notes)
    # Staff may try again: the whole amount is refundable once more.
    assert refund(staff, payment["id"], 3000).status_code == 202


def test_a_refund_webhook_that_overtakes_the_worker_is_matched_not_counted_twice(stack, healthy, staff,
                                                                                customer_id, providers):
    booking, payment = captured_payment(stack, staff, customer_id, 8000)
    stack.stack("worker-stop")
    r = refund(staff, payment["id"], 5000)
    refund_id = r.json()["data"]["refund"]["id"]
    calls = len(providers.calls("/v1/refunds"))
    event = stripe_event("refund.created", payment, id="re_overtaking", amount=5000, status="succeeded",
                         payment_intent=payment["provider_reference"], metadata={"itinera_refund_id": refund_id})
    assert send_stripe(stack, event).json()["data"]["outcome"] == "applied"
    assert refund_row(stack, refund_id) == "succeeded|re_overtaking"
    assert stack.psql(f"SELECT refunded_minor FROM payments WHERE id = '{payment['id']}'") == "5000"
    stack.stack("worker-start")
    assert wait_until(lambda: stack.psql(
        f"SELECT status FROM outbox_events WHERE type = 'payment.refund_requested' "
        f"AND aggregate_id = '{refund_id}'") == "done")
    assert len(providers.calls("/v1/refunds")) == calls  # the provider was not asked twice
    assert booking_status(stack, booking) == "payment_confirmed"


def test_razorpay_capture_then_a_refund_the_provider_reports(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=25000, currency="INR")
    r = create_intent(staff, booking, "razorpay")
    order = r.json()["data"]["providerPayload"]["orderId"]
    payment_id = r.json()["data"]["payment"]["id"]
    captured = json.dumps({"event": "payment.captured", "payload": {"payment": {"entity": {
        "id": "pay_test1", "order_id": order, "amount": 25000, "currency": "INR", "status": "captured"}}}}).encode()
    assert send_razorpay(stack, captured, "ev_cap_1").json()["data"]["outcome"] == "applied"
    assert send_razorpay(stack, captured, "ev_cap_1").json()["data"]["duplicate"] is True
    assert booking_status(stack, booking) == "payment_confirmed"
    refund = json.dumps({"event": "refund.processed", "payload": {"refund": {"entity": {
        "id": "rfnd_test1", "payment_id": "pay_test1", "amount": 25000, "currency": "INR"}}}}).encode()
    assert send_razorpay(stack, refund, "ev_ref_1").json()["data"]["outcome"] == "applied"
    assert stack.psql(f"SELECT source, amount_minor FROM payment_refunds WHERE payment_id = '{payment_id}'") \
        == "provider|25000"
    assert booking_status(stack, booking) == "refunded"


def test_unknown_events_are_kept_and_admins_see_every_webhook(stack, staff, customer_id):
    body = json.dumps({"id": f"evt_{uuid.uuid4().hex[:12]}", "type": "customer.created",
                       "data": {"object": {"id": "cus_1"}}}).encode()
    r = send_stripe(stack, body)
    assert r.status_code == 200 and r.json()["data"]["outcome"] == "ignored_unknown_type"
    booking = new_booking(staff, customer_id)
    payment = paid_intent(staff, booking)
    event = stripe_event("payment_intent.succeeded", payment)
    send_stripe(stack, event)
    # An event of a type Itinera does not act on, about this payment: kept for this team's admins.
    charge = stripe_event("charge.succeeded", payment, id="ch_seen", payment_intent=payment["provider_reference"])
    assert send_stripe(stack, charge).json()["data"]["outcome"] == "ignored_unknown_type"
    admin = Browser(stack, "admin@demo.test")
    items = admin.get("/api/admin/payment-webhooks?provider=stripe").json()["data"]["items"]
    ignored = [w for w in items if w["event_id"] == json.loads(charge)["id"]]
    assert ignored and ignored[0]["outcome"] == "ignored_unknown_type" and ignored[0]["payment_id"] == payment["id"]
    assert payment_status(stack, payment["id"]) == "succeeded"
    mine = [w for w in items if w["event_id"] == json.loads(event)["id"]]
    assert mine and mine[0]["outcome"] == "applied" and mine[0]["payment_id"] == payment["id"]
    assert mine[0]["verification"].startswith("verified") and "stripe-signature" in mine[0]["headers"]
    assert json.loads(mine[0]["body"])["type"] == "payment_intent.succeeded"
    assert staff.get("/api/admin/payment-webhooks").status_code == 403
    other = Browser(stack, "admin@other.test")
    assert all(w["event_id"] != json.loads(event)["id"]
               for w in other.get("/api/admin/payment-webhooks").json()["data"]["items"])


def test_the_sandbox_checkout_settles_through_its_own_signed_webhook(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=7700)
    r = create_intent(staff, booking, "sandbox")
    data = r.json()["data"]
    assert data["providerPayload"]["checkoutUrl"] == f"/checkout.html?payment={data['payment']['id']}"
    done = staff.send("POST", f"/api/payments/{data['payment']['id']}/sandbox/complete",
                      json={"outcome": "succeeded"})
    assert done.status_code == 202 and done.json()["data"]["payment"]["status"] == "processing"
    again = staff.send("POST", f"/api/payments/{data['payment']['id']}/sandbox/complete",
                       json={"outcome": "succeeded"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "payment_not_open"
    assert wait_until(lambda: booking_status(stack, booking) == "payment_confirmed")
    assert payment_status(stack, data["payment"]["id"]) == "succeeded"
    assert stack.psql(f"SELECT outcome FROM payment_webhook_events WHERE payment_id = '{data['payment']['id']}'") \
        == "applied"
    forged = json.dumps({"id": "evt_forged", "type": "payment.succeeded",
                         "data": {"payment_reference": data["payment"]["id"], "amount_minor": 7700}}).encode()
    r = requests.post(f"{stack.url}/api/payments/webhook?provider=sandbox", data=forged, timeout=30,
                      headers={"X-Payment-Signature": timestamped("not-the-secret", forged)})
    assert r.status_code == 400


def test_customers_pay_their_own_bookings_only(stack):
    stack.psql("DELETE FROM login_attempts")
    customer = Browser(stack, "customer@demo.test")
    staff = Browser(stack, "staff@demo.test")
    own = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = "
                     "'customer@demo.test')")
    mine = new_booking(staff, own, total=3300)
    r = create_intent(customer, mine, "sandbox")
    assert r.status_code == 200, r.text
    payment = r.json()["data"]["payment"]
    assert customer.get(f"/api/payments/{payment['id']}").json()["data"]["booking_status"] == "payment_pending"
    view = customer.get(f"/api/customer/bookings/{mine}/payments").json()["data"]
    assert view["totals"][0]["outstanding_minor"] == 3300 and len(view["payments"]) == 1
    assert view["totals"][0]["open_minor"] == 3300  # the open checkout holds the whole balance
    stranger = staff.send("POST", "/api/customers", json={"name": "Someone Else"}).json()["data"]["id"]
    theirs = new_booking(staff, stranger)
    assert create_intent(customer, theirs, "sandbox").status_code == 404
    assert customer.send("POST", f"/api/payments/{payment['id']}/refunds",
                         json={"amountMinor": 1, "idempotencyKey": "x"}).status_code == 403
    other = Browser(stack, "admin@other.test")
    assert other.get(f"/api/payments/{payment['id']}").status_code == 404
    assert other.get(f"/api/bookings/{mine}/payments").status_code == 404
    assert create_intent(other, mine, "sandbox").status_code == 404


def test_a_provider_that_does_not_answer_in_time_fails_the_payment_not_the_request(stack, staff, customer_id,
                                                                                    providers):
    booking = new_booking(staff, customer_id)
    providers.delay_seconds = 3  # the stack's provider timeout is 2 s
    try:
        started = time.time()
        r = create_intent(staff, booking, "stripe")
        elapsed = time.time() - started
    finally:
        providers.delay_seconds = 0
    assert r.status_code == 502 and r.json()["error"]["code"] == "provider_error"
    assert elapsed < 10
    payment_id = r.json()["error"]["details"]["paymentId"]
    assert payment_status(stack, payment_id) == "failed"
    assert "could not be reached" in stack.psql(f"SELECT failure_reason FROM payments WHERE id = '{payment_id}'")
    assert staff.get("/api/health").status_code == 200


def test_an_open_intent_holds_the_balance_for_an_hour_and_a_late_double_payment_is_flagged(stack, staff,
                                                                                           customer_id):
    booking = new_booking(staff, customer_id, total=5000)
    first = paid_intent(staff, booking)
    held = create_intent(staff, booking)
    assert held.status_code == 422 and held.json()["error"]["code"] == "nothing_outstanding"
    assert held.json()["error"]["details"]["openIntentsMinor"] == 5000
    stack.psql(f"UPDATE payments SET created_at = now() - interval '2 hours' WHERE id = '{first['id']}'")
    second = paid_intent(staff, booking)
    assert send_stripe(stack, stripe_event("payment_intent.succeeded", second)).json()["data"]["outcome"] == "applied"
    late = send_stripe(stack, stripe_event("payment_intent.succeeded", first))
    assert late.status_code == 200 and late.json()["data"]["outcome"] == "applied"
    assert booking_status(stack, booking) == "payment_confirmed"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "payment_overpaid" and n["metadata"]["booking_id"] == booking and "50.00 EUR" in n["message"]
               for n in notes)
    totals = staff.get(f"/api/bookings/{booking}/payments").json()["data"]["totals"][0]
    assert totals["captured_minor"] == 10000 and totals["outstanding_minor"] == 0


def test_razorpay_refunds_through_the_worker_and_never_twice(stack, healthy, staff, customer_id, providers):
    booking = new_booking(staff, customer_id, total=9000, currency="INR")
    r = create_intent(staff, booking, "razorpay")
    order, payment_id = r.json()["data"]["providerPayload"]["orderId"], r.json()["data"]["payment"]["id"]
    captured = json.dumps({"event": "payment.captured", "payload": {"payment": {"entity": {
        "id": "pay_twice", "order_id": order, "amount": 9000, "currency": "INR"}}}}).encode()
    assert send_razorpay(stack, captured, "ev_1").json()["data"]["outcome"] == "applied"
    # The same signed body under another event id is still the same event.
    assert send_razorpay(stack, captured, "ev_forged").json()["data"]["duplicate"] is True

    # An earlier attempt already made the refund (the worker died before recording it): the retry finds
    # it by our id in its notes and does not refund again.
    stack.stack("worker-stop")
    first = refund(staff, payment_id, 4000).json()["data"]["refund"]["id"]
    providers.razorpay_refunds["pay_twice"] = [{"id": "rfnd_earlier", "entity": "refund", "amount": 4000,
                                                "payment_id": "pay_twice", "status": "processed",
                                                "notes": {"itinera_refund_id": first}}]
    stack.stack("worker-start")
    assert wait_until(lambda: refund_row(stack, first) == "pending|rfnd_earlier")
    assert [c for c in providers.calls("/v1/payments/pay_twice/refund") if c[1].endswith("/refund")] == []

    second = refund(staff, payment_id, 5000).json()["data"]["refund"]["id"]
    assert wait_until(lambda: refund_row(stack, second).startswith("succeeded|rfnd_"))
    posted = [c for c in providers.calls("/v1/payments/pay_twice/refund") if c[1].endswith("/refund")]
    assert len(posted) == 1 and json.loads(posted[0][3])["notes"]["itinera_refund_id"] == second
    # The first is confirmed by Razorpay's webhook too; then everything captured is refunded.
    confirm = json.dumps({"event": "refund.processed", "payload": {"refund": {"entity": {
        "id": "rfnd_earlier", "payment_id": "pay_twice", "amount": 4000, "currency": "INR",
        "notes": {"itinera_refund_id": first}}}}}).encode()
    assert send_razorpay(stack, confirm, "ev_2").json()["data"]["outcome"] == "applied"
    assert wait_until(lambda: booking_status(stack, booking) == "refunded")


def test_a_refund_the_provider_later_reports_failed_is_given_back(stack, staff, customer_id):
    booking, payment = captured_payment(stack, staff, customer_id, 7000)
    refund_id = refund(staff, payment["id"], 7000).json()["data"]["refund"]["id"]
    assert wait_until(lambda: refund_row(stack, refund_id).startswith("succeeded|re_"))
    reference = refund_row(stack, refund_id).split("|")[1]
    failed = send_stripe(stack, stripe_event("refund.failed", payment, id=reference, amount=7000, status="failed",
                                             payment_intent=payment["provider_reference"]))
    assert failed.json()["data"]["outcome"] == "applied"
    assert refund_row(stack, refund_id) == f"failed|{reference}"
    assert stack.psql(f"SELECT status, refunded_minor FROM payments WHERE id = '{payment['id']}'") == "succeeded|0"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{booking}'") == "7000"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "refund_failed" and n["metadata"]["payment_id"] == payment["id"] for n in notes)


def test_a_sandbox_refund_is_confirmed_by_the_sandbox_webhook(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=2500)
    payment_id = create_intent(staff, booking, "sandbox").json()["data"]["payment"]["id"]
    staff.send("POST", f"/api/payments/{payment_id}/sandbox/complete", json={"outcome": "succeeded"})
    assert wait_until(lambda: booking_status(stack, booking) == "payment_confirmed")
    refund_id = refund(staff, payment_id, 2500).json()["data"]["refund"]["id"]
    assert wait_until(lambda: booking_status(stack, booking) == "refunded")
    assert refund_row(stack, refund_id).startswith("succeeded|sbx_re_")


def test_a_refund_reported_before_the_capture_is_refused_so_the_provider_retries(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    payment = paid_intent(staff, booking)
    receipts = stack.psql("SELECT count(*) FROM payment_webhook_events")
    early = send_stripe(stack, stripe_event("refund.created", payment, id="re_early", amount=100,
                                            status="succeeded", payment_intent=payment["provider_reference"]))
    assert early.status_code == 409 and early.json()["error"]["code"] == "payment_not_captured"
    assert stack.psql("SELECT count(*) FROM payment_webhook_events") == receipts
    assert stack.psql(f"SELECT count(*) FROM payment_refunds WHERE payment_id = '{payment['id']}'") == "0"


def test_an_assigned_supplier_sees_the_booking_but_not_its_money(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=4400)
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    own_supplier = stack.psql(f"SELECT id FROM suppliers WHERE user_id = '{supplier_user}'")
    airline = staff.send("POST", "/api/suppliers", json={"name": "Sky Charter", "kind": "airline"}).json()["data"]
    items = f"/api/bookings/{booking}/items"
    shoot = staff.send("POST", items, json={"kind": "activity", "description": "Beach shoot", "quantity": 1,
                                            "unitPriceMinor": 1000, "supplierId": own_supplier})
    flight = staff.send("POST", items, json={"kind": "flight", "description": "LIS → FNC", "quantity": 2,
                                             "unitPriceMinor": 300, "supplierId": airline["id"]})
    assert shoot.status_code == flight.status_code == 201, (shoot.text, flight.text)
    shoot_id, flight_id = shoot.json()["data"]["items"][1]["id"], flight.json()["data"]["items"][2]["id"]
    assert staff.send("PATCH", f"{items}/{shoot_id}", json={"supplierReference": "SHOOT-7"}).status_code == 200
    assert staff.send("PATCH", f"{items}/{flight_id}", json={"supplierReference": "PNR-K2X9QD"}).status_code == 200
    assert staff.send("POST", f"/api/bookings/{booking}/assignments",
                      json={"userId": supplier_user, "role": "guide"}).status_code == 201
    payment = paid_intent(staff, booking)
    send_stripe(stack, stripe_event("payment_intent.succeeded", payment))
    assert wait_until(lambda: stack.psql(f"SELECT count(*) FROM documents WHERE booking_id = '{booking}' "
                                         "AND kind = 'invoice'") == "1")
    staff_view = staff.get(f"/api/bookings/{booking}").json()["data"]
    assert len(staff_view["payments"]) == 1 and staff_view["total_minor"] == 6000
    assert "invoice" in [d["kind"] for d in staff_view["documents"]]

    supplier = Browser(stack, "supplier@demo.test")
    seen = supplier.get(f"/api/supplier/bookings/{booking}").json()["data"]
    assert seen["id"] == booking and seen["status"] == "payment_confirmed"
    for money in ("total_minor", "paid_minor", "currency", "payments", "invoices", "notes"):
        assert money not in seen, money
    # The timeline's notes ("Payment requested: 44.00 EUR by stripe.") stay with staff too.
    assert seen["last_events"] and all("note" not in e for e in seen["last_events"])
    assert any("EUR" in (e["note"] or "") for e in staff_view["last_events"])
    assert [(i["description"], i["quantity"]) for i in seen["items"]] == [
        ("Sunset sail", 1), ("Beach shoot", 1), ("LIS → FNC", 2)]
    assert all("unit_price_minor" not in i and "total_minor" not in i for i in seen["items"])
    # Their own item's reference, not the airline's booking code.
    assert [i["supplier_reference"] for i in seen["items"]] == [None, "SHOOT-7", None]
    assert [d["kind"] for d in seen["documents"]] == []
    listed = [b for b in supplier.get("/api/supplier/bookings?limit=100").json()["data"]["items"] if b["id"] == booking]
    assert len(listed) == 1 and "total_minor" not in listed[0] and "paid_minor" not in listed[0]
    invoice_document = stack.psql(f"SELECT id FROM documents WHERE booking_id = '{booking}' AND kind = 'invoice'")
    assert supplier.get(f"/api/documents/{invoice_document}/download").status_code == 404
    assert supplier.get(f"/api/payments/{payment['id']}").status_code == 403
    # The database's own rule, whatever a route does: as the app role with the supplier's scope.
    as_supplier = stack.psql(
        "BEGIN; SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true), "
        f"set_config('itinera.user_id', '{supplier_user}', true), set_config('itinera.role', 'supplier', true); "
        f"SELECT (SELECT count(*) FROM bookings WHERE id = '{booking}') || '|' || "
        f"(SELECT count(*) FROM payments WHERE booking_id = '{booking}') || '|' || "
        f"(SELECT count(*) FROM invoices WHERE booking_id = '{booking}') || '|' || "
        f"(SELECT count(*) FROM documents WHERE booking_id = '{booking}') || '|' || "
        f"(SELECT string_agg(name, ',') FROM suppliers); COMMIT;", database_url=stack.database_url)
    assert as_supplier.splitlines()[-1] == "1|0|0|0|Sol Studio", as_supplier


def test_the_webhook_list_pages_newest_first_without_repeats(stack, staff, customer_id):
    payment = paid_intent(staff, new_booking(staff, customer_id))
    for _ in range(3):
        send_stripe(stack, stripe_event("payment_intent.payment_failed", payment))
    admin = Browser(stack, "admin@demo.test")
    seen, cursor = [], None
    for _ in range(3):
        page = admin.get("/api/admin/payment-webhooks?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [w["id"] for w in page["data"]["items"]]
        cursor = page["data"]["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 3
    times = [w["received_at"] for w in admin.get("/api/admin/payment-webhooks?limit=200").json()["data"]["items"]]
    assert times == sorted(times, reverse=True)
    assert admin.get("/api/admin/payment-webhooks?cursor=nope").status_code == 400
    for query in ("provider=paypal", "outcome=maybe"):
        r = admin.get(f"/api/admin/payment-webhooks?{query}")
        assert r.status_code == 400 and query.split("=")[0] in r.json()["error"]["details"]["fields"], query


def test_an_intent_key_replays_only_for_the_user_who_sent_it(stack, staff, providers):
    own = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = "
                     "'customer@demo.test')")
    booking = new_booking(staff, own, total=1200)
    key = str(uuid.uuid4())
    first = create_intent(staff, booking, "stripe", amount=500, key=key)
    assert first.status_code == 200
    assert create_intent(staff, booking, "stripe", amount=500, key=key).json()["data"] == first.json()["data"]
    customer = Browser(stack, "customer@demo.test")
    other = create_intent(customer, booking, "stripe", amount=500, key=key)
    # The customer's request with the same key is the customer's own intent, not a replay of staff's.
    assert other.status_code == 200, other.text
    assert other.json()["data"]["payment"]["id"] != first.json()["data"]["payment"]["id"]
    assert other.json()["data"]["providerPayload"]["clientSecret"] != first.json()["data"]["providerPayload"][
        "clientSecret"]
    keys = [c[2]["Idempotency-Key"] for c in providers.calls("/v1/payment_intents")[-2:]]
    assert keys[0] != keys[1]


def test_pending_refunds_wait_for_the_provider_and_a_refund_given_up_is_counted_when_it_happens(
        stack, healthy, staff, customer_id):
    booking, payment = captured_payment(stack, staff, customer_id, 6000)
    # A refund the provider made itself, still pending: it counts against the payment, the booking waits.
    pending = send_stripe(stack, stripe_event("refund.created", payment, id="re_slow", amount=2000, status="pending",
                                              payment_intent=payment["provider_reference"]))
    assert pending.json()["data"]["outcome"] == "applied"
    assert stack.psql("SELECT status FROM payment_refunds WHERE provider_reference = 're_slow'") == "pending"
    assert stack.psql(f"SELECT refunded_minor FROM payments WHERE id = '{payment['id']}'") == "2000"

    # Ours, given up on as failed (worker stopped, the provider then says it failed)...
    stack.stack("worker-stop")
    ours = refund(staff, payment["id"], 4000).json()["data"]["refund"]["id"]
    failed = send_stripe(stack, stripe_event("refund.failed", payment, id="re_late", amount=4000, status="failed",
                                             payment_intent=payment["provider_reference"],
                                             metadata={"itinera_refund_id": ours}))
    assert failed.json()["data"]["outcome"] == "applied" and refund_row(stack, ours) == "failed|"
    assert stack.psql(f"SELECT refunded_minor FROM payments WHERE id = '{payment['id']}'") == "2000"
    # ...then made after all: counted again, staff told.
    late = send_stripe(stack, stripe_event("refund.updated", payment, id="re_late", amount=4000, status="succeeded",
                                           payment_intent=payment["provider_reference"],
                                           metadata={"itinera_refund_id": ours}))
    assert late.json()["data"]["outcome"] == "applied" and refund_row(stack, ours) == "succeeded|re_late"
    assert stack.psql(f"SELECT refunded_minor FROM payments WHERE id = '{payment['id']}'") == "6000"
    notes = staff.get("/api/notifications?limit=50").json()["data"]["items"]
    assert any(n["type"] == "refund_recovered" and n["metadata"]["payment_id"] == payment["id"] for n in notes)
    assert booking_status(stack, booking) == "payment_confirmed"  # re_slow is not paid out yet

    done = send_stripe(stack, stripe_event("refund.updated", payment, id="re_slow", amount=2000, status="succeeded",
                                           payment_intent=payment["provider_reference"]))
    assert done.json()["data"]["outcome"] == "applied"
    assert booking_status(stack, booking) == "refunded"
    stack.stack("worker-start")


def test_a_checkout_opened_before_a_cancellation_takes_no_money_and_a_late_capture_asks_for_a_refund(
        stack, staff, customer_id):
    booking = new_booking(staff, customer_id, total=5000)
    sandbox = create_intent(staff, booking, "sandbox").json()["data"]["payment"]
    assert lifecycle_moves(stack, booking, "payment_pending") == 1
    cancel = staff.send("POST", "/api/core/booking-lifecycle",
                        json={"bookingId": booking, "toStatus": "cancelled", "actorType": "user"})
    assert cancel.status_code == 200
    r = staff.send("POST", f"/api/payments/{sandbox['id']}/sandbox/complete", json={"outcome": "succeeded"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "booking_not_payable"
    assert payment_status(stack, sandbox["id"]) == "requires_action"
    declined = staff.send("POST", f"/api/payments/{sandbox['id']}/sandbox/complete", json={"outcome": "failed"})
    assert declined.status_code == 202
    assert wait_until(lambda: payment_status(stack, sandbox["id"]) == "failed")

    # A real provider's checkout can still be paid: the money is recorded, the booking stays closed,
    # and staff are told to refund it.
    other = new_booking(staff, customer_id, total=6000)
    payment = paid_intent(staff, other)
    assert staff.send("POST", "/api/core/booking-lifecycle",
                      json={"bookingId": other, "toStatus": "cancelled", "actorType": "user"}).status_code == 200
    r = send_stripe(stack, stripe_event("payment_intent.succeeded", payment))
    assert r.status_code == 200 and r.json()["data"]["outcome"] == "applied"
    assert "refund it" in stack.psql(f"SELECT detail FROM payment_webhook_events WHERE payment_id = '{payment['id']}'")
    assert booking_status(stack, other) == "cancelled" and payment_status(stack, payment["id"]) == "succeeded"
    assert stack.psql(f"SELECT paid_minor FROM bookings WHERE id = '{other}'") == "6000"
    assert stack.psql(f"SELECT title FROM notifications WHERE type = 'payment_on_closed_booking' "
                      f"AND link_id = '{other}'") == "Payment on a cancelled booking"
    assert stack.psql(f"SELECT count(*) FROM notifications WHERE type = 'payment_received' AND link_id = '{other}'") \
        == "0"


def test_amounts_in_messages_follow_the_currency_decimals(stack, staff, customer_id):
    for currency, total, shown in (("JPY", 1234, "1234 JPY"), ("KWD", 1234, "1.234 KWD"), ("EUR", 1234, "12.34 EUR")):
        booking = new_booking(staff, customer_id, total=total, currency=currency)
        r = create_intent(staff, booking, amount=total + 1)
        assert r.status_code == 422 and r.json()["error"]["message"] == f"At most {shown} can be paid now.", r.text
