"""Leads, quotations, trips, ground services, catalog search and the dashboard."""

import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from conftest import PROJECT
from identity import Browser, advance

from test_bookings import move, new_booking


@pytest.fixture(scope="module")
def customer(staff):
    return staff.send("POST", "/api/customers", json={"name": "Sales Test Customer"}).json()["data"]["id"]


def test_a_quotation_moves_the_leads_booking_along(staff, customer):
    lead = staff.send("POST", "/api/leads", json={"customerId": customer, "source": "website"})
    assert lead.status_code == 201
    lead_id = lead.json()["data"]["id"]
    booking = new_booking(staff, customer, leadId=lead_id)
    assert booking["status"] == "lead_created"
    quote = staff.send("POST", "/api/quotations", json={"customerId": customer, "leadId": lead_id, "currency": "EUR",
                                                        "totalMinor": 350000, "validUntil": "2099-01-31"})
    assert quote.status_code == 201 and quote.json()["data"]["status"] == "draft"
    quote_id = quote.json()["data"]["id"]
    assert staff.send("POST", f"/api/quotations/{quote_id}/approve").status_code == 409  # not sent yet
    assert staff.send("POST", f"/api/quotations/{quote_id}/send").json()["data"]["status"] == "sent"
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "quotation_sent"
    assert staff.send("POST", f"/api/quotations/{quote_id}/approve").json()["data"]["status"] == "approved"
    detail = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert detail["status"] == "quotation_approved" and detail["quotation_id"] == quote_id
    assert detail["total_minor"] == booking["total_minor"]  # its own items stay its price
    approval = staff.get(f"/api/bookings/{booking['id']}/events").json()["data"]["items"][-1]
    # The offer and the booking's own items disagree: the timeline says so.
    assert approval["note"] == "quotation approved at 3500.00 EUR; the booking's items total 3400.00 EUR"
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["status"] == "open"
    assert move(staff, booking["id"], "booking_created").status_code == 200
    lead = staff.get(f"/api/leads/{lead_id}").json()["data"]
    assert lead["status"] == "converted"
    assert [q["id"] for q in lead["quotations"]] == [quote_id]
    assert [(b["id"], b["status"], b["quotation_id"]) for b in lead["bookings"]] == \
        [(booking["id"], "booking_created", quote_id)]
    converted = staff.get(f"/api/leads?status=converted&customerId={customer}").json()["data"]["items"]
    assert lead_id in [item["id"] for item in converted]
    assert lead_id not in [item["id"] for item in staff.get("/api/leads?status=open").json()["data"]["items"]]


def test_a_rejected_quotation_is_revised_and_a_stale_one_is_refused(stack, staff, customer):
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    booking = new_booking(staff, customer, leadId=lead_id)

    def quotation(**body):
        r = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR", **body})
        assert r.status_code == 201, r.text
        return r.json()["data"]

    first = quotation(totalMinor=500000)
    assert first["customer_id"] == customer  # taken from the lead
    assert staff.send("POST", f"/api/quotations/{first['id']}/send").status_code == 200
    rejected = staff.send("POST", f"/api/quotations/{first['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["data"]["status"] == "rejected"
    assert staff.send("POST", f"/api/quotations/{first['id']}/approve").json()["error"]["code"] == "invalid_transition"
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "quotation_sent"

    revised = quotation(totalMinor=450000, validUntil="2099-01-31")
    edited = staff.send("PATCH", f"/api/quotations/{revised['id']}", json={"totalMinor": 420000, "validUntil": None})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["total_minor"], edited.json()["data"]["valid_until"]) == (420000, None)
    cleared = staff.send("PATCH", f"/api/quotations/{revised['id']}", json={"totalMinor": None})
    assert cleared.json()["error"]["details"]["fields"] == {"totalMinor": "cannot be cleared"}
    assert staff.send("POST", f"/api/quotations/{revised['id']}/send").status_code == 200
    # The booking waiting at quotation_sent now shows the offer the client has in hand.
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["quotation_id"] == revised["id"]
    sent_edit = staff.send("PATCH", f"/api/quotations/{revised['id']}", json={"totalMinor": 1})
    assert sent_edit.status_code == 409 and sent_edit.json()["error"]["code"] == "quotation_not_draft"
    assert staff.send("POST", f"/api/quotations/{revised['id']}/approve").status_code == 200
    detail = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert (detail["status"], detail["quotation_id"]) == ("quotation_approved", revised["id"])

    stale = quotation(totalMinor=1, validUntil="2099-01-31")
    stack.psql(f"UPDATE quotations SET valid_until = current_date - 1 WHERE id = '{stale['id']}'")
    yesterday = stack.psql("SELECT (current_date - 1)::text")
    stale_now = staff.get(f"/api/quotations/{stale['id']}").json()["data"]
    assert (stale_now["status"], stale_now["steps"]) == ("expired", [])
    refused = staff.send("POST", f"/api/quotations/{stale['id']}/send")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "quotation_expired", refused.text
    assert refused.json()["error"]["details"]["validUntil"] == yesterday
    expired = staff.get(f"/api/quotations?status=expired&leadId={lead_id}").json()["data"]["items"]
    assert [q["id"] for q in expired] == [stale["id"]]
    past = staff.send("PATCH", f"/api/quotations/{stale['id']}", json={"validUntil": yesterday})
    assert past.json()["error"]["details"]["fields"] == {"validUntil": "must not be in the past"}
    revived = staff.send("PATCH", f"/api/quotations/{stale['id']}", json={"validUntil": "2099-12-31"})
    assert revived.json()["data"]["status"] == "draft"
    assert staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR", "totalMinor": 1,
                                                       "validUntil": yesterday}).status_code == 400

    listed = staff.get(f"/api/quotations?leadId={lead_id}&limit=2").json()["data"]
    assert [q["id"] for q in listed["items"]] == [stale["id"], revised["id"]]
    rest = staff.get(f"/api/quotations?leadId={lead_id}&limit=2&cursor={listed['nextCursor']}").json()["data"]
    assert [q["id"] for q in rest["items"]] == [first["id"]] and rest["nextCursor"] is None
    rejected_ones = staff.get(f"/api/quotations?status=rejected&customerId={customer}").json()["data"]["items"]
    assert first["id"] in [q["id"] for q in rejected_ones] and revised["id"] not in [q["id"] for q in rejected_ones]
    assert set(staff.get("/api/quotations?status=maybe&leadId=x").json()["error"]["details"]["fields"]) == \
        {"status", "leadId"}


