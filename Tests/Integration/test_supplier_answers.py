"""Suppliers answering for their own items from the supplier portal: status and reference, staff told."""

import subprocess
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from chromium import sign_in, wait
from conftest import wait_until
from identity import Browser

SOL_STUDIO = "00000000-0000-4000-8000-00000000c002"  # seeded: the supplier row of supplier@demo.test
DEMO_CUSTOMER = "00000000-0000-4000-8000-00000000c001"  # seeded: the customer row of customer@demo.test


@pytest.fixture(scope="module")
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {who: Browser(stack, f"{who}@demo.test") for who in ("supplier", "staff")}


@pytest.fixture(scope="module")
def customer_id(people):
    r = people["staff"].send("POST", "/api/customers", json={"name": "Answer Tester"})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


@pytest.fixture(scope="module")
def airline(people):
    r = people["staff"].send("POST", "/api/suppliers", json={"name": "Sky Charter", "kind": "airline"})
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


def assigned_booking(stack, people, customer_id, airline, assign=True):
    """A booking with a shoot by Sol Studio, a flight by another supplier and an item without one."""
    staff = people["staff"]
    r = staff.send("POST", "/api/bookings", json={
        "customerId": customer_id, "currency": "EUR",
        "items": [{"kind": "activity", "description": "Beach shoot", "quantity": 1, "unitPriceMinor": 9000,
                   "supplierId": SOL_STUDIO},
                  {"kind": "flight", "description": "LIS → FNC", "quantity": 2, "unitPriceMinor": 12000,
                   "supplierId": airline},
                  {"kind": "other", "description": "Welcome pack", "quantity": 1, "unitPriceMinor": 500}]})
    assert r.status_code == 201, r.text
    booking = r.json()["data"]
    if assign:
        user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
        assert staff.send("POST", f"/api/bookings/{booking['id']}/assignments",
                          json={"userId": user, "role": "photographer"}).status_code == 201
    return booking


def answers(stack, booking_id):
    return stack.psql("SELECT string_agg(supplier_status || ':' || coalesce(supplier_reference, '-'), ',' "
                      f"ORDER BY position) FROM booking_items WHERE booking_id = '{booking_id}'")


def supplier_notes(people, booking_id):
    items = people["staff"].get("/api/notifications?limit=100").json()["data"]["items"]
    return [n for n in items if n["type"] == "supplier_answered" and n["link_id"] == booking_id]


def test_a_supplier_confirms_its_own_item_and_staff_are_told(stack, people, customer_id, airline):
    booking = assigned_booking(stack, people, customer_id, airline)
    shoot, flight = booking["items"][0]["id"], booking["items"][1]["id"]
    view = people["supplier"].get(f"/api/supplier/bookings/{booking['id']}").json()["data"]
    assert [i["yours"] for i in view["items"]] == [True, False, False]

    path = f"/api/supplier/bookings/{booking['id']}/items/{shoot}"
    r = people["supplier"].send("PATCH", path, json={"supplierStatus": "confirmed", "supplierReference": "SHOOT-7"})
    assert r.status_code == 200, r.text
    answered = r.json()["data"]
    assert (answered["items"][0]["supplier_status"], answered["items"][0]["supplier_reference"]) == \
        ("confirmed", "SHOOT-7")
    assert "total_minor" not in answered and "unit_price_minor" not in answered["items"][0]
    assert answered["version"] == booking["version"] + 1
    assert answers(stack, booking["id"]) == "confirmed:SHOOT-7,pending:-,pending:-"

    assert wait_until(lambda: len(supplier_notes(people, booking["id"])) == 1)
    note = supplier_notes(people, booking["id"])[0]
    assert note["title"] == f"Booking {booking['booking_reference']}: Sol Studio confirmed Beach shoot"
    assert note["message"] == "Their reference: SHOOT-7."
    staff_view = people["staff"].get(f"/api/bookings/{booking['id']}").json()["data"]
    assert staff_view["items"][0]["supplier_status"] == "confirmed"
    audit = stack.psql(f"SELECT count(*) FROM audit_log WHERE action = 'booking_item.supplier_answer' "
                       f"AND target_id = '{shoot}'")
    assert audit == "1"

    # Another supplier's item: refused, and nothing changes.
    other = people["supplier"].send("PATCH", f"/api/supplier/bookings/{booking['id']}/items/{flight}",
                                    json={"supplierStatus": "confirmed"})
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_your_item"
    assert answers(stack, booking["id"]) == "confirmed:SHOOT-7,pending:-,pending:-"

    # Handed to another supplier, the item has no answer from it yet; the same supplier again keeps it.
    item_path = f"/api/bookings/{booking['id']}/items/{shoot}"
    assert people["staff"].send("PATCH", item_path, json={"supplierId": SOL_STUDIO}).status_code == 200
    assert answers(stack, booking["id"]) == "confirmed:SHOOT-7,pending:-,pending:-"
    assert people["staff"].send("PATCH", item_path, json={"supplierId": airline}).status_code == 200
    assert answers(stack, booking["id"]) == "pending:-,pending:-,pending:-"
    assert people["staff"].send("PATCH", item_path, json={"supplierId": SOL_STUDIO, "supplierStatus": "requested",
                                                          "supplierReference": "ASKED-1"}).status_code == 200
    assert answers(stack, booking["id"]) == "requested:ASKED-1,pending:-,pending:-"


