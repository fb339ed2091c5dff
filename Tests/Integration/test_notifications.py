"""Notifications raised server-side by each flow, for exactly the right people, with per-user state."""

import uuid

import pytest
import requests

from conftest import wait_until
from identity import Browser, every_notification, partner_key, signed_headers
from test_bookings import move, new_booking

DEMO_BOOKING = "00000000-0000-4000-8000-00000000b001"  # seeded, customer Cara (customer@demo.test)


@pytest.fixture(scope="module")
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {email.split("@")[0]: Browser(stack, email) for email in
            ("admin@demo.test", "staff@demo.test", "supplier@demo.test", "customer@demo.test")}


def latest(browser, type_=None):
    return [n for n in every_notification(browser) if type_ is None or n["type"] == type_]


def count(browser, type_, booking_id):
    return len([n for n in latest(browser, type_) if n["metadata"].get("booking_id") == booking_id])


def client_save(people, travelers=None, flights=None):
    body = {"travelers": travelers if travelers is not None else [{"firstName": "Cara", "lastName": "Customer"}],
            "flights": flights if flights is not None else []}
    return people["customer"].send("PUT", f"/api/customer/bookings/{DEMO_BOOKING}/travelers-and-flights", json=body)


def test_one_notification_per_client_save_for_each_staff_member_only(stack, people):
    before = {who: count(b, "booking_updated_by_client", DEMO_BOOKING) for who, b in people.items()}
    travelers_only = client_save(people, travelers=[{"firstName": "Cara", "lastName": "Customer",
                                                     "passportNumber": "X1234567", "nationality": "se",
                                                     "dateOfBirth": "1990-05-17", "email": "cara@example.com"}])
    assert travelers_only.status_code == 200, travelers_only.text
    assert travelers_only.json()["data"]["travelers"][0]["nationality"] == "SE"
    flights_only = client_save(people, travelers=travelers_only.json()["data"]["travelers"] and
                               [{"firstName": "Cara", "lastName": "Customer"}],
                               flights=[{"flightNumber": "lx92", "departureAirport": "ZRH", "arrivalAirport": "GRU",
                                         "departsAt": "2027-03-01T09:00:00Z", "arrivesAt": "2027-03-01T21:00:00Z"}])
    assert flights_only.status_code == 200
    assert flights_only.json()["data"]["client_flights"][0]["flight_number"] == "LX92"
    both = client_save(people, travelers=[{"firstName": "Cara", "lastName": "Customer"},
                                          {"firstName": "Åke", "lastName": "Öst"}],
                       flights=[{"flightNumber": "LX93", "departureAirport": "GRU", "arrivalAirport": "ZRH",
                                 "departsAt": "2027-03-09T22:00:00Z"}])
    assert both.status_code == 200
    for who in ("admin", "staff"):
        assert count(people[who], "booking_updated_by_client", DEMO_BOOKING) == before[who] + 3, who
    for who in ("customer", "supplier"):
        assert count(people[who], "booking_updated_by_client", DEMO_BOOKING) == before[who], who
    note = latest(people["staff"], "booking_updated_by_client")[0]
    assert note["title"] == "Booking ITN-DEMO01 updated by client"
    assert note["message"] == "Traveler details or client flights were changed. Review in booking."
    assert note["link_path"] == f"/booking/{DEMO_BOOKING}" and note["link_id"] is None
    assert note["metadata"] == {"booking_id": DEMO_BOOKING}


def test_staff_editing_the_same_data_notifies_nobody(stack, people):
    total = stack.psql("SELECT count(*) FROM notifications")
    r = people["staff"].send("PUT", f"/api/bookings/{DEMO_BOOKING}/travelers-and-flights",
                             json={"travelers": [{"firstName": "Cara", "lastName": "Customer"}], "flights": []})
    assert r.status_code == 200
    assert stack.psql("SELECT count(*) FROM notifications") == total