def test_a_lead_takes_one_offer_in_its_bookings_currency(stack, staff, customer):
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    bookings = [new_booking(staff, customer, leadId=lead_id)["id"] for _ in range(2)]

    def quotation(currency="EUR"):
        body = {"leadId": lead_id, "currency": currency, "totalMinor": 1000}
        return staff.send("POST", "/api/quotations", json=body).json()["data"]["id"]

    dollars = quotation("USD")
    mismatch = staff.send("POST", f"/api/quotations/{dollars}/send")
    assert mismatch.status_code == 422 and mismatch.json()["error"]["code"] == "currency_mismatch", mismatch.text
    assert staff.get(f"/api/quotations/{dollars}").json()["data"]["status"] == "draft"
    one, other, draft = quotation(), quotation(), quotation()
    for q in (one, other):
        assert staff.send("POST", f"/api/quotations/{q}/send").status_code == 200
    assert staff.send("POST", f"/api/quotations/{one}/approve").status_code == 200
    statuses = {q["id"]: q["status"] for q in staff.get(f"/api/leads/{lead_id}").json()["data"]["quotations"]}
    assert statuses == {dollars: "rejected", one: "approved", other: "rejected", draft: "rejected"}
    assert staff.send("POST", f"/api/quotations/{other}/approve").json()["error"]["code"] == "invalid_transition"
    for booking in bookings:
        detail = staff.get(f"/api/bookings/{booking}").json()["data"]
        assert (detail["status"], detail["quotation_id"]) == ("quotation_approved", one)
    late = quotation()
    second = staff.send("POST", f"/api/quotations/{late}/send")
    assert second.status_code == 409 and second.json()["error"]["code"] == "quotation_already_approved"
    assert second.json()["error"]["details"]["approvedQuotationId"] == one
    assert staff.get(f"/api/quotations/{late}").json()["data"]["status"] == "draft"

    # A booking that reached quotation_sent by hand, in another currency, stops the offer.
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    euros = new_booking(staff, customer, leadId=lead_id)["id"]
    dollars_booking = new_booking(staff, customer, leadId=lead_id, currency="USD")["id"]
    assert move(staff, dollars_booking, "quotation_sent").status_code == 200
    offer = quotation()
    refused = staff.send("POST", f"/api/quotations/{offer}/send")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "currency_mismatch", refused.text
    assert staff.get(f"/api/quotations/{offer}").json()["data"]["steps"] == ["send"]
    assert [staff.get(f"/api/bookings/{b}").json()["data"]["status"] for b in (euros, dollars_booking)] == \
        ["lead_created", "quotation_sent"]
    # Nor does a lead's booking go to another customer.
    other = staff.send("POST", "/api/customers", json={"name": "Not The Lead's"}).json()["data"]["id"]
    r = staff.send("POST", "/api/bookings", json={"customerId": other, "currency": "EUR", "leadId": lead_id})
    assert r.status_code == 400 and r.json()["error"]["details"]["fields"] == {"customerId": "must be the lead's customer"}


def test_an_approved_quotation_prices_the_booking_opened_without_items(stack, staff, customer):
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]

    def empty_booking():
        r = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "leadId": lead_id})
        assert r.status_code == 201, r.text
        return r.json()["data"]["id"]

    def approve(total):
        q = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR",
                                                        "totalMinor": total}).json()["data"]["id"]
        assert staff.send("POST", f"/api/quotations/{q}/send").status_code == 200
        assert staff.send("POST", f"/api/quotations/{q}/approve").status_code == 200

    booking = empty_booking()
    approve(540000)
    detail = staff.get(f"/api/bookings/{booking}").json()["data"]
    assert detail["total_minor"] == 540000
    assert [(i["kind"], i["description"], i["quantity"], i["unit_price_minor"]) for i in detail["items"]] == \
        [("other", "As quoted", 1, 540000)]
    history = staff.get(f"/api/bookings/{booking}/history").json()["data"]["items"]
    assert [(e["summary"], e["actor_name"]) for e in history] == [("Added As quoted", "Sam Staff")]
    assert move(staff, booking, "booking_created").status_code == 200
    intent = staff.send("POST", "/api/payments/create-intent",
                        json={"bookingId": booking, "provider": "sandbox", "idempotencyKey": str(uuid.uuid4())})
    assert intent.status_code == 200 and intent.json()["data"]["payment"]["amount_minor"] == 540000, intent.text

    # Two bookings waiting on one offer: which one it prices is for staff to say.
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    pair = [empty_booking(), empty_booking()]
    approve(100000)
    for b in pair:
        detail = staff.get(f"/api/bookings/{b}").json()["data"]
        assert (detail["status"], detail["total_minor"], detail["items"]) == ("quotation_approved", 0, [])


