"""The client and supplier portals in a real browser (headless Chromium): a customer's bookings,
editing travelers and their own flights, requesting a booking; a supplier's assignments and uploads."""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from chromium import sign_in, wait
from identity import DEMO_TRAVEL, Browser, cli, every_notification

DEMO01 = "00000000-0000-4000-8000-00000000b001"  # customer@demo.test's, not assigned to the supplier
DEMO02 = "00000000-0000-4000-8000-00000000b002"  # customer@demo.test's, supplier@demo.test is assigned
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SCREENSHOTS = Path(os.environ.get("ITINERA_SCREENSHOTS", tempfile.gettempdir()))


@pytest.fixture
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {who: Browser(stack, f"{who}@demo.test") for who in ("customer", "staff", "supplier")}



def client_updates(staff):
    """How many booking_updated_by_client notifications staff@demo.test has for ITN-DEMO01."""
    items = every_notification(staff)
    return len([n for n in items if n["type"] == "booking_updated_by_client"
                and n["metadata"].get("booking_id") == DEMO01])


def customer_booking(people, booking=DEMO01):
    r = people["customer"].get(f"/api/customer/bookings/{booking}")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def field(row, name):
    return row.find_element(By.CSS_SELECTOR, f'input[data-field="{name}"]')


def set_value(driver, element, value):
    """Date and datetime-local inputs: set the value as the picker would (typing depends on the locale)."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", element, value)


def open_demo01(stack, driver):
    sign_in(stack, driver, "customer@demo.test", "/my-bookings.html")
    link = wait(driver, EC.element_to_be_clickable((By.LINK_TEXT, "ITN-DEMO01")))
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".site-nav a")]
    assert nav == ["My bookings"]
    link.click()
    wait(driver, EC.url_to_be(f"{stack.url}/my-booking.html?id={DEMO01}"))
    wait(driver, EC.text_to_be_present_in_element((By.ID, "booking-ref"), "ITN-DEMO01"))


def test_customer_adds_a_traveler_and_a_flight(stack, driver, people):
    before = customer_booking(people)
    staff_before = client_updates(people["staff"])
    open_demo01(stack, driver)
    rows = driver.find_elements(By.CSS_SELECTOR, ".traveler-row")
    assert len(rows) == len(before["travelers"])

    driver.find_element(By.ID, "add-traveler").click()
    row = driver.find_elements(By.CSS_SELECTOR, ".traveler-row")[-1]
    field(row, "firstName").send_keys("Åsa")
    field(row, "lastName").send_keys("Portal")
    field(row, "email").send_keys("asa@example.com")
    field(row, "passportNumber").send_keys("pa1234567")
    field(row, "nationality").send_keys("se")
    set_value(driver, field(row, "dateOfBirth"), "1991-02-03")

    driver.find_element(By.ID, "add-flight").click()
    flight = driver.find_elements(By.CSS_SELECTOR, ".flight-row")[-1]
    field(flight, "flightNumber").send_keys("LX92")
    field(flight, "departureAirport").send_keys("ZRH")
    field(flight, "arrivalAirport").send_keys("GRU")
    set_value(driver, field(flight, "departsAt"), "2027-03-01T09:00")
    set_value(driver, field(flight, "arrivesAt"), "2027-03-01T21:00")
    departs = driver.execute_script("return new Date('2027-03-01T09:00').toISOString().replace('.000Z', 'Z')")

    driver.find_element(By.ID, "save").click()
    done = wait(driver, EC.visibility_of_element_located((By.ID, "save-done")))
    assert done.text.startswith("Saved.")
    assert not driver.find_element(By.ID, "save-error").is_displayed()
    driver.save_screenshot(str(SCREENSHOTS / "itinera-my-booking.png"))

    after = customer_booking(people)
    assert len(after["travelers"]) == len(before["travelers"]) + 1
    added = [t for t in after["travelers"] if t["first_name"] == "Åsa"]
    assert len(added) == 1
    assert added[0]["passport_number"] == "PA1234567" and added[0]["nationality"] == "SE"
    assert added[0]["date_of_birth"].startswith("1991-02-03")
    flights = [f for f in after["client_flights"] if f["flight_number"] == "LX92"]
    assert len(flights) == len([f for f in before["client_flights"] if f["flight_number"] == "LX92"]) + 1
    assert flights[-1]["departure_airport"] == "ZRH" and flights[-1]["arrival_airport"] == "GRU"
    assert flights[-1]["departs_at"].replace(".000", "").startswith(departs[:16])
    assert client_updates(people["staff"]) == staff_before + 1

    # The page shows what was stored after a reload.
    driver.refresh()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "booking-ref"), "ITN-DEMO01"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".traveler-row")) == len(after["travelers"])
    assert len(driver.find_elements(By.CSS_SELECTOR, ".flight-row")) == len(after["client_flights"])


def test_an_invalid_passport_is_shown_next_to_its_input_and_nothing_is_saved(stack, driver, people):
    before = customer_booking(people)
    staff_before = client_updates(people["staff"])
    open_demo01(stack, driver)
    driver.find_element(By.ID, "add-traveler").click()
    row = driver.find_elements(By.CSS_SELECTOR, ".traveler-row")[-1]
    field(row, "firstName").send_keys("Bad")
    field(row, "lastName").send_keys("Passport")
    passport = field(row, "passportNumber")
    passport.send_keys("12")
    driver.find_element(By.ID, "save").click()
    error = wait(driver, EC.visibility_of_element_located((By.ID, passport.get_attribute("id") + "-error")))
    assert "6 to 9 letters and digits" in error.text
    # The message sits in the passport input's own field, and the input is marked and focused.
    assert error.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, "input").get_attribute("id") \
        == passport.get_attribute("id")
    assert passport.get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element == passport
    assert driver.find_element(By.ID, "save-error").is_displayed()
    assert not driver.find_element(By.ID, "save-done").is_displayed()
    assert len(driver.find_elements(By.CSS_SELECTOR, ".field-error:not([hidden])")) == 1
    after = customer_booking(people)
    assert after["travelers"] == before["travelers"] and after["client_flights"] == before["client_flights"]
    assert client_updates(people["staff"]) == staff_before


def test_a_booking_request_creates_a_booking(stack, driver, people):
    listed = {b["id"] for b in people["customer"].get("/api/customer/bookings").json()["data"]["items"]}
    sign_in(stack, driver, "customer@demo.test", "/my-bookings.html")
    notes = wait(driver, EC.visibility_of_element_located((By.ID, "request-notes")))
    wish = f"Two weeks in Patagonia for two, March {uuid.uuid4().hex[:6]}"
    notes.send_keys(wish)
    driver.find_element(By.ID, "request-submit").click()
    wait(driver, EC.url_contains("/my-booking.html?id="))
    new_id = driver.current_url.split("id=", 1)[1]
    assert new_id not in listed
    wait(driver, EC.visibility_of_element_located((By.ID, "booking-ref")))
    assert wish in driver.find_element(By.ID, "booking-notes").text
    driver.get(stack.url + "/my-bookings.html")
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, f'#bookings-body tr[data-id="{new_id}"]')))
    now = {b["id"] for b in people["customer"].get("/api/customer/bookings").json()["data"]["items"]}
    assert now == listed | {new_id}


def test_supplier_lists_assignments_and_uploads_work(stack, driver, people, tmp_path):
    sign_in(stack, driver, "supplier@demo.test", "/assignments.html")
    wait(driver, EC.visibility_of_element_located((By.ID, "assignments-table")))
    refs = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#assignments-body .reference a")]
    # Exactly the bookings the supplier is assigned to (other tests may have assigned more).
    expected = stack.psql(
        "SELECT DISTINCT b.booking_reference FROM bookings b JOIN booking_assignments a ON a.booking_id = b.id "
        "JOIN users u ON u.id = a.user_id WHERE u.email = 'supplier@demo.test'").splitlines()
    assert sorted(refs) == sorted(expected) and "ITN-DEMO02" in refs
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".site-nav a")] == ["My assignments"]
    driver.find_element(By.LINK_TEXT, "ITN-DEMO02").click()
    wait(driver, EC.url_to_be(f"{stack.url}/assignment.html?id={DEMO02}"))
    wait(driver, EC.text_to_be_present_in_element((By.ID, "booking-ref"), "ITN-DEMO02"))

    def delivered():
        return [d for d in customer_booking(people, DEMO02)["documents"] if d["kind"] == "delivered_work"]

    before = delivered()
    png = tmp_path / "beach.png"
    png.write_bytes(PNG)
    driver.find_element(By.ID, "work-file").send_keys(str(png))
    driver.find_element(By.ID, "upload-submit").click()
    done = wait(driver, EC.visibility_of_element_located((By.ID, "upload-done")))
    assert done.text.startswith("Uploaded photos (72 B)")
    assert not driver.find_element(By.ID, "upload-error").is_displayed()
    after = delivered()
    assert len(after) == len(before) + 1
    new = [d for d in after if d["id"] not in {b["id"] for b in before}][0]
    download = people["customer"].get(f"/api/documents/{new['id']}/download")
    assert download.status_code == 200 and download.content == PNG

    text = tmp_path / "notes.txt"
    text.write_bytes(b"just some text\n")
    driver.find_element(By.ID, "work-file").send_keys(str(text))
    driver.find_element(By.ID, "upload-submit").click()
    error = wait(driver, EC.visibility_of_element_located((By.ID, "upload-error")))
    assert error.text == "Upload a JPEG, PNG, PDF or ZIP file."
    assert not driver.find_element(By.ID, "upload-done").is_displayed()
    assert len(delivered()) == len(after)


def test_customer_sees_delivered_work_with_a_download_link(stack, driver, people):
    documents = [d for d in customer_booking(people, DEMO02)["documents"] if d["kind"] == "delivered_work"]
    if not documents:
        r = people["supplier"].send("POST", f"/api/supplier/bookings/{DEMO02}/work",
                                    files={"file": ("p.png", PNG, "image/png")}, data={"work": "photos"})
        assert r.status_code == 201, r.text
        documents = [r.json()["data"]]
    sign_in(stack, driver, "customer@demo.test", f"/my-booking.html?id={DEMO02}")
    wait(driver, EC.text_to_be_present_in_element((By.ID, "booking-ref"), "ITN-DEMO02"))
    links = driver.find_elements(By.CSS_SELECTOR, "#documents a.download")
    hrefs = {a.get_attribute("href") for a in links}
    assert f"{stack.url}/api/documents/{documents[0]['id']}/download" in hrefs


def test_the_supplier_page_of_an_unassigned_booking_says_not_found(stack, driver):
    sign_in(stack, driver, "supplier@demo.test", f"/assignment.html?id={DEMO01}")
    error = wait(driver, EC.visibility_of_element_located((By.ID, "booking-error")))
    assert "not found" in error.text.lower()
    assert not driver.find_element(By.ID, "booking").is_displayed()


def test_a_customer_with_many_bookings_pages_through_them(stack, driver, people):
    email = f"frequent-{uuid.uuid4().hex[:8]}@demo.test"
    cli(stack, "user", "add", "--email", email, "--name", "Frequent Flyer", "--team", DEMO_TRAVEL,
        "--role", "customer", "--password-stdin", stdin="frequent-flyer-pass\n")
    user = stack.psql(f"SELECT id FROM users WHERE email = '{email}'")
    customer = people["staff"].send("POST", "/api/customers", json={"name": "Frequent Flyer", "userId": user})
    assert customer.status_code == 201, customer.text
    references = []
    for n in range(27):
        r = people["staff"].send("POST", "/api/bookings", json={
            "customerId": customer.json()["data"]["id"], "currency": "EUR",
            "items": [{"kind": "other", "description": f"Trip {n}", "quantity": 1, "unitPriceMinor": 100}]})
        assert r.status_code == 201, r.text
        references.append(r.json()["data"]["booking_reference"])
    sign_in(stack, driver, email, "/my-bookings.html", password="frequent-flyer-pass")
    wait(driver, EC.visibility_of_element_located((By.ID, "bookings-table")))

    def shown():
        return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#bookings-body .reference a")]

    assert shown() == references[::-1][:25]
    assert driver.find_element(By.ID, "list-status").text == "Your newest 25 bookings."
    driver.find_element(By.ID, "load-more").click()
    wait(driver, lambda d: len(shown()) == 27)
    assert shown() == references[::-1]
    assert not driver.find_element(By.ID, "load-more").is_displayed()
    assert driver.find_element(By.ID, "request-section").is_displayed()


def test_the_client_sees_what_happens_on_the_ground(stack, driver, people):
    staff = people["staff"]
    description = f"Airport pick-up {uuid.uuid4().hex[:6]} <b>"
    r = staff.send("POST", f"/api/bookings/{DEMO01}/ground-services",
                   json={"kind": "transfer", "description": description, "location": "GRU T3",
                         "startsAt": "2027-03-01T22:00:00Z"})
    assert r.status_code == 201, r.text
    open_demo01(stack, driver)
    rows = driver.find_elements(By.CSS_SELECTOR, "#services tbody tr")
    shown = [[td.text for td in row.find_elements(By.TAG_NAME, "td")][1:] for row in rows]
    assert [f"Transfer: {description}", "GRU T3"] in shown
    staff.send("DELETE", f"/api/bookings/{DEMO01}/ground-services/{r.json()['data']['id']}")