def test_invalid_client_data_is_refused_whole(stack, people):
    before = stack.psql(f"SELECT count(*) || '/' || (SELECT count(*) FROM client_flights WHERE booking_id = "
                        f"'{DEMO_BOOKING}') FROM travelers WHERE booking_id = '{DEMO_BOOKING}'")
    notes = stack.psql("SELECT count(*) FROM notifications")
    r = client_save(people, travelers=[{"firstName": "", "lastName": "X", "email": "nope", "passportNumber": "12",
                                        "nationality": "Sweden", "dateOfBirth": "2999-01-01"}],
                    flights=[{"flightNumber": "flight 9", "departureAirport": "ZRH", "arrivalAirport": "ZRH",
                              "departsAt": "2027-03-01T09:00:00Z", "arrivesAt": "2027-03-01T08:00:00Z"}])
    assert r.status_code == 400
    fields = r.json()["error"]["details"]["fields"]
    for field in ("travelers[0].firstName", "travelers[0].email", "travelers[0].passportNumber",
                  "travelers[0].nationality", "travelers[0].dateOfBirth", "flights[0].flightNumber",
                  "flights[0].arrivalAirport", "flights[0].arrivesAt"):
        assert field in fields, field
    after = stack.psql(f"SELECT count(*) || '/' || (SELECT count(*) FROM client_flights WHERE booking_id = "
                       f"'{DEMO_BOOKING}') FROM travelers WHERE booking_id = '{DEMO_BOOKING}'")
    assert after == before and stack.psql("SELECT count(*) FROM notifications") == notes


def test_a_closed_booking_is_no_longer_changed_by_the_client(stack, people):
    staff = people["staff"]
    cara = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, cara)["id"]
    assert move(staff, booking, "cancelled").status_code == 200
    notes = stack.psql("SELECT count(*) FROM notifications")
    body = {"travelers": [{"firstName": "Late", "lastName": "Change", "phone": "+41 ٣٣٣"}], "flights": []}
    r = people["customer"].send("PUT", f"/api/customer/bookings/{booking}/travelers-and-flights", json=body)
    assert r.status_code == 400 and "travelers[0].phone" in r.json()["error"]["details"]["fields"]
    body["travelers"][0]["phone"] = "+41 44 123 45 67"
    r = people["customer"].send("PUT", f"/api/customer/bookings/{booking}/travelers-and-flights", json=body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "booking_closed"
    assert stack.psql("SELECT count(*) FROM notifications") == notes
    assert [t["first_name"] for t in staff.get(f"/api/bookings/{booking}").json()["data"]["travelers"]] == ["Åsa"]
    # Staff keep the record right after the fact.
    assert staff.send("PUT", f"/api/bookings/{booking}/travelers-and-flights", json=body).status_code == 200


def test_a_save_that_crossed_another_change_is_412_and_changes_nothing(stack, people):
    """The client's and staff's forms both replace the lists: with the version the form showed, the
    later save is refused instead of silently undoing the earlier one."""
    staff = people["staff"]
    cara = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, cara)
    shown = people["customer"].get(f"/api/customer/bookings/{booking['id']}").json()["data"]["version"]
    staff_body = {"travelers": [{"firstName": "Åsa", "lastName": "Öberg", "passportNumber": "PA1234567"}], "flights": []}
    r = staff.send("PUT", f"/api/bookings/{booking['id']}/travelers-and-flights", json=staff_body,
                   headers={"If-Match": str(shown)})
    assert r.status_code == 200, r.text
    notes = stack.psql("SELECT count(*) FROM notifications")
    client_body = {"travelers": [{"firstName": "Asa", "lastName": "Oberg"}], "flights": []}
    late = people["customer"].send("PUT", f"/api/customer/bookings/{booking['id']}/travelers-and-flights",
                                   json=client_body, headers={"If-Match": str(shown)})
    assert late.status_code == 412 and late.json()["error"]["code"] == "version_conflict"
    assert late.json()["error"]["details"]["currentVersion"] == r.json()["data"]["version"]
    kept = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert [(t["first_name"], t["passport_number"]) for t in kept["travelers"]] == [("Åsa", "PA1234567")]
    assert stack.psql("SELECT count(*) FROM notifications") == notes  # nobody told of a change not made
    again = people["customer"].send("PUT", f"/api/customer/bookings/{booking['id']}/travelers-and-flights",
                                    json=client_body, headers={"If-Match": str(kept["version"])})
    assert again.status_code == 200
    assert [t["first_name"] for t in again.json()["data"]["travelers"]] == ["Asa"]