def test_a_booking_opened_after_the_offer_went_out_follows_it(stack, staff, customer):
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]

    def open_booking():
        r = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "leadId": lead_id})
        assert r.status_code == 201, r.text
        return r.json()["data"]

    offer = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR",
                                                        "totalMinor": 64000}).json()["data"]["id"]
    assert staff.send("POST", f"/api/quotations/{offer}/send").status_code == 200
    waiting = open_booking()
    assert (waiting["status"], waiting["quotation_id"]) == ("quotation_sent", offer)
    mismatch = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "USD", "leadId": lead_id})
    assert mismatch.status_code == 422 and mismatch.json()["error"]["code"] == "currency_mismatch"
    assert staff.send("POST", f"/api/quotations/{offer}/approve").status_code == 200
    approved = staff.get(f"/api/bookings/{waiting['id']}").json()["data"]
    assert (approved["status"], approved["total_minor"]) == ("quotation_approved", 64000)
    # Opened after the approval, it joins it; the offer is charged once, on the booking that took it.
    late = open_booking()
    assert (late["status"], late["quotation_id"], late["total_minor"]) == ("quotation_approved", offer, 0)
    later_draft = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR",
                                                              "totalMinor": 1}).json()["data"]
    assert later_draft["steps"] == []  # the lead took an offer

    # An approved offer with no booking yet prices the first one opened.
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    offer = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "currency": "EUR",
                                                        "totalMinor": 12500}).json()["data"]["id"]
    for step in ("send", "approve"):
        assert staff.send("POST", f"/api/quotations/{offer}/{step}").status_code == 200
    first = open_booking()
    assert (first["status"], first["total_minor"]) == ("quotation_approved", 12500)
    assert [e["to_status"] for e in staff.get(f"/api/bookings/{first['id']}/events").json()["data"]["items"]] == \
        ["lead_created", "quotation_sent", "quotation_approved"]


def test_a_lead_without_a_customer_takes_the_first_bookings(staff, customer):
    other = staff.send("POST", "/api/customers", json={"name": "Second Client"}).json()["data"]["id"]
    lead_id = staff.send("POST", "/api/leads", json={"source": "phone"}).json()["data"]["id"]
    r = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "leadId": lead_id})
    assert r.status_code == 201, r.text
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["customer_id"] == customer
    theirs = staff.send("POST", "/api/bookings", json={"customerId": other, "currency": "EUR", "leadId": lead_id})
    assert theirs.status_code == 400 and set(theirs.json()["error"]["details"]["fields"]) == {"customerId"}
    quote = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "customerId": other, "currency": "EUR",
                                                        "totalMinor": 1})
    assert quote.status_code == 400
    assert len(staff.get(f"/api/leads/{lead_id}").json()["data"]["bookings"]) == 1


def test_a_quotation_belongs_to_its_leads_customer(staff, customer):
    other = staff.send("POST", "/api/customers", json={"name": "Someone Else"}).json()["data"]["id"]
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
    wrong = staff.send("POST", "/api/quotations", json={"leadId": lead_id, "customerId": other, "currency": "EUR",
                                                        "totalMinor": 1})
    assert wrong.status_code == 400 and set(wrong.json()["error"]["details"]["fields"]) == {"customerId"}
    anonymous = staff.send("POST", "/api/leads", json={"source": "phone"}).json()["data"]["id"]
    missing = staff.send("POST", "/api/quotations", json={"leadId": anonymous, "currency": "EUR", "totalMinor": 1})
    assert missing.status_code == 400 and "customerId" in missing.json()["error"]["details"]["fields"]
    assert staff.get(f"/api/quotations?leadId={lead_id}").json()["data"]["items"] == []