def test_the_title_says_when_every_supplier_has_confirmed(stack, people, customer_id, airline):
    booking = assigned_booking(stack, people, customer_id, airline)
    shoot, flight = booking["items"][0]["id"], booking["items"][1]["id"]
    assert people["staff"].send("PATCH", f"/api/bookings/{booking['id']}/items/{flight}",
                                json={"supplierStatus": "confirmed", "supplierReference": "PNR-K2X9QD"}).status_code \
        == 200
    path = f"/api/supplier/bookings/{booking['id']}/items/{shoot}"
    assert people["supplier"].send("PATCH", path, json={"supplierStatus": "declined"}).status_code == 200
    confirmed = people["supplier"].send("PATCH", path, json={"supplierStatus": "confirmed"})
    assert confirmed.status_code == 200
    # The same answer again changes nothing; a new reference alone is news, but no new confirmation.
    again = people["supplier"].send("PATCH", path, json={"supplierStatus": "confirmed"})
    assert again.status_code == 200 and again.json()["data"]["version"] == confirmed.json()["data"]["version"]
    assert people["supplier"].send("PATCH", path, json={"supplierReference": "SHOOT-9"}).status_code == 200
    assert wait_until(lambda: len(supplier_notes(people, booking["id"])) == 3)
    assert people["supplier"].send("PATCH", path, json={"supplierReference": None}).status_code == 200
    history = people["staff"].get(f"/api/bookings/{booking['id']}/history").json()["data"]["items"]
    assert [(e["summary"], e["actor_name"]) for e in history[:4]] == [
        ("Supplier answer for Beach shoot: reference removed", "Sol Supplier"),
        ("Supplier answer for Beach shoot: confirmed (SHOOT-9)", "Sol Supplier"),
        ("Supplier answer for Beach shoot: confirmed", "Sol Supplier"),
        ("Supplier answer for Beach shoot: declined", "Sol Supplier")]
    assert wait_until(lambda: len(supplier_notes(people, booking["id"])) == 4)
    notes = sorted((n["title"], n["message"]) for n in supplier_notes(people, booking["id"]))
    ref = booking["booking_reference"]
    assert notes == [
        (f"Booking {ref}: Sol Studio changed its reference for Beach shoot", "No reference given."),
        (f"Booking {ref}: Sol Studio changed its reference for Beach shoot", "Their reference: SHOOT-9."),
        (f"Booking {ref}: Sol Studio confirmed Beach shoot — every supplier has confirmed", "No reference given."),
        (f"Booking {ref}: Sol Studio declined Beach shoot", "No reference given.")]


