"""Live notifications through the real nginx + nchan: delivery, updates, resume, isolation, free workers."""

import json
import socket
import threading
import time

import pytest
import requests

from identity import Browser
from test_notifications import DEMO_BOOKING, client_save


class Stream:
    """An EventSource-like reader of /api/notifications/stream over a plain socket (HTTP/1.0, so the
    body is the raw event stream), recording events as they arrive and when the server ends it.
    Signed in with `browser`'s cookie, or with `headers` (a bearer token)."""

    def __init__(self, stack, browser=None, last_event_id=None, headers=None, read_timeout=10):
        host, port = stack.url.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        lines = ["GET /api/notifications/stream HTTP/1.0", f"Host: {host}:{port}", "Accept: text/event-stream"]
        if browser:
            lines.append(f"Cookie: itinera_session={browser.cookie}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if last_event_id:
            lines.append(f"Last-Event-ID: {last_event_id}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline().decode()
        assert " 200 " in status, status
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass
        self.sock.settimeout(read_timeout)
        self.events = []
        self.ended_at = None  # when the server closed the stream
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        event = {}
        try:
            for raw in self.file:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if "event" in event or "data" in event:
                        event["at"] = time.monotonic()
                        self.events.append(event)
                    event = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    event[name] = value[1:] if value.startswith(" ") else value
            self.ended_at = time.monotonic()
        except (OSError, ValueError):
            pass

    def wait_for(self, name, predicate=lambda data: True, seconds=5):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for event in list(self.events):
                if event.get("event") == name and predicate(json.loads(event.get("data", "null"))):
                    return event
            time.sleep(0.02)
        return None

    def named(self, name):
        return [e for e in list(self.events) if e.get("event") == name]

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@pytest.fixture(scope="module")
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {email: Browser(stack, email) for email in
            ("staff@demo.test", "admin@demo.test", "customer@demo.test", "admin@other.test", "supplier@demo.test")}


def test_staff_receive_a_client_save_within_two_seconds_and_nobody_else_does(stack, people):
    staff = Stream(stack, people["staff@demo.test"])
    outsider = Stream(stack, people["admin@other.test"])
    supplier = Stream(stack, people["supplier@demo.test"])
    customer = Stream(stack, people["customer@demo.test"])
    try:
        time.sleep(0.3)
        started = time.monotonic()
        assert client_save({"customer": people["customer@demo.test"]}).status_code == 200
        event = staff.wait_for("notification", lambda d: d["notification"]["type"] == "booking_updated_by_client")
        assert event is not None
        assert event["at"] - started < 2.0
        assert json.loads(event["data"])["notification"]["metadata"] == {"booking_id": DEMO_BOOKING}
        time.sleep(0.5)
        assert outsider.named("notification") == []
        assert supplier.named("notification") == []
        assert customer.named("notification") == []  # the client who saved is not told about their own save
    finally:
        for s in (staff, outsider, supplier, customer):
            s.close()


def test_a_team_notification_reaches_each_staff_member_but_not_the_actor(stack, people):
    staff, admin = people["staff@demo.test"], people["admin@demo.test"]
    assert admin.send("POST", "/api/notifications/read-all").status_code == 200
    staff_stream, admin_stream = Stream(stack, staff), Stream(stack, admin)
    try:
        time.sleep(0.3)
        # The admin moves a booking: staff are told, the admin is not.
        booking = staff.send("POST", "/api/bookings", json={
            "customerId": stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users "
                                     "WHERE email = 'customer@demo.test')"), "currency": "EUR"}).json()["data"]["id"]
        r = admin.send("POST", "/api/core/booking-lifecycle", json={"bookingId": booking, "toStatus": "cancelled"})
        assert r.status_code == 200, r.text
        event = staff_stream.wait_for("notification", lambda d: d["notification"]["type"] == "booking_status_changed"
                                      and d["notification"]["metadata"].get("booking_id") == booking)
        assert event is not None
        assert json.loads(event["data"])["notification"]["scope"] == "team"
        time.sleep(0.5)
        assert [e for e in admin_stream.named("notification")
                if json.loads(e["data"])["notification"]["metadata"].get("to") == "cancelled"] == []
    finally:
        staff_stream.close()
        admin_stream.close()


def test_reading_in_one_session_updates_the_others(stack, people):
    first_tab = Stream(stack, people["staff@demo.test"])
    second_session = Browser(stack, "staff@demo.test")
    try:
        time.sleep(0.3)
        assert client_save({"customer": people["customer@demo.test"]}).status_code == 200
        event = first_tab.wait_for("notification")
        note_id = json.loads(event["data"])["notification"]["id"]
        assert second_session.send("PATCH", f"/api/notifications/{note_id}/read").status_code == 200
        update = first_tab.wait_for("notification-update", lambda d: d["id"] == note_id)
        assert update is not None
        data = json.loads(update["data"])
        assert data["read_at"] and data["unread"] == second_session.get(
            "/api/notifications/unread-count").json()["data"]["unread"]
        assert second_session.send("DELETE", f"/api/notifications/{note_id}").status_code == 200
        assert first_tab.wait_for("notification-delete", lambda d: d["id"] == note_id) is not None
    finally:
        first_tab.close()


def test_reconnecting_with_last_event_id_replays_exactly_the_missed_events(stack, people):
    staff = people["staff@demo.test"]
    customer = {"customer": people["customer@demo.test"]}
    stream = Stream(stack, staff)
    time.sleep(0.3)
    assert client_save(customer).status_code == 200
    seen = stream.wait_for("notification")
    assert seen is not None
    stream.close()
    missed = []
    for _ in range(2):
        assert client_save(customer).status_code == 200
    time.sleep(1.0)  # the worker publishes while nobody listens
    missed = [n["id"] for n in staff.get("/api/notifications?limit=2").json()["data"]["items"]]
    resumed = Stream(stack, staff, last_event_id=seen["id"])
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(resumed.named("notification")) < 2:
            time.sleep(0.05)
        time.sleep(0.3)
        replayed = [json.loads(e["data"])["notification"]["id"] for e in resumed.named("notification")]
        assert sorted(replayed) == sorted(missed)
    finally:
        resumed.close()


def test_open_streams_leave_the_workers_free(stack, people):
    staff = people["staff@demo.test"]
    streams = [Stream(stack, staff) for _ in range(50)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        for _ in range(20):
            assert requests.get(stack.url + "/api/health", timeout=5).status_code == 200
            assert staff.get("/api/notifications/unread-count").status_code == 200
        assert time.monotonic() - started < 5
        assert client_save({"customer": people["customer@demo.test"]}).status_code == 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(s.named("notification") for s in streams):
            time.sleep(0.05)
        assert all(len(s.named("notification")) == 1 for s in streams)
    finally:
        for s in streams:
            s.close()


def test_the_stream_needs_a_signed_in_user(stack):
    r = requests.get(stack.url + "/api/notifications/stream", headers={"Accept": "text/event-stream"}, timeout=5)
    assert r.status_code == 401
    # The internal subscriber location cannot be reached directly.
    assert requests.get(stack.url + "/internal/sub/t-anything", headers={"Accept": "text/event-stream"},
                        timeout=5).status_code == 404


def test_the_stream_says_it_needs_an_event_stream_request(stack, people):
    plain = people["staff@demo.test"].get("/api/notifications/stream")
    assert plain.status_code == 406 and plain.json()["error"]["code"] == "event_stream_only", plain.text
    assert "text/event-stream" in plain.json()["error"]["message"]


def test_a_browser_away_too_long_is_told_to_resync(stack, people):
    stale = Stream(stack, people["staff@demo.test"], last_event_id=f"{int(time.time()) - 7200}:0")
    try:
        event = stale.wait_for("resync")
        assert event is not None and event.get("id") == ""
    finally:
        stale.close()
    fresh = Stream(stack, people["staff@demo.test"], last_event_id=f"{int(time.time()) - 60}:0")
    try:
        time.sleep(0.5)
        assert fresh.named("resync") == []
    finally:
        fresh.close()