def test_a_lead_is_lost_with_its_cancelled_bookings_reopened_and_edited_by_hand(stack, staff, customer):
    lead_id = staff.send("POST", "/api/leads", json={"customerId": customer, "source": "fair"}).json()["data"]["id"]
    first = new_booking(staff, customer, leadId=lead_id)
    second = new_booking(staff, customer, leadId=lead_id)
    assert move(staff, first["id"], "cancelled").status_code == 200
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["status"] == "open"  # the second is still going
    assert move(staff, second["id"], "cancelled").status_code == 200
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["status"] == "lost"
    again = new_booking(staff, customer, leadId=lead_id)
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["status"] == "open"  # the client came back
    assert move(staff, again["id"], "cancelled").status_code == 200

    r = staff.send("PATCH", f"/api/leads/{lead_id}", json={"status": "open", "notes": "Called back", "source": None})
    assert r.status_code == 200, r.text
    lead = r.json()["data"]
    assert (lead["status"], lead["notes"], lead["source"], lead["customer_id"]) == \
        ("open", "Called back", None, customer)
    assert [b["id"] for b in lead["bookings"]] == [first["id"], second["id"], again["id"]]
    other_team = Browser(stack, "admin@other.test").send(
        "POST", "/api/customers", json={"name": "Not Yours"}).json()["data"]["id"]
    bad = staff.send("PATCH", f"/api/leads/{lead_id}", json={"status": "won", "customerId": other_team, "id": 1})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]["fields"]) == {"status", "id"}
    foreign = staff.send("PATCH", f"/api/leads/{lead_id}", json={"customerId": other_team})
    assert foreign.status_code == 400
    assert foreign.json()["error"]["details"]["fields"] == {"customerId": "must be an existing record of your team"}
    someone_else = staff.send("POST", "/api/customers", json={"name": "Other Client"}).json()["data"]["id"]
    in_use = staff.send("PATCH", f"/api/leads/{lead_id}", json={"customerId": someone_else})
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "lead_in_use", in_use.text
    cleared = staff.send("PATCH", f"/api/leads/{lead_id}", json={"customerId": None})
    assert cleared.status_code == 409 and cleared.json()["error"]["code"] == "lead_in_use", cleared.text
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["customer_id"] == customer
    assert staff.get(f"/api/leads/{uuid.uuid4()}").status_code == 404
    # Only the edit that went through is in the audit log, under the staff member's name.
    assert stack.psql(f"SELECT string_agg(action || ' ' || (actor_user_id IS NOT NULL)::text, ',') FROM audit_log "
                      f"WHERE target_id = '{lead_id}'") == "lead.update true"