def test_a_customer_cannot_save_another_customers_booking(stack, people):
    staff = people["staff"]
    other_customer = staff.send("POST", "/api/customers", json={"name": "Somebody Else"}).json()["data"]["id"]
    theirs = new_booking(staff, other_customer)
    r = people["customer"].send("PUT", f"/api/customer/bookings/{theirs['id']}/travelers-and-flights",
                                json={"travelers": [], "flights": []})
    assert r.status_code == 404
    assert len(staff.get(f"/api/bookings/{theirs['id']}").json()["data"]["travelers"]) == 1


def test_read_state_is_per_user_on_team_notifications(stack, people):
    assert client_save(people).status_code == 200
    note = latest(people["staff"], "booking_updated_by_client")[0]
    admin_note = [n for n in latest(people["admin"]) if n["id"] == note["id"]][0]
    assert note["read_at"] is None and admin_note["read_at"] is None
    unread_before = people["admin"].get("/api/notifications/unread-count").json()["data"]["unread"]
    r = people["staff"].send("PATCH", f"/api/notifications/{note['id']}/read")
    assert r.status_code == 200 and r.json()["data"]["notification"]["read_at"] is not None
    assert [n for n in latest(people["admin"]) if n["id"] == note["id"]][0]["read_at"] is None
    assert people["admin"].get("/api/notifications/unread-count").json()["data"]["unread"] == unread_before
    unread_ids = [n["id"] for n in people["staff"].get("/api/notifications?unread=true&limit=100").json()["data"]["items"]]
    assert note["id"] not in unread_ids
    assert people["staff"].send("PATCH", f"/api/notifications/{note['id']}/unread").json()["data"]["notification"][
        "read_at"] is None
    assert people["staff"].send("DELETE", f"/api/notifications/{note['id']}").status_code == 200
    assert note["id"] not in [n["id"] for n in latest(people["staff"])]
    assert note["id"] in [n["id"] for n in latest(people["admin"])]
    # Deleted is gone for that user: it can no longer be marked, only deleted again.
    assert people["staff"].send("PATCH", f"/api/notifications/{note['id']}/read").status_code == 404
    assert people["staff"].send("DELETE", f"/api/notifications/{note['id']}").status_code == 200
    # Nobody else can touch it.
    assert people["customer"].send("PATCH", f"/api/notifications/{note['id']}/read").status_code == 404
    outsider = Browser(stack, "admin@other.test")
    assert outsider.send("DELETE", f"/api/notifications/{note['id']}").status_code == 404


def test_read_all_and_paging(people):
    staff = people["staff"]
    first = staff.get("/api/notifications?limit=2").json()["data"]
    assert len(first["items"]) == 2 and first["nextCursor"]
    second = staff.get(f"/api/notifications?limit=2&before={first['nextCursor']}").json()["data"]
    assert not {n["id"] for n in first["items"]} & {n["id"] for n in second["items"]}
    unread = staff.get("/api/notifications/unread-count").json()["data"]["unread"]
    r = staff.send("POST", "/api/notifications/read-all")
    assert r.status_code == 200 and r.json()["data"] == {"marked": unread, "unread": 0}
    assert staff.send("POST", "/api/notifications/read-all").json()["data"] == {"marked": 0, "unread": 0}
    assert staff.get("/api/notifications/unread-count").json()["data"]["unread"] == 0
    assert staff.get("/api/notifications?limit=0").status_code == 400