def test_bad_answers_change_nothing(stack, people, customer_id, airline):
    booking = assigned_booking(stack, people, customer_id, airline)
    shoot = booking["items"][0]["id"]
    path = f"/api/supplier/bookings/{booking['id']}/items/{shoot}"
    supplier = people["supplier"]
    for body, field in [({"supplierStatus": "pending"}, "supplierStatus"),
                        ({"supplierReference": "x" * 101}, "supplierReference"),
                        ({"unitPriceMinor": 1}, "unitPriceMinor"),
                        ({"quantity": 5}, "quantity")]:
        r = supplier.send("PATCH", path, json=body)
        assert r.status_code == 400 and field in r.json()["error"]["details"]["fields"], (body, r.text)
    stale = supplier.send("PATCH", path, json={"supplierStatus": "confirmed"}, headers={"If-Match": "999"})
    assert stale.status_code == 412
    unknown_item = supplier.send("PATCH", f"/api/supplier/bookings/{booking['id']}/items/{uuid.uuid4()}",
                                 json={"supplierStatus": "confirmed"})
    assert unknown_item.status_code == 404
    # A booking the supplier is not assigned to, and staff or customers on this route.
    unassigned = assigned_booking(stack, people, customer_id, airline, assign=False)
    r = supplier.send("PATCH", f"/api/supplier/bookings/{unassigned['id']}/items/{unassigned['items'][0]['id']}",
                      json={"supplierStatus": "confirmed"})
    assert r.status_code == 404
    assert people["staff"].send("PATCH", path, json={"supplierStatus": "confirmed"}).status_code == 403
    assert answers(stack, booking["id"]) == "pending:-,pending:-,pending:-"
    assert answers(stack, unassigned["id"]) == "pending:-,pending:-,pending:-"
    assert stack.psql(f"SELECT version FROM bookings WHERE id = '{booking['id']}'") == str(booking["version"])

    # Closed: the answers stay as they were.
    assert people["staff"].send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": booking["id"], "toStatus": "cancelled", "actorType": "user"}).status_code == 200
    closed = supplier.send("PATCH", path, json={"supplierStatus": "cancelled"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "booking_closed"


def test_the_database_holds_suppliers_to_their_answers(stack, people, customer_id, airline):
    booking = assigned_booking(stack, people, customer_id, airline)
    user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")

    def as_supplier(sql):
        script = ("BEGIN; SELECT set_config('itinera.team_id', '00000000-0000-4000-8000-00000000d001', true), "
                  f"set_config('itinera.user_id', '{user}', true), set_config('itinera.role', 'supplier', true); "
                  f"{sql}; COMMIT;")
        return stack.psql(script, database_url=stack.database_url)

    ids = [i["id"] for i in booking["items"]]
    as_supplier(f"UPDATE booking_items SET supplier_status = 'confirmed' WHERE booking_id = '{booking['id']}'")
    assert answers(stack, booking["id"]) == "confirmed:-,pending:-,pending:-"  # only its own item
    with pytest.raises(subprocess.CalledProcessError) as price:
        as_supplier(f"UPDATE booking_items SET unit_price_minor = 1 WHERE id = '{ids[0]}'")
    assert "only the supplier status and reference" in price.value.stderr
    with pytest.raises(subprocess.CalledProcessError) as insert:
        as_supplier(f"INSERT INTO booking_items (team_id, booking_id, position, kind, description, quantity, "
                    f"unit_price_minor) VALUES ('00000000-0000-4000-8000-00000000d001', '{booking['id']}', 9, "
                    "'other', 'Free upgrade', 1, 0)")
    assert "row-level security" in insert.value.stderr
    as_supplier(f"DELETE FROM booking_items WHERE booking_id = '{booking['id']}'")
    assert stack.psql(f"SELECT count(*) || '|' || sum(unit_price_minor) FROM booking_items "
                      f"WHERE booking_id = '{booking['id']}'") == "3|21500"


def test_the_supplier_portal_answers_for_the_suppliers_own_items(stack, driver, people, customer_id, airline):
    booking = assigned_booking(stack, people, customer_id, airline)
    # Markup in a description stays text.
    shoot = booking["items"][0]["id"]
    assert people["staff"].send("PATCH", f"/api/bookings/{booking['id']}/items/{shoot}",
                                json={"description": "<b>Beach</b> shoot"}).status_code == 200
    sign_in(stack, driver, "supplier@demo.test", f"/assignment.html?id={booking['id']}")
    wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')))
    # Only its own item has answer controls; the others show their status.
    assert len(driver.find_elements(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')) == 1
    assert "<b>Beach</b> shoot" in driver.find_element(By.ID, "items").text
    save = driver.find_element(By.CSS_SELECTOR, f'#items button[data-item="{shoot}"]')
    save.click()
    error = wait(driver, EC.visibility_of_element_located((By.ID, "items-error")))
    assert error.text == "Choose confirmed, declined or cancelled."

    Select(driver.find_element(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')).select_by_value("confirmed")
    driver.find_element(By.CSS_SELECTOR, '#items [data-field="supplierReference"]').send_keys("SHOOT-12")
    driver.find_element(By.CSS_SELECTOR, f'#items button[data-item="{shoot}"]').click()
    done = wait(driver, EC.visibility_of_element_located((By.ID, "items-notice")))
    assert done.text == "Saved your answer for <b>Beach</b> shoot. The agency has been told."
    assert answers(stack, booking["id"]) == "confirmed:SHOOT-12,pending:-,pending:-"
    assert Select(driver.find_element(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')) \
        .first_selected_option.get_attribute("value") == "confirmed"

    # Staff changed the booking meanwhile: the page says so and shows it as it is now.
    assert people["staff"].send("PATCH", f"/api/bookings/{booking['id']}/items/{shoot}",
                                json={"description": "Beach shoot at dawn"}).status_code == 200
    Select(driver.find_element(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')).select_by_value("declined")
    driver.find_element(By.CSS_SELECTOR, f'#items button[data-item="{shoot}"]').click()
    stale = wait(driver, EC.visibility_of_element_located((By.ID, "items-error")))
    assert stale.text.startswith("The booking changed meanwhile")
    wait(driver, EC.text_to_be_present_in_element((By.ID, "items"), "Beach shoot at dawn"))
    assert answers(stack, booking["id"]) == "confirmed:SHOOT-12,pending:-,pending:-"


def test_the_customer_sees_what_the_suppliers_confirmed(stack, driver, people, airline):
    booking = assigned_booking(stack, people, DEMO_CUSTOMER, airline)
    shoot, flight = booking["items"][0]["id"], booking["items"][1]["id"]
    assert people["supplier"].send("PATCH", f"/api/supplier/bookings/{booking['id']}/items/{shoot}",
                                   json={"supplierStatus": "confirmed", "supplierReference": "SHOOT-3"}).status_code \
        == 200
    assert people["staff"].send("PATCH", f"/api/bookings/{booking['id']}/items/{flight}",
                                json={"supplierStatus": "declined"}).status_code == 200
    sign_in(stack, driver, "customer@demo.test", f"/my-booking.html?id={booking['id']}")
    wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, "#items table")))
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "#items tbody tr")]
    assert [(r[1], r[-1]) for r in rows] == [("Beach shoot", "Confirmed · SHOOT-3"),
                                             ("LIS → FNC", "Awaiting confirmation"),
                                             ("Welcome pack", "Included")]

    # Cancelled: the client's travelers and flights stay as they are, and the page says so.
    assert people["staff"].send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": booking["id"], "toStatus": "cancelled", "actorType": "user"}).status_code == 200
    driver.refresh()
    closed = wait(driver, EC.visibility_of_element_located((By.ID, "details-closed")))
    assert closed.text == "This booking is cancelled: its travelers and flights can no longer be changed."
    assert not driver.find_element(By.ID, "save").is_enabled()
    assert not driver.find_element(By.ID, "add-traveler").is_enabled()