def test_a_lead_is_lost_when_its_last_two_bookings_are_cancelled_at_once(stack, staff, customer):
    other_session = Browser(stack, "staff@demo.test")
    for _ in range(5):
        lead_id = staff.send("POST", "/api/leads", json={"customerId": customer}).json()["data"]["id"]
        bookings = [new_booking(staff, customer, leadId=lead_id)["id"] for _ in range(2)]
        answers = []
        threads = [threading.Thread(target=lambda who, b: answers.append(move(who, b, "cancelled").status_code),
                                    args=(who, b)) for who, b in zip((staff, other_session), bookings)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == [200, 200]
        assert staff.get(f"/api/leads/{lead_id}").json()["data"]["status"] == "lost"


def test_trips_and_ground_services(staff, customer):
    trip = staff.send("POST", "/api/trips", json={"name": "Brazil 2027", "customerId": customer,
                                                  "startsOn": "2027-03-01", "endsOn": "2027-03-09"})
    assert trip.status_code == 201
    backwards = staff.send("POST", "/api/trips", json={"name": "x", "startsOn": "2027-03-09", "endsOn": "2027-03-01"})
    assert backwards.status_code == 400
    trip_id = trip.json()["data"]["id"]
    assert trip_id in [t["id"] for t in staff.get(f"/api/trips?customerId={customer}").json()["data"]["items"]]
    booking = new_booking(staff, customer, tripId=trip_id)
    detail = staff.get(f"/api/trips/{trip_id}").json()["data"]
    assert (detail["name"], [b["id"] for b in detail["bookings"]]) == ("Brazil 2027", [booking["id"]])
    renamed = staff.send("PATCH", f"/api/trips/{trip_id}", json={"name": "Brazil & Chile 2027", "endsOn": "2027-03-20"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["data"]["name"], renamed.json()["data"]["ends_on"]) == ("Brazil & Chile 2027", "2027-03-20")
    before_start = staff.send("PATCH", f"/api/trips/{trip_id}", json={"endsOn": "2027-02-01"})
    assert before_start.status_code == 400, before_start.text
    assert "endsOn" in before_start.json()["error"]["details"]["fields"]
    assert staff.get(f"/api/trips/{trip_id}").json()["data"]["ends_on"] == "2027-03-20"
    service = staff.send("POST", f"/api/bookings/{booking['id']}/ground-services",
                         json={"kind": "transfer", "description": "GRU → hotel", "location": "GRU T3"})
    assert service.status_code == 201
    listed = staff.get(f"/api/bookings/{booking['id']}/ground-services").json()["data"]["items"]
    assert [s["description"] for s in listed] == ["GRU → hotel"]
    path = f"/api/bookings/{booking['id']}/ground-services/{service.json()['data']['id']}"
    edited = staff.send("PATCH", path, json={"startsAt": "2027-03-01T18:30:00Z", "location": None, "kind": "guide"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["kind"], edited.json()["data"]["location"]) == ("guide", None)
    bad = staff.send("PATCH", path, json={"kind": "yacht", "description": None, "startsAt": "2027-02-30T10:00:00Z"})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]["fields"]) == {"kind", "description", "startsAt"}
    other_booking = new_booking(staff, customer)["id"]
    wrong_booking = path.replace(booking["id"], other_booking)
    assert staff.send("PATCH", wrong_booking, json={"kind": "other"}).status_code == 404
    assert staff.send("DELETE", wrong_booking).status_code == 404
    listed = staff.get(f"/api/bookings/{booking['id']}/ground-services").json()["data"]["items"]
    assert [(s["kind"], s["starts_at"]) for s in listed] == [("guide", "2027-03-01T18:30:00+00:00")]
    removed = staff.send("DELETE", path)
    assert removed.status_code == 200 and removed.json()["data"]["deleted"] is True
    assert staff.get(f"/api/bookings/{booking['id']}/ground-services").json()["data"]["items"] == []
    assert staff.send("DELETE", path).status_code == 404
    assert staff.send("POST", f"/api/bookings/{booking['id']}/ground-services",
                      json={"kind": "yacht", "description": ""}).status_code == 400


def test_catalog_search(staff):
    # A route and a city of their own: the demo catalog (ZRH → GRU, Rio de Janeiro) must not interfere.
    city = f"Testville {uuid.uuid4().hex[:8]}"

    def product(**body):
        r = staff.send("POST", "/api/products", json=body)
        assert r.status_code == 201, r.text
        return r.json()["data"]["id"]

    cheap = product(kind="flight", name="LX 92", origin="QQA", destination="QQB",
                    startsAt="2027-03-01T09:00:00Z", priceMinor=90000, currency="EUR")
    dear = product(kind="flight", name="LX 92 business", origin="QQA", destination="QQB",
                   startsAt="2027-03-01T09:00:00Z", priceMinor=400000, currency="EUR")
    product(kind="flight", name="other day", origin="QQA", destination="QQB", startsAt="2027-03-02T09:00:00Z",
            priceMinor=1, currency="EUR")
    found = staff.get("/api/products/flights/search?origin=qqa&destination=QQB&date=2027-03-01").json()["data"]
    assert [p["id"] for p in found["items"]] == [cheap, dear]
    first_page = staff.get("/api/products/flights/search?origin=QQA&destination=QQB&date=2027-03-01&limit=1")
    assert first_page.json()["data"]["nextCursor"] == "1"
    hotel = product(kind="hotel", name="Copacabana Palace", city=city, startsAt="2027-01-01T00:00:00Z",
                    endsAt="2027-12-31T00:00:00Z", priceMinor=50000, currency="BRL")
    hotels = staff.get(f"/api/products/hotels/search?city={city.upper()}&checkIn=2027-03-01&checkOut=2027-03-04")
    assert [p["id"] for p in hotels.json()["data"]["items"]] == [hotel]
    activity = product(kind="activity", name="Sugarloaf", city=city, startsAt="2027-03-02T14:00:00Z",
                       priceMinor=8000, currency="BRL")
    activities = staff.get(f"/api/products/activities/search?city={city}&date=2027-03-02")
    assert [p["id"] for p in activities.json()["data"]["items"]] == [activity]
    assert staff.get("/api/products/flights/search?origin=Zurich&destination=QQB").status_code == 400
    assert staff.get("/api/products/hotels/search").status_code == 400


def test_dashboard_counts_what_happened(stack, staff, customer):
    before = staff.get("/api/admin/dashboard").json()["data"]
    booking = new_booking(staff, customer)
    for to in ("payment_pending", "payment_confirmed"):
        assert advance(staff, booking["id"], to).status_code in (200, 201)
    after = staff.get("/api/admin/dashboard").json()["data"]
    assert after["bookings_by_status"].get("payment_confirmed", 0) == \
        before["bookings_by_status"].get("payment_confirmed", 0) + 1
    assert after["revenue_confirmed_this_month"]["EUR"] == \
        before["revenue_confirmed_this_month"].get("EUR", 0) + booking["total_minor"]
    assert set(after["outbox"]) == {"pending", "failed", "dead"}
    # A confirmed booking that is then refunded is no revenue.
    assert move(staff, booking["id"], "refunded").status_code == 200
    refunded = staff.get("/api/admin/dashboard").json()["data"]
    assert refunded["revenue_confirmed_this_month"].get("EUR", 0) == before["revenue_confirmed_this_month"].get("EUR", 0)
    other = Browser(stack, "admin@other.test").get("/api/admin/dashboard").json()["data"]
    assert "EUR" not in other["revenue_confirmed_this_month"]


def test_dashboard_departures_count_the_items_suppliers_have_not_confirmed(stack, staff, customer):
    supplier = staff.send("POST", "/api/suppliers", json={"name": "Harbour Boats", "kind": "operator"})
    supplier_id = supplier.json()["data"]["id"]
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "items": [
        {"kind": "activity", "description": "Boat trip", "startsAt": soon, "quantity": 1, "unitPriceMinor": 100,
         "supplierId": supplier_id},
        {"kind": "activity", "description": "Dinner cruise", "startsAt": soon, "quantity": 1, "unitPriceMinor": 100,
         "supplierId": supplier_id},
        {"kind": "other", "description": "Map", "quantity": 1, "unitPriceMinor": 100}]})
    assert r.status_code == 201, r.text
    booking = r.json()["data"]

    def unconfirmed():
        departures = staff.get("/api/admin/dashboard").json()["data"]["departures_next_14_days"]
        return [d["unconfirmed_items"] for d in departures if d["id"] == booking["id"]]

    assert unconfirmed() == [2]  # the map has no supplier to confirm it
    first = booking["items"][0]["id"]
    assert staff.send("PATCH", f"/api/bookings/{booking['id']}/items/{first}",
                      json={"supplierStatus": "confirmed"}).status_code == 200
    assert unconfirmed() == [1]


def test_lifecycle_rules_are_published(staff):
    rules = staff.get("/api/core/booking-lifecycle/rules").json()["data"]
    assert rules["allowed"]["payment_pending"] == ["payment_confirmed", "cancelled", "refunded"]
    assert rules["allowed"]["refunded"] == []
    assert len(rules["statuses"]) == 11
    assert rules["labels"]["payment_confirmed"] == "Paid" and rules["labels"]["booking_created"] == "Booked"