def test_status_changes_tell_the_team_and_the_customer_but_not_the_actor(stack, people):
    staff = people["staff"]
    cara = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, cara)
    assert move(staff, booking["id"], "payment_pending").status_code == 200
    title = f"Booking {booking['booking_reference']}: Booked → Awaiting payment"

    def titles(who):
        return [n["title"] for n in latest(people[who], "booking_status_changed")
                if n["metadata"]["booking_id"] == booking["id"]]

    # The worker raises them right after the transition commits.
    assert wait_until(lambda: titles("admin") == [title])
    assert wait_until(lambda: titles("customer") == [title])
    assert count(staff, "booking_status_changed", booking["id"]) == 0  # the actor
    assert count(people["supplier"], "booking_status_changed", booking["id"]) == 0


def cara_booking_with_the_supplier(stack, staff, role):
    """A booking of the demo customer login's customer, with the demo supplier login assigned."""
    cara = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    booking = new_booking(staff, cara)
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assert staff.send("POST", f"/api/bookings/{booking['id']}/assignments",
                      json={"userId": supplier_user, "role": role}).status_code == 201
    return booking


def test_supplier_assignment_tells_that_supplier(stack, people):
    booking = cara_booking_with_the_supplier(stack, people["staff"], "photographer")
    mine = [n for n in latest(people["supplier"], "supplier_assigned") if n["link_id"] == booking["id"]]
    assert [n["title"] for n in mine] == [f"You were assigned to booking {booking['booking_reference']}"]
    assert count(people["admin"], "supplier_assigned", booking["id"]) == 0


def test_a_rescheduled_item_tells_the_customer_and_the_assigned_supplier_not_staff(stack, people):
    staff = people["staff"]
    booking = cara_booking_with_the_supplier(stack, staff, "guide")
    items = f"/api/bookings/{booking['id']}/items"
    flight = booking["items"][0]
    # The supplier's own answer tells no one; a new start tells the traveller and the guide.
    assert staff.send("PATCH", f"{items}/{flight['id']}", json={"supplierReference": "PNR Q1"}).status_code == 200
    assert staff.send("PATCH", f"{items}/{flight['id']}", json={"startsAt": "2027-03-01T10:30:00Z"}).status_code == 200

    def changes(who):
        return [(n["title"], n["message"]) for n in latest(people[who], "booking_items_changed")
                if n["metadata"]["booking_id"] == booking["id"]]

    told = (f"Booking {booking['booking_reference']}: {flight['description']} changed",
            f"{flight['description']}: starts 2027-03-01 10:30 UTC.")
    assert wait_until(lambda: changes("customer") == [told])
    assert wait_until(lambda: changes("supplier") == [told])
    assert changes("staff") == [] and changes("admin") == []  # the actor, and the team that made it
    assert staff.send("DELETE", f"{items}/{booking['items'][1]['id']}").status_code == 200
    assert wait_until(lambda: len(changes("customer")) == 2)
    assert changes("customer")[0] == (
        f"Booking {booking['booking_reference']}: removed {booking['items'][1]['description']}", "")


