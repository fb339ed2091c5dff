"""The booking core over HTTP: create, lifecycle, idempotency, concurrency, optimistic edits, isolation."""

import base64
import json
import threading
import uuid

import pytest
import requests

from conftest import WORKERS
from identity import DEMO_TRAVEL, Browser, advance, bearer, cli

HAPPY_PATH = ["payment_pending", "payment_confirmed", "supplier_confirmed", "documents_generated", "completed",
              "refunded"]


@pytest.fixture(scope="module")
def customer_id(staff):
    r = staff.send("POST", "/api/customers", json={"name": "Åsa Öberg", "email": "asa@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


def new_booking(staff, customer_id, **extra):
    body = {"customerId": customer_id, "currency": "EUR",
            "items": [{"kind": "flight", "description": "Zürich → São Paulo", "startsAt": "2027-03-01T09:00:00Z",
                       "quantity": 2, "unitPriceMinor": 125000},
                      {"kind": "hotel", "description": "Copacabana, 3 nights", "quantity": 1,
                       "unitPriceMinor": 90000}],
            "travelers": [{"firstName": "Åsa", "lastName": "Öberg", "email": "asa@example.com"}]}
    body.update(extra)
    r = staff.send("POST", "/api/bookings", json=body)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def move(staff, booking_id, to, key=None, **extra):
    body = {"bookingId": booking_id, "toStatus": to, "actorType": "user"}
    if key:
        body["idempotencyKey"] = key
    body.update(extra)
    return staff.send("POST", "/api/core/booking-lifecycle", json=body)


def test_create_computes_totals_and_starts_in_booking_created(staff, customer_id):
    booking = new_booking(staff, customer_id)
    assert booking["status"] == "booking_created"
    assert booking["total_minor"] == 2 * 125000 + 90000
    assert booking["booking_reference"].startswith("ITN-") and len(booking["booking_reference"]) == 10
    assert [i["description"] for i in booking["items"]] == ["Zürich → São Paulo", "Copacabana, 3 nights"]
    assert booking["travelers"][0]["first_name"] == "Åsa"
    assert booking["departure_at"].startswith("2027-03-01T09:00:00")
    assert booking["last_events"][0]["to_status"] == "booking_created"


def test_invalid_bodies_name_their_fields_and_create_nothing(stack, staff, customer_id):
    before = stack.psql("SELECT count(*) FROM bookings")
    r = staff.send("POST", "/api/bookings", json={
        "customerId": "nope", "currency": "eur",
        "items": [{"kind": "boat", "description": "", "quantity": 0, "unitPriceMinor": -1}],
        "travelers": [{"firstName": "", "lastName": "X", "email": "not-an-email"}]})
    assert r.status_code == 400
    fields = r.json()["error"]["details"]["fields"]
    for field in ("customerId", "currency", "items[0].kind", "items[0].description", "items[0].quantity",
                  "items[0].unitPriceMinor", "travelers[0].firstName", "travelers[0].email"):
        assert field in fields, field
    wrong_type = staff.send("POST", "/api/bookings", json={"customerId": customer_id, "currency": "EUR",
                                                          "items": [{"kind": "flight", "description": "x",
                                                                     "quantity": "two", "unitPriceMinor": 1}]})
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["code"] == "invalid_json"
    assert wrong_type.json()["error"]["details"]["fields"] == {"items[0].quantity": "must be an integer"}
    unknown_customer = staff.send("POST", "/api/bookings", json={"customerId": str(uuid.uuid4()), "currency": "EUR"})
    assert unknown_customer.status_code == 400
    assert stack.psql("SELECT count(*) FROM bookings") == before


def test_a_name_twice_in_one_body_is_refused_rather_than_guessed(stack, staff, customer_id):
    # Read first-wins it cancels the booking, last-wins it asks for payment: neither happens.
    booking = new_booking(staff, customer_id)
    body = (f'{{"bookingId":"{booking["id"]}","toStatus":"cancelled","actorType":"user",'
            '"toStatus":"payment_pending"}')
    r = staff.send("POST", "/api/core/booking-lifecycle", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json", r.text
    assert r.json()["error"]["details"]["fields"] == {"toStatus": "appears more than once in its object"}
    after = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert (after["status"], after["version"]) == ("booking_created", booking["version"])


def test_a_member_the_endpoint_does_not_know_is_refused_rather_than_dropped(stack, staff, customer_id):
    before = stack.psql("SELECT count(*) FROM bookings")
    body = {"customerId": customer_id, "currency": "EUR",
            "items": [{"kind": "hotel", "description": "Two nights", "quantity": 1, "unitPriceMinor": 100}],
            "travellers": [{"firstName": "Åsa", "lastName": "Öberg"}]}
    r = staff.send("POST", "/api/bookings", json=body)
    assert r.status_code == 400 and r.json()["error"]["details"]["fields"] == {
        "travellers": "is not a field of this request"}, r.text
    body["travelers"] = body.pop("travellers")
    body["items"][0]["startAt"] = "2027-03-01T15:00:00Z"
    r = staff.send("POST", "/api/bookings", json=body)
    assert r.status_code == 400 and "items[0].startAt" in r.json()["error"]["details"]["fields"], r.text
    assert stack.psql("SELECT count(*) FROM bookings") == before
    # A body with more objects than any of ours holds is refused before it is looked at further.
    flood = staff.send("POST", "/api/bookings", json={"customerId": customer_id, "currency": "EUR",
                                                      "travelers": [{"firstName": "A", "lastName": "B"}] * 1_500})
    assert flood.status_code == 400 and "more than 1000 objects" in flood.json()["error"]["message"], flood.text
    # Free-form metadata stays free-form.
    booking = new_booking(staff, customer_id)
    moved = staff.send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": booking["id"], "toStatus": "payment_pending", "actorType": "user",
        "metadata": {"channel": {"name": "phone", "agentCode": 7}}})
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["event"]["metadata"] == {"channel": {"name": "phone", "agentCode": 7}}


def cursor_of(*parts):
    """A cursor as a client could forge one: base64url JSON of its key parts."""
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def test_impossible_dates_big_numbers_and_long_text_name_their_fields_and_change_nothing(stack, staff, customer_id):
    before = stack.psql("SELECT count(*) || '/' || max(updated_at) FROM bookings")

    def create(**item):
        body = {"customerId": customer_id, "currency": "EUR",
                "items": [dict({"kind": "hotel", "description": "x", "quantity": 1, "unitPriceMinor": 1}, **item)]}
        return staff.send("POST", "/api/bookings", json=body)

    for starts in ("2027-02-30T10:00:00Z", "2027-01-01T24:30:00Z", "0000-06-01T00:00:00Z", "2027-13-01T00:00:00Z",
                   "2027-03-01", "tomorrow"):
        r = create(startsAt=starts)
        assert r.status_code == 400 and "`items[0].startsAt` must be an ISO-8601 time" in r.json()["error"]["message"], \
            (starts, r.text)
    for field, value in (("quantity", 1.5), ("quantity", 10 ** 20), ("unitPriceMinor", 10 ** 20)):
        r = create(**{field: value})
        assert r.status_code == 400 and f"`items[0].{field}` must be a whole number" in r.json()["error"]["message"]
    combining = "e\u0301" * 2001  # 2,001 letters as shown, 4,002 code points: over the 4,000 of the column
    r = staff.send("POST", "/api/bookings", json={"customerId": customer_id, "currency": "EUR", "notes": combining})
    assert r.status_code == 400 and "notes" in r.json()["error"]["details"]["fields"], r.text
    r = staff.send("POST", "/api/bookings", json={"customerId": customer_id, "currency": "ZZZ"})
    assert r.status_code == 400 and "currency" in r.json()["error"]["details"]["fields"]
    assert stack.psql("SELECT count(*) || '/' || max(updated_at) FROM bookings") == before

    for query in ("departureFrom=2026-02-30", "departureFrom=2026-01-01T25:00:00Z", "departureTo=0000-01-01"):
        r = staff.get(f"/api/bookings?{query}")
        assert r.status_code == 400 and query.split("=")[0] in r.json()["error"]["details"]["fields"], query
    some = str(uuid.uuid4())
    for cursor in (cursor_of("xT", some), cursor_of("2026-13-01T00:00:00Z", some), cursor_of("2026-01-01T00:00:00Z"),
                   cursor_of("2027-03-01T09:00:00+16:00", some),
                   base64.urlsafe_b64encode(f"2026-01-01T00:00:00Z|{some}".encode()).decode()):
        r = staff.get(f"/api/bookings?cursor={cursor}")
        assert r.status_code == 400 and "cursor" in r.json()["error"]["details"]["fields"], cursor

    booking = new_booking(staff, customer_id)
    path = f"/api/bookings/{booking['id']}"
    version = {"If-Match": str(booking["version"])}
    for departure in ("0000-01-01", "0001-01-01T00:00:00+01:00"):
        r = staff.send("PATCH", path, json={"departureAt": departure}, headers=version)
        assert r.status_code == 400 and "departureAt" in r.json()["error"]["details"]["fields"], departure
    for too_big in ("2147483648", "9223372036854775807"):
        r = staff.send("PATCH", path, json={"notes": "x"}, headers={"If-Match": too_big})
        assert r.status_code == 400 and "If-Match" in r.json()["error"]["details"]["fields"]
    assert staff.get(path).json()["data"]["version"] == booking["version"]


def test_happy_path_to_completed_then_refunded_with_a_full_timeline(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    for to in HAPPY_PATH:
        r = advance(staff, booking["id"], to, note=f"to {to}")
        assert r.status_code in (200, 201), r.text
        assert r.json()["data"]["booking"]["status"] == to
    events = staff.get(f"/api/bookings/{booking['id']}/events").json()["data"]["items"]
    assert [e["to_status"] for e in events] == ["booking_created"] + HAPPY_PATH
    assert [e["from_status"] for e in events[1:]] == ["booking_created"] + HAPPY_PATH[:-1]
    assert all(e["request_id"] for e in events)
    outbox = stack.psql(f"SELECT count(*) FROM outbox_events WHERE aggregate_id = '{booking['id']}' "
                        "AND type = 'booking.status_changed'")
    assert outbox == str(len(HAPPY_PATH))


def test_invalid_transition_is_409_with_the_allowed_statuses(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    r = move(staff, booking["id"], "completed")
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["details"]["allowed"] == ["payment_pending", "cancelled"]
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "booking_created"
    assert move(staff, booking["id"], "shipped").status_code == 400
    assert move(staff, str(uuid.uuid4()), "cancelled").status_code == 404


def test_idempotent_replay_returns_the_first_answer_and_changes_nothing(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    first = move(staff, booking["id"], "payment_pending", key="replay-1")
    again = move(staff, booking["id"], "payment_pending", key="replay-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["data"] == first.json()["data"]
    events = stack.psql(f"SELECT count(*) FROM booking_lifecycle_events WHERE booking_id = '{booking['id']}'")
    assert events == "2"
    reused = move(staff, booking["id"], "cancelled", key="replay-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "payment_pending"


def test_idempotency_key_header_on_create(stack, staff, customer_id):
    body = {"customerId": customer_id, "currency": "EUR"}
    headers = {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = staff.send("POST", "/api/bookings", json=body, headers=headers)
    again = staff.send("POST", "/api/bookings", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    other = staff.send("POST", "/api/bookings", json={"customerId": customer_id, "currency": "USD"}, headers=headers)
    assert other.status_code == 422


def test_a_nul_character_is_refused_and_every_worker_keeps_working(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    for _ in range(3 * WORKERS):  # enough that every worker of the pool answers some
        r = move(staff, booking["id"], "payment_pending", note="a\u0000b")
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_text", r.text
    assert stack.psql(f"SELECT count(*) FROM booking_lifecycle_events WHERE booking_id = '{booking['id']}'") == "1"
    for _ in range(3 * WORKERS):
        assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "booking_created"
    assert move(staff, booking["id"], "payment_pending").status_code == 200


def test_twenty_concurrent_transitions_leave_one_consistent_history(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    targets = ["payment_pending", "cancelled", "payment_confirmed", "refunded", "supplier_confirmed"] * 4
    statuses = []

    def fire(to):
        statuses.append(move(staff, booking["id"], to).status_code)

    threads = [threading.Thread(target=fire, args=(to,)) for to in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {200, 409} and 200 in statuses
    rows = stack.psql(f"SELECT from_status || '>' || to_status FROM booking_lifecycle_events "
                      f"WHERE booking_id = '{booking['id']}' AND from_status IS NOT NULL ORDER BY id").splitlines()
    allowed = {"booking_created": {"payment_pending", "cancelled"},
               "payment_pending": {"payment_confirmed", "cancelled", "refunded"},
               "payment_confirmed": {"supplier_confirmed", "cancelled", "refunded"},
               "supplier_confirmed": {"documents_generated", "cancelled", "refunded"},
               "cancelled": {"refunded"}, "refunded": set()}
    previous = "booking_created"
    for row in rows:
        source, target = row.split(">")
        assert source == previous, rows
        assert target in allowed[source], rows
        previous = target
    current = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"]
    assert current == previous
    assert statuses.count(200) == len(rows)


def test_stale_if_match_is_412_and_a_fresh_one_saves(staff, customer_id):
    booking = new_booking(staff, customer_id)
    path = f"/api/bookings/{booking['id']}"
    assert staff.send("PATCH", path, json={"notes": "no version"}).status_code == 428
    ok = staff.send("PATCH", path, json={"notes": "window seat"}, headers={"If-Match": str(booking["version"])})
    assert ok.status_code == 200 and ok.json()["data"]["notes"] == "window seat"
    stale = staff.send("PATCH", path, json={"notes": "aisle"}, headers={"If-Match": str(booking["version"])})
    assert stale.status_code == 412
    assert stale.json()["error"]["details"]["currentVersion"] == booking["version"] + 1
    assert staff.get(path).json()["data"]["notes"] == "window seat"


def test_patch_edits_notes_trip_and_departure_and_clears_with_null(stack, staff, customer_id):
    booking = new_booking(staff, customer_id, notes="Vegetarian meals")
    path = f"/api/bookings/{booking['id']}"
    trip = staff.send("POST", "/api/trips", json={"name": "Carnival 2027"}).json()["data"]["id"]
    r = staff.send("PATCH", path, json={"tripId": trip, "departureAt": "2027-02-27T07:30:00Z"},
                   headers={"If-Match": str(booking["version"])})
    assert r.status_code == 200, r.text
    edited = r.json()["data"]
    assert edited["trip_id"] == trip and edited["departure_at"].startswith("2027-02-27T07:30:00")
    assert edited["notes"] == "Vegetarian meals" and edited["version"] == booking["version"] + 1
    cleared = staff.send("PATCH", path, json={"notes": None, "tripId": None},
                         headers={"If-Match": str(edited["version"])}).json()["data"]
    assert cleared["notes"] is None and cleared["trip_id"] is None
    assert cleared["departure_at"].startswith("2027-02-27T07:30:00")

    before = stack.psql(f"SELECT version, notes FROM bookings WHERE id = '{booking['id']}'")
    bad = staff.send("PATCH", path, json={"status": "completed", "totalMinor": 1, "departureAt": "soon",
                                          "notes": 5}, headers={"If-Match": str(cleared["version"])})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]["fields"]) == {"status", "totalMinor", "departureAt", "notes"}
    assert staff.send("PATCH", path, json={}, headers={"If-Match": str(cleared["version"])}).status_code == 400
    assert stack.psql(f"SELECT version, notes FROM bookings WHERE id = '{booking['id']}'") == before


def test_notes_for_the_team_stay_with_the_team(stack, staff):
    """`internalNotes` (a VIP, a margin) are staff's: the client's and the supplier's views leave them
    out, while the booking's `notes` are the client's to read."""
    linked = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users "
                        "WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, linked, notes="Window seats", internalNotes="VIP: upgrade if free")
    assert (booking["notes"], booking["internal_notes"]) == ("Window seats", "VIP: upgrade if free")
    path = f"/api/bookings/{booking['id']}"
    assert staff.get(path).json()["data"]["internal_notes"] == "VIP: upgrade if free"
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assert staff.send("POST", f"{path}/assignments", json={"userId": supplier_user, "role": "guide"}).status_code == 201
    client = Browser(stack, "customer@demo.test").get(f"/api/customer/bookings/{booking['id']}").json()["data"]
    supplier = Browser(stack, "supplier@demo.test").get(f"/api/supplier/bookings/{booking['id']}").json()["data"]
    assert client["notes"] == "Window seats" and "internal_notes" not in client
    assert "internal_notes" not in supplier and "notes" not in supplier

    version = staff.get(path).json()["data"]["version"]
    edited = staff.send("PATCH", path, json={"internalNotes": "  Margin 12 %  "}, headers={"If-Match": str(version)})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["internal_notes"], edited.json()["data"]["notes"]) == ("Margin 12 %", "Window seats")
    assert staff.get(path).json()["data"]["internal_notes"] == "Margin 12 %"
    history = staff.get(f"{path}/history").json()["data"]["items"]
    assert history[0]["summary"] == "Edited the booking: internal notes"
    version = edited.json()["data"]["version"]
    too_long = staff.send("PATCH", path, json={"internalNotes": "x" * 4001}, headers={"If-Match": str(version)})
    assert too_long.status_code == 400 and "internalNotes" in too_long.json()["error"]["details"]["fields"]
    cleared = staff.send("PATCH", path, json={"internalNotes": ""}, headers={"If-Match": str(version)})
    assert cleared.json()["data"]["internal_notes"] is None


def test_the_client_and_the_assigned_supplier_see_what_happens_on_the_ground(stack, staff):
    linked = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users "
                        "WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, linked)
    path = f"/api/bookings/{booking['id']}"
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    theirs = stack.psql(f"SELECT id FROM suppliers WHERE user_id = '{supplier_user}'")
    assert staff.send("POST", f"{path}/assignments", json={"userId": supplier_user, "role": "guide"}).status_code == 201
    for body in ({"kind": "guide", "description": "Old town walk", "supplierId": theirs,
                  "startsAt": "2027-03-02T10:00:00Z", "location": "Praça do Comércio"},
                 {"kind": "transfer", "description": "Airport pick-up", "startsAt": "2027-03-01T08:30:00Z"}):
        assert staff.send("POST", f"{path}/ground-services", json=body).status_code == 201
    client = Browser(stack, "customer@demo.test").get(f"/api/customer/bookings/{booking['id']}").json()["data"]
    assert [(g["kind"], g["description"], g["location"]) for g in client["ground_services"]] == [
        ("transfer", "Airport pick-up", None), ("guide", "Old town walk", "Praça do Comércio")]
    assert "supplier_id" not in client["ground_services"][0]
    supplier = Browser(stack, "supplier@demo.test").get(f"/api/supplier/bookings/{booking['id']}").json()["data"]
    assert [(g["description"], g["yours"]) for g in supplier["ground_services"]] == [
        ("Airport pick-up", False), ("Old town walk", True)]
    # Staff list them apart, with the supplier; the staff view of the booking is as it was.
    assert "ground_services" not in staff.get(path).json()["data"]


def test_references_into_another_team_are_refused_by_the_database_too(stack, staff, customer_id):
    other = Browser(stack, "admin@other.test")
    their_trip = other.send("POST", "/api/trips", json={"name": "Their trip"}).json()["data"]["id"]
    their_supplier = other.send("POST", "/api/suppliers", json={"name": "Their guide"}).json()["data"]["id"]
    their_product = other.send("POST", "/api/products", json={
        "kind": "activity", "name": "Their tour", "priceMinor": 100, "currency": "EUR"}).json()["data"]["id"]
    before = stack.psql("SELECT count(*) FROM bookings")
    item = {"kind": "activity", "description": "Tour", "quantity": 1, "unitPriceMinor": 100}
    for extra, field in (({"tripId": their_trip}, "tripId"),
                         ({"items": [dict(item, productId=their_product)]}, "productId"),
                         ({"items": [dict(item, supplierId=their_supplier)]}, "supplierId"),
                         ({"items": [dict(item, productId=str(uuid.uuid4()))]}, "productId")):
        r = staff.send("POST", "/api/bookings", json=dict({"customerId": customer_id, "currency": "EUR"}, **extra))
        assert r.status_code == 400, (field, r.text)
        assert field in r.json()["error"]["details"]["fields"]
    assert stack.psql("SELECT count(*) FROM bookings") == before

    booking = new_booking(staff, customer_id)
    r = staff.send("PATCH", f"/api/bookings/{booking['id']}", json={"tripId": their_trip},
                   headers={"If-Match": str(booking["version"])})
    assert r.status_code == 400 and "tripId" in r.json()["error"]["details"]["fields"]
    assert stack.psql(f"SELECT trip_id IS NULL FROM bookings WHERE id = '{booking['id']}'") == "t"
    # The same holds for a statement that skips the application's checks: the database refuses it.
    with pytest.raises(Exception):
        stack.psql(f"UPDATE bookings SET trip_id = '{their_trip}' WHERE id = '{booking['id']}'")


def test_list_filters_search_and_paginates_stably(staff, customer_id):
    made = [new_booking(staff, customer_id)["id"] for _ in range(5)]
    seen = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = staff.get("/api/bookings" + query).json()["data"]
        seen += [b["id"] for b in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen))
    assert seen.index(made[-1]) < seen.index(made[0])  # newest first
    assert set(made) <= set(seen)
    one = staff.get(f"/api/bookings/{made[0]}").json()["data"]["booking_reference"]
    found = staff.get(f"/api/bookings?q={one}").json()["data"]["items"]
    assert [b["id"] for b in found] == [made[0]]
    by_name = staff.get("/api/bookings?q=%C3%85sa&status=booking_created&limit=200").json()["data"]["items"]
    assert set(made) <= {b["id"] for b in by_name}
    assert staff.get("/api/bookings?status=nope").status_code == 400
    assert staff.get("/api/bookings?cursor=garbage").status_code == 400
    assert staff.get("/api/bookings?departureFrom=2027-03-01&departureTo=2027-03-02").json()["data"]["items"]


def test_supplier_assignment_and_what_each_role_sees(stack, staff, customer_id):
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    customer_user = stack.psql("SELECT id FROM users WHERE email = 'customer@demo.test'")
    # The demo seed links customer@demo.test to the customer "Cara Customer"; a second link is refused.
    linked = stack.psql(f"SELECT id FROM customers WHERE user_id = '{customer_user}'")
    again = staff.send("POST", "/api/customers", json={"name": "Cara again", "userId": customer_user})
    assert again.status_code == 400 and "userId" in again.json()["error"]["details"]["fields"]
    mine = new_booking(staff, linked)
    theirs = new_booking(staff, customer_id)
    r = staff.send("POST", f"/api/bookings/{theirs['id']}/assignments",
                   json={"userId": supplier_user, "role": "photographer"})
    assert r.status_code == 201
    told = (f"SELECT count(*) FROM notifications WHERE type = 'supplier_assigned' AND link_id = '{theirs['id']}' "
            f"AND recipient_user_id = '{supplier_user}'")
    assert stack.psql(told) == "1"
    # The same assignment again is that assignment, and the supplier is not told twice.
    again = staff.send("POST", f"/api/bookings/{theirs['id']}/assignments",
                       json={"userId": supplier_user, "role": "photographer"})
    assert again.status_code == 200 and again.json()["data"]["id"] == r.json()["data"]["id"]
    assert stack.psql(told) == "1"
    not_supplier = staff.send("POST", f"/api/bookings/{theirs['id']}/assignments",
                              json={"userId": customer_user, "role": "guide"})
    assert not_supplier.status_code == 400

    customer = Browser(stack, "customer@demo.test")
    listed = [b["id"] for b in customer.get("/api/customer/bookings").json()["data"]["items"]]
    assert mine["id"] in listed and theirs["id"] not in listed
    assert customer.get(f"/api/customer/bookings/{mine['id']}").status_code == 200
    assert customer.get(f"/api/customer/bookings/{theirs['id']}").status_code == 404
    assert customer.get("/api/bookings").status_code == 403  # the staff list is not for customers

    supplier = Browser(stack, "supplier@demo.test")
    assert supplier.get(f"/api/customer/bookings/{theirs['id']}").status_code == 403
    visible = stack.psql(
        "BEGIN; SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true), "
        f"set_config('itinera.user_id', '{supplier_user}', true), set_config('itinera.role', 'supplier', true); "
        "SELECT count(*) FROM bookings; COMMIT;", database_url=stack.database_url)
    assigned = stack.psql(f"SELECT count(DISTINCT booking_id) FROM booking_assignments WHERE user_id = '{supplier_user}'")
    assert visible.splitlines()[-1] == assigned  # only the bookings they are assigned to
    assert int(assigned) < int(stack.psql("SELECT count(*) FROM bookings"))


def test_the_staff_read_follows_every_kind_of_change(stack, staff, customer_id):
    """GET /api/bookings/{id} answers JSON the database keeps ready per booking; it must be what the
    live query (the PATCH answer, built inside the edit's transaction) shows, after any change."""
    renamed = staff.send("POST", "/api/customers", json={"name": "Before Rename"}).json()["data"]["id"]
    booking = new_booking(staff, renamed)
    path = f"/api/bookings/{booking['id']}"
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assignment = staff.send("POST", f"{path}/assignments", json={"userId": supplier_user, "role": "guide"})
    assert assignment.status_code == 201, assignment.text
    assert move(staff, booking["id"], "payment_pending").status_code == 200
    version = staff.get(path).json()["data"]["version"]
    live = staff.send("PATCH", path, json={"notes": "Window seats"}, headers={"If-Match": str(version)})
    assert live.status_code == 200, live.text
    kept = f"SELECT generation = built_generation FROM booking_details WHERE booking_id = '{booking['id']}'"
    assert stack.psql(kept) == "f"  # the change only marked the kept JSON out of date
    read = staff.get(path).json()["data"]
    assert read == live.json()["data"]
    assert stack.psql(kept) == "t"  # the read built it again and kept it
    assert staff.get(path).json()["data"] == read
    assert read["status"] == "payment_pending" and read["notes"] == "Window seats"
    assert [a["role"] for a in read["assignments"]] == ["guide"] and len(read["items"]) == 2
    assert [e["to_status"] for e in read["last_events"]][0] == "payment_pending"

    # Changes to rows around the booking: its customer, an assignment taken away.
    r = staff.send("PATCH", f"/api/customers/{renamed}", json={"name": "After Rename"})
    assert r.status_code == 200, r.text
    assert staff.get(path).json()["data"]["customer"]["name"] == "After Rename"
    r = staff.send("DELETE", f"{path}/assignments/{assignment.json()['data']['id']}")
    assert r.status_code == 200 and r.json()["data"]["deleted"] is True, r.text
    assert staff.get(path).json()["data"]["assignments"] == []
    # A write straight into the database (as the worker or an operator would) is seen too.
    stack.psql(f"UPDATE travelers SET dietary = 'vegetarian' WHERE booking_id = '{booking['id']}'")
    assert [t["dietary"] for t in staff.get(path).json()["data"]["travelers"]] == ["vegetarian"]
    # The kept JSON is the staff view only: the database shows it to no other role.
    customer_user = stack.psql("SELECT id FROM users WHERE email = 'customer@demo.test'")
    seen = stack.psql(
        "BEGIN; SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true), "
        f"set_config('itinera.user_id', '{customer_user}', true), set_config('itinera.role', 'customer', true); "
        "SELECT count(*) FROM booking_details; COMMIT;", database_url=stack.database_url)
    assert seen.splitlines()[-1] == "0"
    # Nor does the builder answer another role or another team.
    stack.psql(f"UPDATE bookings SET notes = 'Aisle seats' WHERE id = '{booking['id']}'")
    for team, role in (("00000000-0000-4000-8000-00000000d001", "customer"),
                       (str(uuid.uuid4()), "staff")):
        built = stack.psql(
            f"BEGIN; SELECT set_config('itinera.team_id', '{team}', true), "
            f"set_config('itinera.role', '{role}', true); "
            f"SELECT coalesce(itinera_refresh_booking_detail('{booking['id']}'), 'none'); COMMIT;",
            database_url=stack.database_url)
        assert built.splitlines()[-1] == "none"
    assert stack.psql(kept) == "f"
    assert staff.get(path).json()["data"]["notes"] == "Aisle seats"


def test_staff_only_routes_refuse_other_roles(stack):
    customer = Browser(stack, "customer@demo.test")
    for method, path in [("POST", "/api/bookings"), ("POST", "/api/core/booking-lifecycle"),
                         ("GET", "/api/customers"), ("GET", "/api/admin/outbox"),
                         ("GET", f"/api/bookings/{uuid.uuid4()}")]:
        r = customer.send(method, path, json={})
        assert r.status_code == 403, (method, path)


# Every route that takes a team's row id (extends the identity issue's table).
BOOKING_ID_ROUTES = [
    ("GET", "/api/bookings/{id}", None),
    ("PATCH", "/api/bookings/{id}", {"notes": "x"}),
    ("GET", "/api/bookings/{id}/events", None),
    ("POST", "/api/bookings/{id}/assignments", {"userId": "{supplier}", "role": "guide"}),
    ("DELETE", "/api/bookings/{id}/assignments/{assignment}", None),
    ("POST", "/api/core/booking-lifecycle", {"bookingId": "{id}", "toStatus": "cancelled"}),
    ("GET", "/api/customers/{customer}", None),
    ("POST", "/api/bookings/{id}/items", {"kind": "other", "description": "x", "quantity": 1, "unitPriceMinor": 1}),
    ("PATCH", "/api/bookings/{id}/items/{item}", {"quantity": 3}),
    ("DELETE", "/api/bookings/{id}/items/{item}", None),
    ("GET", "/api/bookings/{id}/history", None),
]


def test_booking_reads_with_a_token_and_after_revocation(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    token = staff.send("POST", "/api/auth/tokens", json={"name": "reader"}).json()["data"]
    r = requests.get(f"{stack.url}/api/bookings/{booking['id']}", headers=bearer(token["token"]), timeout=10)
    assert r.status_code == 200 and r.json()["data"]["booking_reference"] == booking["booking_reference"]
    assert staff.send("DELETE", f"/api/auth/tokens/{token['id']}").status_code == 200
    r = requests.get(f"{stack.url}/api/bookings/{booking['id']}", headers=bearer(token["token"]), timeout=10)
    assert r.status_code == 401
    assert requests.get(f"{stack.url}/api/bookings/not-an-id", headers=bearer(token["token"]),
                        timeout=10).status_code in (401, 404)


def test_another_team_gets_404_on_every_booking_route(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assignment = staff.send("POST", f"/api/bookings/{booking['id']}/assignments",
                            json={"userId": supplier_user, "role": "driver"}).json()["data"]["id"]
    values = {"{id}": booking["id"], "{assignment}": assignment, "{customer}": customer_id,
              "{supplier}": supplier_user, "{item}": booking["items"][0]["id"]}

    def fill(text):
        for k, v in values.items():
            text = text.replace(k, v)
        return text

    outsider = Browser(stack, "admin@other.test")
    for method, path, body in BOOKING_ID_ROUTES:
        payload = json.loads(fill(json.dumps(body))) if body else None
        headers = {"If-Match": str(booking["version"])} if method == "PATCH" else {}
        r = outsider.send(method, fill(path), json=payload, headers=headers)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    after = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert after["status"] == "booking_created" and after["version"] == booking["version"]
    assert len(after["assignments"]) == 1
    assert [(i["id"], i["quantity"]) for i in after["items"]] == [(i["id"], i["quantity"]) for i in booking["items"]]


def test_the_history_says_what_changed_on_a_booking_and_who_did_it(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    path = f"/api/bookings/{booking['id']}"
    hotel = booking["items"][1]["id"]
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    added = staff.send("POST", f"{path}/items", json={"kind": "activity", "description": "Sugarloaf <tour>",
                                                      "quantity": 2, "unitPriceMinor": 8000})
    tour = added.json()["data"]["items"][-1]["id"]
    assert staff.send("PATCH", f"{path}/items/{hotel}", json={"quantity": 2, "unitPriceMinor": 80000}).status_code \
        == 200
    assert staff.send("PATCH", f"{path}/items/{hotel}", json={"description": "Copacabana, 2 nights"}).status_code \
        == 200
    assert staff.send("DELETE", f"{path}/items/{tour}").status_code == 200
    assignment = staff.send("POST", f"{path}/assignments", json={"userId": supplier_user, "role": "guide"})
    assert staff.send("DELETE", f"{path}/assignments/{assignment.json()['data']['id']}").status_code == 200
    version = staff.get(path).json()["data"]["version"]
    assert staff.send("PATCH", path, json={"notes": "Window seats"},
                      headers={"If-Match": str(version)}).status_code == 200
    assert staff.send("PUT", f"{path}/travelers-and-flights", json={
        "travelers": [{"firstName": "Åsa", "lastName": "Öberg"}], "flights": []}).status_code == 200
    service = staff.send("POST", f"{path}/ground-services", json={"kind": "transfer", "description": "Airport pickup"})
    assert staff.send("PATCH", f"{path}/ground-services/{service.json()['data']['id']}",
                      json={"location": "GRU terminal 3", "kind": "transfer"}).status_code == 200
    # What is sent again unchanged is no change: not in the history, and nobody is told.
    told = stack.psql("SELECT count(*) FROM outbox_events WHERE type = 'booking.items_changed' "
                      f"AND aggregate_id = '{booking['id']}'")
    assert staff.send("PATCH", f"{path}/items/{hotel}", json={"quantity": 2}).status_code == 200
    assert staff.send("PATCH", f"{path}/ground-services/{service.json()['data']['id']}",
                      json={"location": "GRU terminal 3"}).status_code == 200
    version = staff.get(path).json()["data"]["version"]
    assert staff.send("PATCH", path, json={"notes": "Window seats", "tripId": None},
                      headers={"If-Match": str(version)}).status_code == 200
    assert stack.psql("SELECT count(*) FROM outbox_events WHERE type = 'booking.items_changed' "
                      f"AND aggregate_id = '{booking['id']}'") == told

    history = staff.get(f"{path}/history").json()["data"]
    assert [e["summary"] for e in history["items"]][:2] == [
        "Changed ground service Airport pickup: location", "Added ground service Airport pickup"]
    history["items"] = history["items"][2:]
    assert [e["summary"] for e in history["items"]] == [
        "Saved travelers and flights (1 traveler, 0 flights)",
        "Edited the booking: notes",
        "Unassigned Sol Studio (guide)",
        "Assigned Sol Studio as guide",
        "Removed Sugarloaf <tour>",
        "Changed Copacabana, 3 nights (now Copacabana, 2 nights): description",
        "Changed Copacabana, 3 nights: quantity, unit price",
        "Added Sugarloaf <tour>",
    ]
    assert {e["actor_name"] for e in history["items"]} == {"Sam Staff"}
    assert history["nextCursor"] is None

    # Page by page, newest first, without repeats.
    first = staff.get(f"{path}/history?limit=3").json()["data"]
    second = staff.get(f"{path}/history?limit=3&cursor={first['nextCursor']}").json()["data"]
    assert [e["id"] for e in first["items"] + second["items"]] == \
        [e["id"] for e in staff.get(f"{path}/history").json()["data"]["items"]][:6]
    # The timeline's notes are staff's: the customer's view of a booking leaves them out.
    mine = new_booking(staff, "00000000-0000-4000-8000-00000000c001")
    assert staff.send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": mine["id"], "toStatus": "payment_pending", "actorType": "user",
        "note": "Client haggles, hold firm"}).status_code == 200
    seen = Browser(stack, "customer@demo.test").get(f"/api/customer/bookings/{mine['id']}").json()["data"]
    assert seen["last_events"] and all("note" not in e for e in seen["last_events"])
    assert staff.get(f"/api/bookings/{mine['id']}").json()["data"]["last_events"][0]["note"] == \
        "Client haggles, hold firm"
    assert staff.get(f"{path}/history?cursor=nope").status_code == 400
    # Staff's only: the portals' roles get 403 here, and the audit log is not theirs to read in the database.
    assert Browser(stack, "customer@demo.test").get(f"{path}/history").status_code == 403
    as_supplier = stack.psql(
        "BEGIN; SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true), "
        f"set_config('itinera.user_id', '{supplier_user}', true), set_config('itinera.role', 'supplier', true); "
        "SELECT count(*) FROM audit_log; COMMIT;", database_url=stack.database_url)
    assert as_supplier.splitlines()[-1] == "0"


def test_two_customer_logins_with_one_idempotency_key_get_their_own_bookings(stack, staff):
    email = f"second-{uuid.uuid4().hex[:8]}@demo.test"
    cli(stack, "user", "add", "--email", email, "--name", "Second Customer", "--team", DEMO_TRAVEL,
        "--role", "customer", "--password-stdin", stdin="second-customer-pass\n")
    user = stack.psql(f"SELECT id FROM users WHERE email = '{email}'")
    assert staff.send("POST", "/api/customers", json={"name": "Second Customer", "userId": user}).status_code == 201
    first, second = Browser(stack, "customer@demo.test"), Browser(stack, email, "second-customer-pass")
    key = {"Idempotency-Key": f"request-{uuid.uuid4()}"}
    body = {"notes": "Two nights in Lisbon"}
    mine = first.send("POST", "/api/customer/bookings", json=body, headers=key)
    theirs = second.send("POST", "/api/customer/bookings", json=body, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]
    assert theirs.json()["data"]["customer"]["name"] == "Second Customer"
    replay = second.send("POST", "/api/customer/bookings", json=body, headers=key)
    assert replay.json()["data"] == theirs.json()["data"]


def test_items_change_while_the_booking_is_priced_and_supplier_answers_until_it_closes(stack, staff, customer_id):
    booking = new_booking(staff, customer_id)
    path = f"/api/bookings/{booking['id']}/items"
    key = {"Idempotency-Key": f"item-{uuid.uuid4()}"}
    body = {"kind": "activity", "description": "Sugarloaf at sunset\n", "startsAt": "2027-02-27T18:00:00Z",
            "quantity": 2, "unitPriceMinor": 8000}
    added = staff.send("POST", path, json=body, headers=key)
    assert added.status_code == 201, added.text
    replay = staff.send("POST", path, json=body, headers=key)
    assert replay.status_code == 201 and replay.json()["data"] == added.json()["data"]
    detail = added.json()["data"]
    assert detail["items"][-1]["description"] == "Sugarloaf at sunset"
    assert detail["total_minor"] == booking["total_minor"] + 16000 and len(detail["items"]) == 3
    assert detail["departure_at"].startswith("2027-02-27T18:00:00") and detail["version"] == booking["version"] + 1
    item = detail["items"][-1]["id"]

    stale = staff.send("PATCH", f"{path}/{item}", json={"quantity": 3}, headers={"If-Match": str(booking["version"])})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "version_conflict"
    more = staff.send("PATCH", f"{path}/{item}", json={"quantity": 3}, headers={"If-Match": str(detail["version"])})
    assert more.status_code == 200 and more.json()["data"]["total_minor"] == booking["total_minor"] + 24000, more.text
    backwards = staff.send("PATCH", f"{path}/{item}", json={"endsAt": "2027-02-27T17:00:00Z"})
    assert backwards.status_code == 400 and set(backwards.json()["error"]["details"]["fields"]) == {"startsAt", "endsAt"}
    bad = staff.send("PATCH", f"{path}/{item}", json={"quantity": 0, "unitPriceMinor": -1, "supplierStatus": "maybe",
                                                     "kind": "hotel"})
    assert set(bad.json()["error"]["details"]["fields"]) == {"quantity", "unitPriceMinor", "supplierStatus", "kind"}
    other = new_booking(staff, customer_id)
    assert staff.send("PATCH", f"/api/bookings/{other['id']}/items/{item}", json={"quantity": 1}).status_code == 404
    assert staff.send("DELETE", f"{path}/{uuid.uuid4()}").status_code == 404
    refused = staff.send("POST", path, json={"kind": "boat", "description": "", "quantity": 1, "unitPriceMinor": 1})
    assert refused.status_code == 400 and set(refused.json()["error"]["details"]["fields"]) == {"kind", "description"}
    removed = staff.send("DELETE", f"{path}/{item}")
    assert removed.status_code == 200 and removed.json()["data"]["total_minor"] == booking["total_minor"]

    # Paid for: what is sold stays, the supplier's answers and new times are recorded.
    assert move(staff, booking["id"], "payment_pending").status_code == 200
    assert advance(staff, booking["id"], "payment_confirmed").status_code == 201
    before = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    flight = before["items"][0]["id"]
    assert staff.send("POST", path, json={"kind": "other", "description": "x", "quantity": 1,
                                          "unitPriceMinor": 1}).json()["error"]["code"] == "booking_priced"
    priced = staff.send("PATCH", f"{path}/{flight}", json={"unitPriceMinor": 1, "supplierStatus": "confirmed"})
    assert priced.status_code == 409 and priced.json()["error"]["code"] == "booking_priced"
    assert staff.send("DELETE", f"{path}/{flight}").status_code == 409
    # A departure set by hand stays through a supplier's answer; a new start moves it.
    assert staff.send("PATCH", f"/api/bookings/{booking['id']}", json={"departureAt": "2027-02-28T08:00:00Z"},
                      headers={"If-Match": str(before["version"])}).status_code == 200
    referenced = staff.send("PATCH", f"{path}/{flight}", json={"supplierReference": "PNR X7K2Q9"})
    assert referenced.json()["data"]["departure_at"].startswith("2027-02-28T08:00:00"), referenced.text
    answered = staff.send("PATCH", f"{path}/{flight}", json={"supplierStatus": "confirmed",
                                                            "startsAt": "2027-03-01T10:30:00Z"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"]["departure_at"].startswith("2027-03-01T10:30:00")
    confirmed = answered.json()["data"]["items"][0]
    assert (confirmed["supplier_status"], confirmed["supplier_reference"]) == ("confirmed", "PNR X7K2Q9")
    assert answered.json()["data"]["total_minor"] == before["total_minor"]

    assert move(staff, booking["id"], "cancelled").status_code == 200
    closed = staff.send("PATCH", f"{path}/{flight}", json={"supplierStatus": "cancelled"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "booking_closed"
    final = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert final["items"][0]["supplier_status"] == "confirmed"
    assert stack.psql(f"SELECT string_agg(action, ',' ORDER BY id) FROM audit_log "
                      f"WHERE target_table = 'booking_items' AND target_id IN "
                      f"(SELECT id::text FROM booking_items WHERE booking_id = '{booking['id']}') ") == \
        "booking_item.update,booking_item.update"