def test_the_portal_names_the_statuses_as_the_api_does(staff):
    """The portal's pages (the customers' too, which do not load the rules) carry their own copy of
    the status labels; it must say what notification titles say."""
    labels = staff.get("/api/core/booking-lifecycle/rules").json()["data"]["labels"]
    ui = (PROJECT / "www" / "ui.js").read_text()
    block = ui[ui.index("const STATUS_LABELS = {"):]
    block = block[:block.index("};")]
    portal = dict(re.findall(r'^\s+([a-z_]+): "([^"]+)",$', block, re.M))
    assert portal == labels


def test_another_team_gets_404_on_sales_routes(stack, staff, customer):
    quote = staff.send("POST", "/api/quotations", json={"customerId": customer, "currency": "EUR",
                                                        "totalMinor": 1}).json()["data"]["id"]
    booking = new_booking(staff, customer)["id"]
    lead = staff.send("POST", "/api/leads", json={"source": "web"}).json()["data"]["id"]
    trip = staff.send("POST", "/api/trips", json={"name": "Mine"}).json()["data"]["id"]
    service = staff.send("POST", f"/api/bookings/{booking}/ground-services",
                         json={"kind": "transfer", "description": "Mine"}).json()["data"]["id"]
    outsider = Browser(stack, "admin@other.test")
    assert quote not in [q["id"] for q in outsider.get("/api/quotations").json()["data"]["items"]]
    for method, path, body in [("GET", f"/api/quotations/{quote}", None),
                               ("PATCH", f"/api/quotations/{quote}", {"totalMinor": 2}),
                               ("POST", f"/api/quotations/{quote}/send", None),
                               ("POST", f"/api/quotations/{quote}/approve", None),
                               ("POST", f"/api/quotations/{quote}/reject", None),
                               ("GET", f"/api/leads/{lead}", None),
                               ("PATCH", f"/api/leads/{lead}", {"status": "lost"}),
                               ("GET", f"/api/trips/{trip}", None),
                               ("PATCH", f"/api/trips/{trip}", {"name": "Theirs"}),
                               ("GET", f"/api/bookings/{booking}/ground-services", None),
                               ("POST", f"/api/bookings/{booking}/ground-services",
                                {"kind": "transfer", "description": "x"}),
                               ("PATCH", f"/api/bookings/{booking}/ground-services/{service}", {"kind": "other"}),
                               ("DELETE", f"/api/bookings/{booking}/ground-services/{service}", None)]:
        r = outsider.send(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
    assert staff.get(f"/api/quotations/{quote}").json()["data"]["total_minor"] == 1
    assert staff.get(f"/api/quotations/{quote}").json()["data"]["status"] == "draft"
    assert staff.get(f"/api/leads/{lead}").json()["data"]["status"] == "open"
    assert staff.get(f"/api/trips/{trip}").json()["data"]["name"] == "Mine"
    services = staff.get(f"/api/bookings/{booking}/ground-services").json()["data"]["items"]
    assert [(s["id"], s["kind"]) for s in services] == [(service, "transfer")]


def test_customers_are_edited_and_deleted_only_while_unused(stack, staff):
    created = staff.send("POST", "/api/customers", json={"name": "Edit Me", "email": "edit@example.com",
                                                         "phone": "+41 1"}).json()["data"]
    path = f"/api/customers/{created['id']}"
    r = staff.send("PATCH", path, json={"name": "Edited Name", "phone": None, "notes": "VIP"})
    assert r.status_code == 200, r.text
    edited = r.json()["data"]
    assert (edited["name"], edited["email"], edited["phone"], edited["notes"]) == \
        ("Edited Name", "edit@example.com", None, "VIP")
    bad = staff.send("PATCH", path, json={"name": None, "email": "nope", "id": "x", "userId": "not-an-id"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]["fields"]) == {"name", "email", "id", "userId"}
    supplier_login = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assert staff.send("PATCH", path, json={"userId": supplier_login}).status_code == 400
    assert staff.get(path).json()["data"]["name"] == "Edited Name"

    new_booking(staff, created["id"])
    in_use = staff.send("DELETE", path)
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "in_use"
    assert in_use.json()["error"]["message"] == "This customer is named by 1 booking: it cannot be deleted."
    staff.send("POST", "/api/quotations", json={"customerId": created["id"], "currency": "EUR", "totalMinor": 1})
    new_booking(staff, created["id"])
    assert staff.send("DELETE", path).json()["error"]["details"] == {"uses": 3, "named_by": "2 bookings and 1 quotation"}
    unused = staff.send("POST", "/api/customers", json={"name": "Delete Me"}).json()["data"]["id"]
    deleted = staff.send("DELETE", f"/api/customers/{unused}")
    assert deleted.status_code == 200 and deleted.json()["data"] == {"id": unused, "deleted": True}, deleted.text
    assert staff.get(f"/api/customers/{unused}").status_code == 404


def test_suppliers_and_products_are_edited_and_products_archived(stack, staff, customer):
    supplier = staff.send("POST", "/api/suppliers", json={"name": "Rio Guides", "kind": "guide"}).json()["data"]
    r = staff.send("PATCH", f"/api/suppliers/{supplier['id']}", json={"kind": "operator", "email": "ops@rio.test"})
    assert r.status_code == 200 and r.json()["data"]["kind"] == "operator"
    assert staff.send("PATCH", f"/api/suppliers/{supplier['id']}", json={"kind": "wizard"}).status_code == 400
    product = staff.send("POST", "/api/products", json={
        "kind": "activity", "name": "Favela tour", "city": "Rio de Janeiro", "supplierId": supplier["id"],
        "priceMinor": 4000, "currency": "EUR"}).json()["data"]
    r = staff.send("PATCH", f"/api/products/{product['id']}", json={"priceMinor": 4500, "description": "3 hours"})
    assert r.status_code == 200 and r.json()["data"]["price_minor"] == 4500
    for body in ({"priceMinor": -1}, {"origin": "gru"}, {"currency": "USD"}, {"active": "yes"}):
        assert staff.send("PATCH", f"/api/products/{product['id']}", json=body).status_code == 400, body
    too_long = staff.send("POST", "/api/products", json={
        "kind": "activity", "name": "Long", "city": "x" * 101, "description": "y" * 4001, "priceMinor": 1,
        "currency": "EUR"})
    assert too_long.status_code == 400
    assert set(too_long.json()["error"]["details"]["fields"]) == {"city", "description"}
    blocked = staff.send("DELETE", f"/api/suppliers/{supplier['id']}")
    assert blocked.status_code == 409

    archived = staff.send("DELETE", f"/api/products/{product['id']}")
    assert archived.status_code == 200 and archived.json()["data"]["active"] is False
    listed = staff.get("/api/products?kind=activity&limit=500").json()["data"]["items"]
    assert product["id"] not in [p["id"] for p in listed]
    assert staff.get(f"/api/products/{product['id']}").json()["data"]["name"] == "Favela tour"
    assert staff.send("DELETE", f"/api/suppliers/{supplier['id']}").status_code == 200

    outsider = Browser(stack, "admin@other.test")
    for method, path in [("GET", f"/api/products/{product['id']}"), ("PATCH", f"/api/products/{product['id']}"),
                         ("DELETE", f"/api/products/{product['id']}"), ("PATCH", f"/api/customers/{customer}"),
                         ("DELETE", f"/api/customers/{customer}")]:
        r = outsider.send(method, path, json={"name": "stolen"} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path, r.text)
    assert staff.get(f"/api/customers/{customer}").json()["data"]["name"] == "Sales Test Customer"


def walk(client, path, limit=2):
    """Every id of a list, following `nextCursor` page by page."""
    seen, cursor = [], None
    for _ in range(1000):
        separator = "&" if "?" in path else "?"
        r = client.get(f"{path}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, (path, r.text)
        page = r.json()["data"]
        assert len(page["items"]) <= limit
        seen += [str(item["id"]) for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            return seen
    raise AssertionError(f"{path} never ends")


def test_every_list_pages_through_all_its_rows_by_cursor(stack, staff, customer):
    tag = uuid.uuid4().hex[:8]
    made = {
        "/api/leads": [staff.send("POST", "/api/leads", json={"customerId": customer, "source": tag})
                       for _ in range(3)],
        "/api/trips": [staff.send("POST", "/api/trips", json={"name": f"{tag} {n}", **dates})
                       for n, dates in enumerate([{"startsOn": "2027-05-01"}, {}, {"startsOn": "2027-04-01"}])],
        "/api/customers": [staff.send("POST", "/api/customers", json={"name": f"{tag} | {n}"}) for n in range(3)],
        "/api/suppliers": [staff.send("POST", "/api/suppliers", json={"name": f"{tag} {n}", "kind": "guide"})
                           for n in range(3)],
        "/api/products": [staff.send("POST", "/api/products", json={"kind": "activity", "name": f"{tag} {n}",
                                                                     "priceMinor": 100, "currency": "EUR"})
                          for n in range(3)],
    }
    for path, answers in made.items():
        ids = [r.json()["data"]["id"] for r in answers]
        assert all(r.status_code == 201 for r in answers), path
        seen = walk(staff, path)
        assert len(seen) == len(set(seen)), path
        assert set(ids) <= set(seen), path
        assert staff.get(f"{path}?cursor=garbage").status_code == 400, path
        assert staff.get(f"{path}?limit=0").status_code == 400, path
    trips = walk(staff, "/api/trips")
    dated_first, undated = made["/api/trips"][2].json()["data"]["id"], made["/api/trips"][1].json()["data"]["id"]
    assert trips.index(dated_first) < trips.index(made["/api/trips"][0].json()["data"]["id"]) < trips.index(undated)

    admin = Browser(stack, "admin@demo.test")
    events = walk(admin, "/api/admin/outbox", limit=50)
    assert len(events) == len(set(events)) == int(stack.psql(
        "SELECT count(*) FROM outbox_events WHERE team_id = '00000000-0000-4000-8000-00000000d001'"))
    assert events == sorted(events, key=int, reverse=True)

    client = Browser(stack, "customer@demo.test")
    requested = [client.send("POST", "/api/customer/bookings", json={"notes": tag}) for _ in range(3)]
    assert all(r.status_code == 201 for r in requested)
    own = walk(client, "/api/customer/bookings")
    assert len(own) == len(set(own)) and {r.json()["data"]["id"] for r in requested} <= set(own)


def test_impossible_dates_and_bad_addresses_are_400s_naming_the_field(stack, staff, customer):
    before = stack.psql("SELECT (SELECT count(*) FROM trips) || '/' || (SELECT count(*) FROM quotations) || '/' || "
                        "(SELECT count(*) FROM customers)")
    cases = [
        ("POST", "/api/trips", {"name": "x", "startsOn": "2027-02-30"}, "startsOn"),
        ("POST", "/api/trips", {"name": "x", "endsOn": "0000-01-01"}, "endsOn"),
        ("POST", "/api/quotations", {"customerId": customer, "currency": "EUR", "totalMinor": 1,
                                     "validUntil": "2027-02-31"}, "validUntil"),
        ("POST", "/api/customers", {"name": "E", "email": "a@@b.c"}, "email"),
        ("POST", "/api/customers", {"name": "E", "email": "a@b."}, "email"),
        ("POST", "/api/customers", {"name": "E", "email": "a@.c"}, "email"),
        ("POST", "/api/customers", {"name": "E", "email": "a\tb@c.d"}, "email"),
    ]
    for method, path, body, field in cases:
        r = staff.send(method, path, json=body)
        assert r.status_code == 400 and field in r.json()["error"]["details"]["fields"], (body, r.text)
    for query, field in (("flights/search?origin=ZRH&destination=GRU&date=2027-02-30", "date"),
                         ("hotels/search?city=Rio&checkIn=2027-3-1&checkOut=2027-03-05", "checkIn"),
                         ("activities/search?city=Rio&date=2027-04-31", "date")):
        r = staff.get(f"/api/products/{query}")
        assert r.status_code == 400 and set(r.json()["error"]["details"]["fields"]) == {field}, (query, r.text)
    assert stack.psql("SELECT (SELECT count(*) FROM trips) || '/' || (SELECT count(*) FROM quotations) || '/' || "
                      "(SELECT count(*) FROM customers)") == before

    booking = new_booking(staff, customer)
    r = staff.send("PUT", f"/api/bookings/{booking['id']}/travelers-and-flights",
                   json={"travelers": [{"firstName": "A", "lastName": "B", "dateOfBirth": "1990-02-30"}], "flights": []})
    assert r.status_code == 400 and "travelers[0].dateOfBirth" in r.json()["error"]["details"]["fields"]

    product = staff.send("POST", "/api/products", json={
        "kind": "activity", "name": "Sunrise hike", "startsAt": "2027-03-05T05:00:00Z", "priceMinor": 100,
        "currency": "EUR"}).json()["data"]
    r = staff.send("PATCH", f"/api/products/{product['id']}", json={"endsAt": "2027-03-01T10:00:00Z"})
    assert r.status_code == 400 and r.json()["error"]["details"]["fields"]["endsAt"] == "must not be before the start"
    r = staff.send("PATCH", f"/api/products/{product['id']}", json={"startsAt": "2027-02-30T10:00:00Z"})
    assert r.status_code == 400 and "startsAt" in r.json()["error"]["details"]["fields"]
    assert staff.get(f"/api/products/{product['id']}").json()["data"]["starts_at"].startswith("2027-03-05T05:00:00")


def test_text_search_finds_the_teams_own_rows_only(stack, staff):
    tag = uuid.uuid4().hex[:8]
    mine = staff.send("POST", "/api/customers", json={"name": f"Ångström {tag} Travel"}).json()["data"]["id"]
    supplier = staff.send("POST", "/api/suppliers", json={"name": f"Guides {tag}_x", "kind": "guide"}).json()["data"]
    other = Browser(stack, "admin@other.test")
    theirs = other.send("POST", "/api/customers", json={"name": f"Ångström {tag} Rival"}).json()["data"]["id"]
    booking = new_booking(staff, mine)
    assert [c["id"] for c in staff.get(f"/api/customers?q={tag}").json()["data"]["items"]] == [mine]
    assert [c["id"] for c in other.get(f"/api/customers?q={tag}").json()["data"]["items"]] == [theirs]
    assert [s["id"] for s in staff.get(f"/api/suppliers?q={tag}_x").json()["data"]["items"]] == [supplier["id"]]
    # `_` and `%` are literal characters in a search, not wildcards.
    assert staff.get(f"/api/suppliers?q={tag}%25").json()["data"]["items"] == []
    assert [b["id"] for b in staff.get(f"/api/bookings?q=ngstr%C3%B6m {tag}").json()["data"]["items"]] == [booking["id"]]
    assert other.get(f"/api/bookings?q={tag}").json()["data"]["items"] == []
    # Products by name: the team's active ones only.
    kept, gone, rival = (
        browser.send("POST", "/api/products", json={"kind": "activity", "name": f"Sunset {tag} cruise",
                                                    "priceMinor": 5000, "currency": "EUR"}).json()["data"]["id"]
        for browser in (staff, staff, other))
    assert staff.send("DELETE", f"/api/products/{gone}").status_code == 200
    found = staff.get(f"/api/products?q=SUNSET {tag}").json()["data"]["items"]
    assert [p["id"] for p in found] == [kept] and found[0]["price_minor"] == 5000
    assert [p["id"] for p in other.get(f"/api/products?q={tag}").json()["data"]["items"]] == [rival]
    assert staff.get(f"/api/products?q={tag}&kind=hotel").json()["data"]["items"] == []