def test_a_ground_service_planned_or_moved_tells_the_customer_and_the_assigned_supplier(stack, people):
    staff = people["staff"]
    booking = cara_booking_with_the_supplier(stack, staff, "driver")
    services = f"/api/bookings/{booking['id']}/ground-services"
    made = staff.send("POST", services, json={"kind": "transfer", "description": "Airport pick-up",
                                              "startsAt": "2027-03-01T08:30:00Z"})
    assert made.status_code == 201, made.text

    def changes(who):
        return [(n["title"], n["message"]) for n in latest(people[who], "booking_items_changed")
                if n["metadata"]["booking_id"] == booking["id"]]

    reference = booking["booking_reference"]
    added = (f"Booking {reference}: added Airport pick-up (transfer)",
             "Airport pick-up (transfer): starts 2027-03-01 08:30 UTC.")
    assert wait_until(lambda: changes("customer") == [added])
    assert wait_until(lambda: changes("supplier") == [added])
    moved = staff.send("PATCH", f"{services}/{made.json()['data']['id']}", json={"startsAt": "2027-03-01T09:15:00Z"})
    assert moved.status_code == 200, moved.text
    assert wait_until(lambda: changes("supplier")[:1] == [
        (f"Booking {reference}: Airport pick-up (transfer) changed",
         "Airport pick-up (transfer): starts 2027-03-01 09:15 UTC.")])
    # A new meeting point is news without a time in it.
    service = f"{services}/{made.json()['data']['id']}"
    assert staff.send("PATCH", service, json={"location": "Arrivals, exit B"}).status_code == 200
    assert wait_until(lambda: changes("customer")[:1] == [
        (f"Booking {reference}: Airport pick-up (transfer) changed", "")])
    assert staff.send("DELETE", service).status_code == 200
    assert wait_until(lambda: changes("customer")[:1] == [
        (f"Booking {reference}: removed Airport pick-up (transfer)", "")])
    assert changes("staff") == []  # the one who made the changes

    # Once the booking is cancelled, nothing more is planned on the ground, and nobody is told.
    assert move(staff, booking["id"], "cancelled").status_code == 200
    told = len(changes("customer"))
    late = staff.send("POST", services, json={"kind": "guide", "description": "City walk"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "booking_closed"
    assert staff.get(services).json()["data"]["items"] == []
    assert len(changes("customer")) == told


def test_a_booking_request_from_the_client_portal_tells_staff(stack, people):
    r = people["customer"].send("POST", "/api/customer/bookings", json={"notes": "Rio in March, 2 people"})
    assert r.status_code == 201
    booking = r.json()["data"]
    assert booking["status"] == "booking_created"
    created = [n for n in latest(people["staff"], "booking_created") if n["link_id"] == booking["id"]]
    assert [n["title"] for n in created] == [f"New booking {booking['booking_reference']}"]
    assert not [n for n in latest(people["customer"], "booking_created") if n["link_id"] == booking["id"]]
    assert booking["id"] in [b["id"] for b in people["customer"].get("/api/customer/bookings").json()["data"]["items"]]
    # Staff's timeline names the client who asked.
    [event] = people["staff"].get(f"/api/bookings/{booking['id']}/events").json()["data"]["items"]
    assert (event["actor_type"], event["recorded_by_role"]) == ("customer", "customer")
    assert event["recorded_by_name"] == stack.psql("SELECT name FROM users WHERE email = 'customer@demo.test'")


def test_partner_endpoint_raises_the_same_notification(stack, people):
    key_id, secret = partner_key(stack, actions="booking_updated_by_client")
    url = stack.url + "/api/notifications/booking-updated-by-client"
    total = lambda: stack.psql("SELECT count(*) FROM notifications WHERE type = 'booking_updated_by_client'")
    before = total()
    # A partner's body may carry more than we read.
    body = ('{"bookingId":"%s","source":"calendar-sync"}' % DEMO_BOOKING).encode()
    ok = requests.post(url, data=body, headers=signed_headers(key_id, secret, body), timeout=10)
    assert ok.status_code == 202, ok.text
    assert int(total()) == int(before) + 1
    note = latest(people["staff"], "booking_updated_by_client")[0]
    assert note["title"] == "Booking ITN-DEMO01 updated by client"
    # Another team's booking or an unknown one: 404; a bad signature: 401; a key without the action: 403.
    other_key, other_secret = partner_key(stack, team="Other Agency", actions="booking_updated_by_client")
    assert requests.post(url, data=body, headers=signed_headers(other_key, other_secret, body),
                         timeout=10).status_code == 404
    unknown = ('{"bookingId":"%s"}' % uuid.uuid4()).encode()
    assert requests.post(url, data=unknown, headers=signed_headers(key_id, secret, unknown),
                         timeout=10).status_code == 404
    assert requests.post(url, data=body, headers=signed_headers(key_id, secret + "x", body),
                         timeout=10).status_code == 401
    plain_key, plain_secret = partner_key(stack)
    assert requests.post(url, data=body, headers=signed_headers(plain_key, plain_secret, body),
                         timeout=10).status_code == 403
    assert int(total()) == int(before) + 1
