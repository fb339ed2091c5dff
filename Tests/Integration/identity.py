"""Helpers for the identity tests: signing in, signing partner calls, the CLI."""

import hashlib
import hmac
import json
import time
import uuid

import requests

DEMO_PASSWORD = "itinera-demo"
DEMO_TRAVEL = "00000000-0000-4000-8000-00000000d001"
OTHER_AGENCY = "00000000-0000-4000-8000-00000000d002"


class Browser:
    """A signed-in browser: the session cookie plus the CSRF token from /api/auth/me."""

    def __init__(self, stack, email, password=DEMO_PASSWORD, team_id=None):
        self.stack = stack
        self.http = requests.Session()
        body = {"email": email, "password": password}
        if team_id:
            body["teamId"] = team_id
        self.login = self.http.post(stack.url + "/api/auth/login", json=body, timeout=30)
        assert self.login.status_code == 200, self.login.text
        self.me = self.login.json()["data"]
        self.csrf = self.me["csrf_token"]

    def get(self, path, **kw):
        return self.http.get(self.stack.url + path, timeout=30, **kw)

    def send(self, method, path, csrf=True, headers=None, **kw):
        headers = dict(headers or {})
        if csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.http.request(method, self.stack.url + path, headers=headers, timeout=30, **kw)

    @property
    def cookie(self):
        return self.http.cookies.get("itinera_session")


def every_notification(browser):
    """Every notification of the signed-in user, newest first, page by page: the worker keeps
    raising notifications of earlier tests, and a single page would let them push others out."""
    items, before = [], None
    while True:
        page = browser.get("/api/notifications?limit=100" + (f"&before={before}" if before else "")).json()["data"]
        items += page["items"]
        before = page["nextCursor"]
        if not before:
            return items


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def signed_headers(key_id, secret, body, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Itinera-Key": key_id, "X-Itinera-Timestamp": str(timestamp),
            "X-Itinera-Signature": f"v1={signature}", "Content-Type": "application/json"}


def cli(stack, *args, stdin=None):
    result = stack.itinera(*args, input=stdin.encode() if stdin else None)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def partner_key(stack, team=DEMO_TRAVEL, actions=""):
    out = cli(stack, "partner-key", "create", "--team", team, "--name", "test partner", "--actions", actions)
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return lines["key id"], lines["secret"]


def body_json(response):
    return json.loads(response.content)


def pay_offline(browser, booking_id, amount_minor=None, method="bank_transfer", **extra):
    """Records money that arrived outside a provider (what is outstanding, unless told), as staff do
    for a bank transfer: once it covers the total the booking moves to payment_confirmed by itself."""
    if amount_minor is None:
        totals = browser.get(f"/api/bookings/{booking_id}/payments").json()["data"]["totals"][0]
        amount_minor = totals["outstanding_minor"]
    body = {"amountMinor": amount_minor, "method": method, "idempotencyKey": str(uuid.uuid4())}
    body.update(extra)
    return browser.send("POST", f"/api/bookings/{booking_id}/payments/offline", json=body)


def advance(browser, booking_id, to, **extra):
    """One step along the lifecycle as staff take it: `payment_confirmed` by recording the money
    still outstanding (the move itself is refused while any is), every other status by a move."""
    if to == "payment_confirmed":
        totals = browser.get(f"/api/bookings/{booking_id}/payments").json()["data"]["totals"][0]
        if totals["outstanding_minor"] > 0:
            return pay_offline(browser, booking_id, totals["outstanding_minor"])
    body = {"bookingId": booking_id, "toStatus": to}
    body.update(extra)
    return browser.send("POST", "/api/core/booking-lifecycle", json=body)
