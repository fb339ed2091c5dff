"""Leads, quotations, trips, ground services, catalog search and the dashboard."""

import uuid

import pytest

from identity import Browser

from test_bookings import move, new_booking


@pytest.fixture(scope="module")
def staff(stack):
    stack.psql("DELETE FROM login_attempts")
    return Browser(stack, "staff@demo.test")


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
                                                        "totalMinor": 340000, "validUntil": "2027-01-31"})
    assert quote.status_code == 201 and quote.json()["data"]["status"] == "draft"
    quote_id = quote.json()["data"]["id"]
    assert staff.send("POST", f"/api/quotations/{quote_id}/approve").status_code == 409  # not sent yet
    assert staff.send("POST", f"/api/quotations/{quote_id}/send").json()["data"]["status"] == "sent"
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "quotation_sent"
    assert staff.send("POST", f"/api/quotations/{quote_id}/approve").json()["data"]["status"] == "approved"
    detail = staff.get(f"/api/bookings/{booking['id']}").json()["data"]
    assert detail["status"] == "quotation_approved" and detail["quotation_id"] == quote_id
    assert move(staff, booking["id"], "booking_created").status_code == 200
    leads = staff.get("/api/leads?status=open").json()["data"]["items"]
    assert lead_id in [item["id"] for item in leads]


def test_quotation_and_lead_validation(staff, customer):
    r = staff.send("POST", "/api/quotations", json={"customerId": customer, "currency": "euro", "totalMinor": -5,
                                                    "validUntil": "soon"})
    assert r.status_code == 400
    assert set(r.json()["error"]["details"]["fields"]) == {"currency", "totalMinor", "validUntil"}
    assert staff.send("POST", "/api/leads", json={"customerId": str(uuid.uuid4())}).status_code == 400
    assert staff.get("/api/leads?status=maybe").status_code == 400


def test_trips_and_ground_services(staff, customer):
    trip = staff.send("POST", "/api/trips", json={"name": "Brazil 2027", "customerId": customer,
                                                  "startsOn": "2027-03-01", "endsOn": "2027-03-09"})
    assert trip.status_code == 201
    backwards = staff.send("POST", "/api/trips", json={"name": "x", "startsOn": "2027-03-09", "endsOn": "2027-03-01"})
    assert backwards.status_code == 400
    assert trip.json()["data"]["id"] in [t["id"] for t in staff.get("/api/trips").json()["data"]["items"]]
    booking = new_booking(staff, customer, tripId=trip.json()["data"]["id"])
    service = staff.send("POST", f"/api/bookings/{booking['id']}/ground-services",
                         json={"kind": "transfer", "description": "GRU → hotel", "location": "GRU T3"})
    assert service.status_code == 201
    listed = staff.get(f"/api/bookings/{booking['id']}/ground-services").json()["data"]["items"]
    assert [s["description"] for s in listed] == ["GRU → hotel"]
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
        assert move(staff, booking["id"], to).status_code == 200
    after = staff.get("/api/admin/dashboard").json()["data"]
    assert after["bookings_by_status"].get("payment_confirmed", 0) == \
        before["bookings_by_status"].get("payment_confirmed", 0) + 1
    assert after["revenue_confirmed_this_month"]["EUR"] == \
        before["revenue_confirmed_this_month"].get("EUR", 0) + booking["total_minor"]
    assert set(after["outbox"]) == {"pending", "failed", "dead"}
    other = Browser(stack, "admin@other.test").get("/api/admin/dashboard").json()["data"]
    assert "EUR" not in other["revenue_confirmed_this_month"]


def test_lifecycle_rules_are_published(staff):
    rules = staff.get("/api/core/booking-lifecycle/rules").json()["data"]
    assert rules["allowed"]["payment_pending"] == ["payment_confirmed", "cancelled", "refunded"]
    assert rules["allowed"]["refunded"] == []
    assert len(rules["statuses"]) == 11


def test_another_team_gets_404_on_sales_routes(stack, staff, customer):
    quote = staff.send("POST", "/api/quotations", json={"customerId": customer, "currency": "EUR",
                                                        "totalMinor": 1}).json()["data"]["id"]
    booking = new_booking(staff, customer)["id"]
    outsider = Browser(stack, "admin@other.test")
    for method, path, body in [("GET", f"/api/quotations/{quote}", None),
                               ("POST", f"/api/quotations/{quote}/send", None),
                               ("POST", f"/api/quotations/{quote}/approve", None),
                               ("GET", f"/api/bookings/{booking}/ground-services", None),
                               ("POST", f"/api/bookings/{booking}/ground-services",
                                {"kind": "transfer", "description": "x"})]:
        r = outsider.send(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
    assert staff.get(f"/api/quotations/{quote}").json()["data"]["status"] == "draft"
