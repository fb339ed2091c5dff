"""The staff portal pages in a real browser (headless Chromium): the new-booking form, the booking
page with its status buttons and timeline, the bookings list, the dashboard, and names with markup."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from chromium import console_problems, new_driver, wait
from identity import DEMO_PASSWORD, Browser, advance

MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture
def browser(stack):
    stack.psql("DELETE FROM login_attempts")
    driver = new_driver()
    yield driver
    driver.quit()
    stack.psql("DELETE FROM login_attempts")


@pytest.fixture
def staff(stack):
    """The same staff member over the API, to set up data and check what the pages did."""
    stack.psql("DELETE FROM login_attempts")
    return Browser(stack, "staff@demo.test")



def open_signed_in(driver, stack, path, email="staff@demo.test"):
    """Opens `path`, signs in on the login page it is sent to, and waits to be back on it."""
    driver.get(stack.url + path)
    wait(driver, EC.url_contains("/login.html?next="))
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, EC.url_to_be(stack.url + path))
    wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, ".site-header .who-name")))


def new_customer(staff, name=None):
    name = name or f"Portal Customer {uuid.uuid4().hex[:8]}"
    r = staff.send("POST", "/api/customers", json={"name": name, "email": "portal@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["data"]


def new_booking(staff, customer_id):
    r = staff.send("POST", "/api/bookings", json={
        "customerId": customer_id, "currency": "EUR",
        "items": [{"kind": "hotel", "description": "Lisbon, 2 nights", "quantity": 2, "unitPriceMinor": 8950}],
        "travelers": [{"firstName": "Ana", "lastName": "Silva"}]})
    assert r.status_code == 201, r.text
    return r.json()["data"]


def bookings_of(stack, customer_id):
    return int(stack.psql(f"SELECT count(*) FROM bookings WHERE customer_id = '{customer_id}'"))


def type_into(element, text):
    element.clear()
    element.send_keys(text)


def fill_item(row, kind, description, quantity, price):
    Select(row.find_element(By.CSS_SELECTOR, '[data-field="kind"]')).select_by_value(kind)
    type_into(row.find_element(By.CSS_SELECTOR, '[data-field="description"]'), description)
    type_into(row.find_element(By.CSS_SELECTOR, '[data-field="quantity"]'), quantity)
    type_into(row.find_element(By.CSS_SELECTOR, '[data-field="unitPriceMinor"]'), price)


def open_new_booking_form(driver, stack, customer):
    open_signed_in(driver, stack, "/new-booking.html")
    wait(driver, EC.visibility_of_element_located((By.ID, "booking-form")))
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, f'#customer option[value="{customer["id"]}"]')))
    Select(driver.find_element(By.ID, "customer")).select_by_value(customer["id"])


def badge_text(driver):
    return driver.find_element(By.CSS_SELECTOR, "#booking-status .badge").text


def transition_buttons(driver):
    return [b.get_attribute("data-status") for b in driver.find_elements(By.CSS_SELECTOR, "#transitions button")]


def no_alert(driver):
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_new_booking_form_creates_the_booking_and_shows_it(stack, browser, staff):
    customer = new_customer(staff)
    open_new_booking_form(browser, stack, customer)
    assert browser.find_element(By.ID, "currency").get_attribute("value") == "EUR"

    first = browser.find_element(By.CSS_SELECTOR, "#items .item-row")
    fill_item(first, "flight", "Zürich → São Paulo", "2", "1250.00")
    # datetime-local typing depends on the locale; set the value as the picker would.
    starts = first.find_element(By.CSS_SELECTOR, '[data-field="startsAt"]')
    browser.execute_script("arguments[0].value = '2027-03-01T09:00';"
                           "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", starts)
    assert browser.find_element(By.ID, "total").text == "€2,500.00"

    browser.find_element(By.ID, "add-item").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#items .item-row")
    assert len(rows) == 2
    fill_item(rows[1], "hotel", "Copacabana, 3 nights", "1", "900.5")
    assert rows[1].find_element(By.CSS_SELECTOR, ".line-total").text == "€900.50"
    assert browser.find_element(By.ID, "total").text == "€3,400.50"

    # A third row added and removed again leaves the total alone.
    browser.find_element(By.ID, "add-item").click()
    third = browser.find_elements(By.CSS_SELECTOR, "#items .item-row")[2]
    fill_item(third, "other", "Extra", "3", "10")
    assert browser.find_element(By.ID, "total").text == "€3,430.50"
    third.find_element(By.CSS_SELECTOR, ".remove").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#items .item-row")) == 2
    assert browser.find_element(By.ID, "total").text == "€3,400.50"

    traveler = browser.find_element(By.CSS_SELECTOR, "#travelers .traveler-row")
    type_into(traveler.find_element(By.CSS_SELECTOR, '[data-field="firstName"]'), "Åsa")
    type_into(traveler.find_element(By.CSS_SELECTOR, '[data-field="lastName"]'), "Öberg")
    type_into(traveler.find_element(By.CSS_SELECTOR, '[data-field="email"]'), "asa@example.com")
    expected_start = browser.execute_script("return new Date('2027-03-01T09:00').toISOString()")

    # A double submit makes one booking.
    browser.execute_script("const f = document.getElementById('booking-form'); f.requestSubmit(); f.requestSubmit();")
    wait(browser, EC.url_contains("/booking.html?id="))
    reference = wait(browser, EC.visibility_of_element_located((By.ID, "booking-ref"))).text
    assert reference.startswith("ITN-")
    assert badge_text(browser) == "Booked"
    assert browser.find_element(By.ID, "booking-total").text == "€3,400.50"
    assert browser.find_element(By.CSS_SELECTOR, "#booking-customer .customer-name").text == customer["name"]

    assert bookings_of(stack, customer["id"]) == 1
    booking_id = browser.current_url.split("id=", 1)[1]
    booking = staff.get(f"/api/bookings/{booking_id}").json()["data"]
    assert booking["booking_reference"] == reference
    assert booking["total_minor"] == 340050 and booking["currency"] == "EUR"
    assert [(i["kind"], i["quantity"], i["unit_price_minor"]) for i in booking["items"]] == \
        [("flight", 2, 125000), ("hotel", 1, 90050)]
    assert booking["items"][0]["starts_at"].startswith(expected_start[:19])
    assert booking["items"][1]["starts_at"] is None
    assert [(t["first_name"], t["last_name"], t["email"]) for t in booking["travelers"]] == \
        [("Åsa", "Öberg", "asa@example.com")]


def test_detail_offers_the_allowed_statuses_and_moves_the_booking(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "booking")))
    assert browser.find_element(By.ID, "booking-ref").text == booking["booking_reference"]
    assert badge_text(browser) == "Booked"
    assert transition_buttons(browser) == ["payment_pending", "cancelled"]
    assert [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#transitions button")] == [
        "Awaiting payment", "Cancelled"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline li")) == 1

    browser.find_element(By.CSS_SELECTOR, '#transitions button[data-status="payment_pending"]').click()
    note = wait(browser, EC.visibility_of_element_located((By.ID, "transition-note")))
    note.send_keys("Card link sent")
    browser.find_element(By.ID, "transition-confirm").click()
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#booking-status .badge"), "Awaiting payment"))
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline li")) == 2)
    entries = browser.find_elements(By.CSS_SELECTOR, "#timeline li")
    assert [e.get_attribute("data-to-status") for e in entries] == ["booking_created", "payment_pending"]
    assert "Card link sent" in entries[1].text and "by Sam Staff" in entries[1].text
    # Paid is no button: it follows the money, recorded under Payments.
    assert transition_buttons(browser) == ["cancelled", "refunded"]
    assert browser.find_element(By.ID, "transition-form").is_displayed() is False
    assert browser.find_element(By.ID, "record-payment").is_displayed()

    events = staff.get(f"/api/bookings/{booking['id']}/events").json()["data"]["items"]
    assert [e["to_status"] for e in events] == ["booking_created", "payment_pending"]
    assert events[1]["note"] == "Card link sent" and events[1]["actor_type"] == "user"
    assert (events[1]["recorded_by_name"], events[1]["recorded_by_role"]) == ("Sam Staff", "staff")

    # Someone else cancels it meanwhile: the page's move is refused (409), said so, and it shows the news.
    r = staff.send("POST", "/api/core/booking-lifecycle",
                   json={"bookingId": booking["id"], "toStatus": "cancelled"})
    assert r.status_code == 200
    browser.find_element(By.CSS_SELECTOR, '#transitions button[data-status="cancelled"]').click()
    wait(browser, EC.visibility_of_element_located((By.ID, "transition-confirm"))).click()
    alert = wait(browser, EC.visibility_of_element_located((By.ID, "action-error")))
    assert alert.get_attribute("role") == "alert"
    assert alert.text == "The booking cannot move to Cancelled. It is now Cancelled."
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#booking-status .badge"), "Cancelled"))
    assert transition_buttons(browser) == ["refunded"]
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["status"] == "cancelled"


def test_unknown_booking_says_not_found(stack, browser):
    open_signed_in(browser, stack, f"/booking.html?id={uuid.uuid4()}")
    error = wait(browser, EC.visibility_of_element_located((By.ID, "booking-error")))
    assert error.text == "Booking not found."
    assert not browser.find_element(By.ID, "booking").is_displayed()


def test_invalid_quantity_shows_the_field_error_and_creates_nothing(stack, browser, staff):
    customer = new_customer(staff)
    open_new_booking_form(browser, stack, customer)
    row = browser.find_element(By.CSS_SELECTOR, "#items .item-row")
    fill_item(row, "activity", "Sugarloaf cable car", "0", "45.00")
    assert browser.find_element(By.ID, "total").text == "€0.00"
    # Traveler 1 stays blank (not sent); traveler 2 lacks a last name: the API's travelers[0] is row 2.
    browser.find_element(By.ID, "add-traveler").click()
    second = browser.find_elements(By.CSS_SELECTOR, "#travelers .traveler-row")[1]
    type_into(second.find_element(By.CSS_SELECTOR, '[data-field="firstName"]'), "Ana")
    browser.find_element(By.ID, "submit").click()

    summary = wait(browser, EC.visibility_of_element_located((By.ID, "error-summary")))
    assert "Item 1 quantity must be from 1 to 10000" in summary.text
    assert "Traveler 2 last name is required" in summary.text
    last_name = second.find_element(By.CSS_SELECTOR, '[data-field="lastName"]')
    assert last_name.get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, last_name.get_attribute("aria-describedby")).text == "Required."
    assert summary.find_element(By.CSS_SELECTOR, 'li[data-field="items[0].quantity"]')
    quantity = row.find_element(By.CSS_SELECTOR, '[data-field="quantity"]')
    assert quantity.get_attribute("aria-invalid") == "true"
    field_error = browser.find_element(By.ID, quantity.get_attribute("aria-describedby"))
    assert field_error.is_displayed() and field_error.text == "Must be from 1 to 10000."
    # The other inputs are not marked.
    assert row.find_element(By.CSS_SELECTOR, '[data-field="description"]').get_attribute("aria-invalid") is None
    assert "/new-booking.html" in browser.current_url
    assert bookings_of(stack, customer["id"]) == 0

    # A price the form cannot read is caught before anything is sent.
    type_into(quantity, "1")
    price = row.find_element(By.CSS_SELECTOR, '[data-field="unitPriceMinor"]')
    type_into(price, "45.001")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "error-summary"), "Item 1 unit price: at most 2 decimals"))
    assert quantity.get_attribute("aria-invalid") is None
    assert bookings_of(stack, customer["id"]) == 0

    # Fixed, the same form goes through.
    type_into(price, "45")
    type_into(last_name, "Costa")
    assert browser.find_element(By.ID, "total").text == "€45.00"
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.url_contains("/booking.html?id="))
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#booking-status .badge"), "Booked"))
    assert bookings_of(stack, customer["id"]) == 1
    booking = staff.get(f"/api/bookings/{browser.current_url.split('id=', 1)[1]}").json()["data"]
    assert [(t["first_name"], t["last_name"]) for t in booking["travelers"]] == [("Ana", "Costa")]
    assert booking["total_minor"] == 4500


def test_the_new_booking_summary_names_every_problem_at_once(stack, browser, staff):
    open_signed_in(browser, stack, "/new-booking.html")
    wait(browser, EC.visibility_of_element_located((By.ID, "booking-form")))
    row = browser.find_element(By.CSS_SELECTOR, "#items .item-row")
    row.find_element(By.CSS_SELECTOR, '[data-field="description"]').send_keys("Harbour cruise")
    traveler = browser.find_element(By.CSS_SELECTOR, "#travelers .traveler-row")
    traveler.find_element(By.CSS_SELECTOR, '[data-field="email"]').send_keys("not-an-email")
    before = int(stack.psql("SELECT count(*) FROM bookings"))
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, EC.visibility_of_element_located((By.ID, "error-summary")))
    assert summary.find_element(By.ID, "error-summary-text").text == "Fix these 5 problems and submit again:"
    assert [li.text for li in summary.find_elements(By.CSS_SELECTOR, "#error-list li")] == [
        "Customer is required", "Item 1 unit price: enter an amount", "Traveler 1 first name is required",
        "Traveler 1 last name is required", "Traveler 1 e-mail must be an e-mail address"]
    assert int(stack.psql("SELECT count(*) FROM bookings")) == before


def test_list_shows_the_booking_and_search_narrows_to_it(stack, browser, staff):
    customer = new_customer(staff)
    made = [new_booking(staff, customer["id"]) for _ in range(27)]
    open_signed_in(browser, stack, "/bookings.html")
    wait(browser, EC.visibility_of_element_located((By.ID, "bookings-table")))
    newest = browser.find_element(By.CSS_SELECTOR, f'#bookings-body tr[data-id="{made[-1]["id"]}"]')
    assert newest.find_element(By.CSS_SELECTOR, ".reference a").text == made[-1]["booking_reference"]
    assert newest.find_element(By.CSS_SELECTOR, ".customer").text == customer["name"]
    assert newest.find_element(By.CSS_SELECTOR, ".status .badge").text == "Booked"
    assert "badge-booking_created" in newest.find_element(By.CSS_SELECTOR, ".status .badge").get_attribute("class")
    assert newest.find_element(By.CSS_SELECTOR, ".total").text == "€179.00"

    # The customer's name: 25 rows, then "Load more" brings the last 2 and goes away.
    search = browser.find_element(By.ID, "q")
    search.send_keys(customer["name"])
    # The search starts after a pause in typing; "Load more" is disabled while a page loads.
    wait(browser, EC.url_contains("q=Portal+Customer"))
    more = wait(browser, EC.element_to_be_clickable((By.ID, "load-more")))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#bookings-body tr")) == 25
    more.click()
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#bookings-body tr")) == 27)
    assert not more.is_displayed()
    shown = [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "#bookings-body tr")]
    assert shown == [b["id"] for b in reversed(made)]

    # One reference: one row, and the link opens it.
    one = made[3]
    type_into(search, one["booking_reference"])
    wait(browser, lambda d: [r.get_attribute("data-id") for r in d.find_elements(By.CSS_SELECTOR, "#bookings-body tr")]
         == [one["id"]])
    assert "q=" + one["booking_reference"] in browser.current_url

    # A status with none of them: the empty state.
    Select(browser.find_element(By.ID, "status")).select_by_value("refunded")
    wait(browser, EC.visibility_of_element_located((By.ID, "empty")))
    assert not browser.find_element(By.ID, "bookings-table").is_displayed()
    Select(browser.find_element(By.ID, "status")).select_by_value("booking_created")
    link = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#bookings-body .reference a")))
    link.click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "booking-ref"), one["booking_reference"]))


def test_dashboard_shows_the_api_numbers(stack, browser, staff):
    new_booking(staff, new_customer(staff)["id"])
    data = staff.get("/api/admin/dashboard").json()["data"]
    open_signed_in(browser, stack, "/dashboard.html")
    wait(browser, EC.visibility_of_element_located((By.ID, "dashboard")))
    count = browser.find_element(By.CSS_SELECTOR, '#status-counts tr[data-status="booking_created"] .count')
    assert count.text == f"{data['bookings_by_status']['booking_created']:,}"
    assert browser.find_element(By.ID, "payments-pending").text == f"{data['payments_pending']:,}"
    assert browser.find_element(By.ID, "status-total").text == f"{sum(data['bookings_by_status'].values()):,}"
    for kind in ("pending", "failed", "dead"):
        assert browser.find_element(By.ID, f"outbox-{kind}").text.isdigit()
    link = browser.find_element(By.CSS_SELECTOR, '#status-counts tr[data-status="booking_created"] a')
    assert link.get_attribute("href").endswith("/bookings.html?status=booking_created")
    # The outbox's events are for admins: staff see the counts only.
    assert browser.find_elements(By.CSS_SELECTOR, "#outbox a") == []


def test_an_admin_finds_a_dead_event_from_the_dashboard_and_retries_it(stack, browser):
    event = stack.psql("INSERT INTO outbox_events (team_id, type, payload) VALUES "
                       f"('00000000-0000-4000-8000-00000000d001', 'test.fail', '{{\"note\": \"{MARKUP}\"}}') "
                       "RETURNING id; SELECT pg_notify('itinera_outbox', 'fail')").splitlines()[0]
    dead = lambda: stack.psql(f"SELECT status FROM outbox_events WHERE id = {event}") == "dead"
    wait(browser, lambda d: dead(), seconds=30)
    open_signed_in(browser, stack, "/dashboard.html", email="admin@demo.test")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#outbox-dead a"))).click()
    wait(browser, EC.url_to_be(stack.url + "/outbox.html?status=dead"))
    row = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, f'#events-body tr[data-id="{event}"]')))
    assert Select(browser.find_element(By.ID, "status")).first_selected_option.text == "Dead"
    assert row.find_element(By.CSS_SELECTOR, ".status .badge").text == "Dead"
    assert "3 attempts" in row.find_element(By.CSS_SELECTOR, ".status").text
    assert "always fails" in row.find_element(By.CSS_SELECTOR, ".last-error").text
    assert row.find_element(By.CSS_SELECTOR, ".handlers li").get_attribute("data-status") == "failed"
    row.find_element(By.CSS_SELECTOR, ".payload summary").click()
    assert MARKUP in row.find_element(By.CSS_SELECTOR, ".payload pre").text  # shown as text, not markup
    assert browser.find_elements(By.CSS_SELECTOR, "#events-body img") == []
    assert browser.find_element(By.CSS_SELECTOR, '.site-nav a[aria-current="page"]').text == "Outbox"

    row.find_element(By.CSS_SELECTOR, "button.retry").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "retry-done"), f"Event #{event} (test.fail) is due again"))
    retried = browser.find_element(By.CSS_SELECTOR, f'#events-body tr[data-id="{event}"]')
    assert retried.find_element(By.CSS_SELECTOR, ".status .badge").text == "Pending"
    assert browser.switch_to.active_element.get_attribute("aria-label") == f"Retry event {event} now"
    # The worker takes it again (and this handler fails again, to dead).
    wait(browser, lambda d: stack.psql(f"SELECT attempts FROM outbox_events WHERE id = {event}") != "0", seconds=30)
    wait(browser, lambda d: dead(), seconds=30)
    assert console_problems(browser) == []


def test_the_outbox_page_is_for_admins(stack, browser):
    open_signed_in(browser, stack, "/outbox.html")
    error = wait(browser, EC.visibility_of_element_located((By.ID, "page-error")))
    assert error.text == "The outbox is for the team's admins."
    assert not browser.find_element(By.ID, "events-table").is_displayed()


def test_dashboard_departures_say_what_suppliers_have_not_confirmed(stack, browser, staff):
    customer = new_customer(staff)["id"]
    soon = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    chased = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "items": [
        {"kind": "activity", "description": "Sunrise hike", "startsAt": soon, "quantity": 1, "unitPriceMinor": 100,
         "supplierId": "00000000-0000-4000-8000-00000000c002"}]}).json()["data"]
    settled = staff.send("POST", "/api/bookings", json={"customerId": customer, "currency": "EUR", "items": [
        {"kind": "other", "description": "Tickets", "startsAt": soon, "quantity": 1, "unitPriceMinor": 100}]}).json()["data"]
    open_signed_in(browser, stack, "/dashboard.html")
    wait(browser, EC.visibility_of_element_located((By.ID, "departures-table")))
    cell = lambda booking: browser.find_element(
        By.CSS_SELECTOR, f'#departures-table tr[data-id="{booking["id"]}"] .unconfirmed').text
    assert cell(chased) == "1 item"
    assert cell(settled) == "No suppliers"


def test_a_name_with_markup_is_shown_as_text(stack, browser, staff):
    customer = new_customer(staff, MARKUP)
    booking = new_booking(staff, customer["id"])
    open_signed_in(browser, stack, f"/bookings.html?q={booking['booking_reference']}")
    row = wait(browser, EC.visibility_of_element_located(
        (By.CSS_SELECTOR, f'#bookings-body tr[data-id="{booking["id"]}"]')))
    assert row.find_element(By.CSS_SELECTOR, ".customer").text == MARKUP
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []

    row.find_element(By.CSS_SELECTOR, ".reference a").click()
    name = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#booking-customer .customer-name")))
    assert name.text == MARKUP
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []

    browser.get(stack.url + "/new-booking.html")
    option = wait(browser, EC.presence_of_element_located(
        (By.CSS_SELECTOR, f'#customer option[value="{customer["id"]}"]')))
    assert option.text.startswith(MARKUP)
    assert browser.find_elements(By.CSS_SELECTOR, "img") == []
    assert no_alert(browser)


def test_other_roles_get_no_staff_pages(stack, browser):
    open_signed_in(browser, stack, "/bookings.html", email="customer@demo.test")
    error = wait(browser, EC.visibility_of_element_located((By.ID, "page-error")))
    assert error.text == "This page is for staff and admins of the team."
    # A customer's header links only the client portal.
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".site-header .site-nav a")]
    assert links == ["My bookings"]
    assert not browser.find_element(By.ID, "filters").is_displayed()


def test_the_header_links_the_staff_pages(stack, browser):
    open_signed_in(browser, stack, "/dashboard.html")
    links = browser.find_elements(By.CSS_SELECTOR, ".site-header .site-nav a")
    assert [(a.text, a.get_attribute("href")) for a in links] == [
        ("Bookings", stack.url + "/bookings.html"), ("New booking", stack.url + "/new-booking.html"),
        ("Leads", stack.url + "/leads.html"), ("Trips", stack.url + "/trips.html"),
        ("Customers", stack.url + "/customers.html"),
        ("Suppliers", stack.url + "/suppliers.html"), ("Catalog", stack.url + "/products.html"),
        ("Dashboard", stack.url + "/dashboard.html")]
    assert [a.get_attribute("aria-current") for a in links] == [None] * 7 + ["page"]
    links[0].click()
    wait(browser, EC.url_to_be(stack.url + "/bookings.html"))
    # The new page draws its header once the session is known.
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, '.site-nav a[aria-current="page"]').text == "Bookings")


def test_the_customer_picker_offers_customers_past_the_first_page(stack, browser, staff):
    # More customers than one page of the list holds; the last by name must still be offered.
    last = stack.psql("INSERT INTO customers (team_id, name) SELECT '00000000-0000-4000-8000-00000000d001', "
                      "'zzz picker ' || lpad(g::text, 4, '0') FROM generate_series(1, 600) g RETURNING id"
                      ).splitlines()[-1]
    open_signed_in(browser, stack, "/new-booking.html")
    option = wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, f'#customer option[value="{last}"]')))
    assert option.text == "zzz picker 0600"
    stack.psql("DELETE FROM customers WHERE name LIKE 'zzz picker %'")


def quotation_steps(driver):
    return [(b.get_attribute("data-action"), b.get_attribute("data-quotation"))
            for b in driver.find_elements(By.CSS_SELECTOR, "#quotations button[data-action]")]


def test_a_lead_is_taken_from_enquiry_to_an_approved_offer(stack, browser, staff):
    customer = new_customer(staff)
    open_signed_in(browser, stack, "/leads.html")
    wait(browser, EC.visibility_of_element_located((By.ID, "new-lead")))
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, f'#lead-customer option[value="{customer["id"]}"]')))
    Select(browser.find_element(By.ID, "lead-customer")).select_by_value(customer["id"])
    browser.find_element(By.ID, "lead-source").send_keys(MARKUP)
    browser.find_element(By.ID, "lead-submit").click()
    wait(browser, EC.url_contains("/lead.html?id="))
    lead_id = browser.current_url.split("id=")[1]
    wait(browser, EC.visibility_of_element_located((By.ID, "lead")))
    assert browser.find_element(By.ID, "lead-source").text == MARKUP  # shown as text, never run
    assert browser.find_element(By.CSS_SELECTOR, "#lead-status .badge").text == "Open"

    # A booking for the lead, then back to the lead from it.
    browser.find_element(By.ID, "booking-submit").click()
    wait(browser, EC.url_contains("/booking.html?id="))
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#booking-status .badge"), "Lead"))
    wait(browser, EC.element_to_be_clickable((By.ID, "booking-lead"))).click()
    wait(browser, EC.url_contains(f"/lead.html?id={lead_id}"))
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#bookings tbody tr")) == 1)

    # A quotation in the booking's currency: send it, then approve it.
    wait(browser, EC.visibility_of_element_located((By.ID, "quotation-amount"))).send_keys("1250.50")
    browser.find_element(By.ID, "quotation-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "quotation-done"), "draft"))
    [(action, quotation)] = quotation_steps(browser)
    assert action == "send"
    assert "€1,250.50" in browser.find_element(By.ID, "quotations").text
    browser.find_element(By.CSS_SELECTOR, '#quotations button[data-action="send"]').click()
    wait(browser, lambda d: [a for a, _ in quotation_steps(d)] == ["approve", "reject"])
    browser.find_element(By.CSS_SELECTOR, '#quotations button[data-action="approve"]').click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "quotation-done"), "approved"))
    assert quotation_steps(browser) == []
    detail = staff.get(f"/api/leads/{lead_id}").json()["data"]
    assert [(q["id"], q["status"], q["total_minor"]) for q in detail["quotations"]] == [(quotation, "approved", 125050)]
    assert [b["status"] for b in detail["bookings"]] == ["quotation_approved"]

    # Edit: the lead is marked lost with a note; the list filters by status.
    Select(browser.find_element(By.ID, "edit-status")).select_by_value("lost")
    browser.find_element(By.ID, "edit-notes").send_keys("Went with another agency")
    browser.find_element(By.ID, "edit-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#lead-status .badge"), "Lost"))
    assert staff.get(f"/api/leads/{lead_id}").json()["data"]["notes"] == "Went with another agency"
    browser.get(stack.url + "/leads.html?status=lost")
    row = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, f'#leads-body tr[data-id="{lead_id}"]')))
    assert customer["name"] in row.text and MARKUP in row.text
    assert console_problems(browser) == []


def test_items_are_added_removed_and_answered_for_on_the_booking_page(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "add-item")))
    Select(browser.find_element(By.ID, "add-item-kind")).select_by_value("activity")
    browser.find_element(By.ID, "add-item-description").send_keys(MARKUP)
    type_into(browser.find_element(By.ID, "add-item-quantity"), "2")
    browser.find_element(By.ID, "add-item-price").send_keys("40.25")
    Select(browser.find_element(By.ID, "add-item-supplier")).select_by_visible_text("Sol Studio")
    browser.find_element(By.ID, "add-item-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "items-done"), "Added"))
    assert browser.find_element(By.ID, "booking-total").text == "€259.50"  # 2 × 89.50 + 2 × 40.25
    rows = browser.find_elements(By.CSS_SELECTOR, "#items tbody tr")
    assert len(rows) == 2 and MARKUP in rows[1].text  # shown as text
    added = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][1]
    assert (added["kind"], added["quantity"], added["unit_price_minor"]) == ("activity", 2, 4025)
    assert added["supplier_id"] == "00000000-0000-4000-8000-00000000c002"
    shown = Select(browser.find_element(By.CSS_SELECTOR, '#items tbody tr:nth-child(2) [data-field="supplierId"]'))
    assert shown.first_selected_option.text == "Sol Studio"
    # Sol Studio has a portal login but is not assigned: the page says they cannot see the item.
    assert browser.find_element(By.ID, "items-unassigned").text.startswith(
        "Sol Studio delivers an item here but is not assigned to this booking")

    browser.find_element(By.CSS_SELECTOR, f'#items button[data-remove="{added["id"]}"]').click()
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#items tbody tr")) == 1)
    assert browser.find_element(By.ID, "booking-total").text == "€179.00"

    # Paid for: the price stays; the supplier's answer is still recorded.
    for status in ("payment_pending", "payment_confirmed"):
        assert advance(staff, booking["id"], status).status_code in (200, 201)
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "booking")))
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#booking-status .badge"), "Paid"))
    assert browser.find_elements(By.ID, "add-item") == [] and browser.find_elements(By.CSS_SELECTOR, "[data-remove]") == []
    Select(browser.find_element(By.CSS_SELECTOR, '#items [data-field="supplierId"]')).select_by_visible_text("Sol Studio")
    Select(browser.find_element(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')).select_by_value("confirmed")
    browser.find_element(By.CSS_SELECTOR, '#items [data-field="supplierReference"]').send_keys("CONF-88121")
    browser.find_element(By.CSS_SELECTOR, "#items button[data-item]").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "items-done"), "Saved"))
    item = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][0]
    assert (item["supplier_status"], item["supplier_reference"]) == ("confirmed", "CONF-88121")
    assert item["supplier_id"] == "00000000-0000-4000-8000-00000000c002"

    # Someone else edits meanwhile: the page's stale save is refused and it shows the booking as it is.
    assert staff.send("PATCH", f"/api/bookings/{booking['id']}/items/{item['id']}",
                      json={"supplierReference": "CONF-99999"}).status_code == 200
    Select(browser.find_element(By.CSS_SELECTOR, '#items [data-field="supplierStatus"]')).select_by_value("declined")
    browser.find_element(By.CSS_SELECTOR, "#items button[data-item]").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "items-error"), "changed meanwhile"))
    reference = browser.find_element(By.CSS_SELECTOR, '#items [data-field="supplierReference"]')
    assert reference.get_attribute("value") == "CONF-99999"
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][0]["supplier_status"] == "confirmed"

    # The changes panel lists what was done, newest first, with who did it; markup stays text.
    entries = lambda: [(li.find_element(By.CSS_SELECTOR, ".history-summary").text,
                        li.find_element(By.CSS_SELECTOR, ".muted").text)
                       for li in browser.find_elements(By.CSS_SELECTOR, "#history li")]
    # The payment's invoice is recorded by the worker, beside staff's changes, as done automatically.
    wait(browser, lambda d: len(entries()) == 6)
    item_name = item["description"]
    assert [e for e in entries() if e[1] != "automatically"] == [
        (f"Changed {item_name}: supplier reference", "by Sam Staff"),
        (f"Changed {item_name}: supplier, supplier reference, supplier status", "by Sam Staff"),
        ("Recorded a payment of 179.00 EUR by bank transfer", "by Sam Staff"),
        (f"Removed {MARKUP}", "by Sam Staff"), (f"Added {MARKUP}", "by Sam Staff")]
    assert ("Invoice recorded for 179.00 EUR", "automatically") in entries()
    assert console_problems(browser) == []


def test_showing_older_changes_keeps_the_focus_in_the_list(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    item = f"/api/bookings/{booking['id']}/items/{booking['items'][0]['id']}"
    for quantity in range(3, 24):  # 21 changes: one more than the first page
        assert staff.send("PATCH", item, json={"quantity": quantity}).status_code == 200
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    more = wait(browser, EC.element_to_be_clickable((By.ID, "history-more")))
    more.send_keys(Keys.ENTER)
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history li")) == 21)
    # The older change it brought has no control of its own: the focus is on it, not lost to the page.
    focused = browser.switch_to.active_element
    assert focused.tag_name == "li" and "quantity" in focused.text
    assert not browser.find_element(By.ID, "history-more").is_displayed()


def test_suppliers_are_assigned_and_removed_on_the_booking_page(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assert staff.send("PATCH", f"/api/bookings/{booking['id']}/items/{booking['items'][0]['id']}",
                      json={"supplierId": "00000000-0000-4000-8000-00000000c002"}).status_code == 200
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "assign-form")))
    assert browser.find_element(By.ID, "items-unassigned").is_displayed()
    assert "Nobody is assigned yet." in browser.find_element(By.ID, "assignments").text
    browser.find_element(By.ID, "assign-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "assignments-error"), "Choose the supplier"))

    Select(browser.find_element(By.ID, "assign-user")).select_by_value(supplier_user)
    Select(browser.find_element(By.ID, "assign-role")).select_by_value("photographer")
    browser.find_element(By.ID, "assign-submit").click()
    done = wait(browser, EC.visibility_of_element_located((By.ID, "assignments-done")))
    assert done.text == "Assigned Sol Studio (photographer) as photographer; they have been told."
    assert browser.find_elements(By.ID, "items-unassigned") == []

    # Moving on to supplier_confirmed with an item its supplier has not confirmed: the form says so.
    for status in ("payment_pending", "payment_confirmed"):
        assert advance(staff, booking["id"], status).status_code in (200, 201)
    browser.refresh()
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, '#transitions button[data-status="supplier_confirmed"]'))).click()
    warning = wait(browser, EC.visibility_of_element_located((By.ID, "transition-warning")))
    assert warning.text == f"Not confirmed by their supplier yet: {booking['items'][0]['description']} (pending)."
    # The client's money is held now: cancelling says it does not give it back.
    browser.find_element(By.CSS_SELECTOR, '#transitions button[data-status="cancelled"]').click()
    assert browser.find_element(By.ID, "transition-warning").text.endswith(
        "of the customer's payments is still held: cancelling does not refund it. Refund it under Payments.")
    browser.find_element(By.ID, "transition-cancel").click()
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#assignments tbody tr td")]
    assert cells[:2] == ["Sol Studio", "Photographer"]
    assigned = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["assignments"]
    assert [(a["user_id"], a["role"]) for a in assigned] == [(supplier_user, "photographer")]
    supplier = Browser(stack, "supplier@demo.test")
    assert booking["id"] in [b["id"] for b in supplier.get("/api/supplier/bookings?limit=200").json()["data"]["items"]]

    browser.find_element(By.CSS_SELECTOR, f'#assignments button[data-unassign="{assigned[0]["id"]}"]').click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "assignments-done"), "Removed Sol Studio."))
    assert staff.get(f"/api/bookings/{booking['id']}").json()["data"]["assignments"] == []
    assert "Nobody is assigned yet." in browser.find_element(By.ID, "assignments").text
    assert console_problems(browser) == []


def test_the_booking_page_names_delivered_work_and_links_its_download(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assert staff.send("POST", f"/api/bookings/{booking['id']}/assignments",
                      json={"userId": supplier_user, "role": "photographer"}).status_code == 201
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    uploaded = Browser(stack, "supplier@demo.test").send(
        "POST", f"/api/supplier/bookings/{booking['id']}/work", files={"file": ("IMG_0412.png", png, "image/png")},
        data={"work": "beach photos"})
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()["data"]["id"]

    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    link = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, f'#documents a[data-document-id="{document}"]')))
    assert link.text == "Download beach photos"
    assert link.get_attribute("download") == ""
    row = [td.text for td in link.find_element(By.XPATH, "ancestor::tr").find_elements(By.TAG_NAME, "td")]
    assert row[1:] == ["Download beach photos", "Delivered work", "Ready"]
    assert staff.get(link.get_attribute("href").removeprefix(stack.url)).content == png


def directory_rows(driver):
    return {tr.find_element(By.CSS_SELECTOR, ".name").text: tr
            for tr in driver.find_elements(By.CSS_SELECTOR, "#entries-body tr")}


def search_directory(driver, words):
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(words)
    driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()


def test_customers_are_added_edited_and_deleted_on_their_page(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    open_signed_in(browser, stack, "/customers.html")
    form = wait(browser, EC.visibility_of_element_located((By.ID, "entry-form")))
    form.find_element(By.ID, "entry-name").send_keys(f"{MARKUP} {tag}")
    form.find_element(By.ID, "entry-email").send_keys("not-an-email")
    form.find_element(By.ID, "entry-submit").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "entry-error")))
    assert error.text == "Nothing was added: Email must be an e-mail address."
    assert form.find_element(By.ID, "entry-email").get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element.get_attribute("id") == "entry-email"
    assert staff.get(f"/api/customers?q={tag}").json()["data"]["items"] == []

    email = form.find_element(By.ID, "entry-email")
    email.clear()
    email.send_keys("lena@example.com")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), f"Added {MARKUP} {tag}."))
    assert no_alert(browser)
    search_directory(browser, tag)
    wait(browser, lambda d: list(directory_rows(d)) == [f"{MARKUP} {tag}"])
    row = directory_rows(browser)[f"{MARKUP} {tag}"]
    assert [td.text for td in row.find_elements(By.TAG_NAME, "td")][1:4] == ["lena@example.com", "—", "—"]

    # Edit: the form takes the entry, saves a phone and clears the email left blank.
    row.find_element(By.CSS_SELECTOR, "button.secondary").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-title"), f"Edit {MARKUP} {tag}"))
    assert form.find_element(By.ID, "entry-email").get_attribute("value") == "lena@example.com"
    form.find_element(By.ID, "entry-email").clear()
    form.find_element(By.ID, "entry-phone").send_keys("+351 21 000 0000")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), "Saved"))
    [saved] = staff.get(f"/api/customers?q={tag}").json()["data"]["items"]
    assert (saved["email"], saved["phone"]) == (None, "+351 21 000 0000")
    assert browser.find_element(By.ID, "entry-title").text == "New customer"
    # The row shows the edit where it is, and the focus is back on it.
    row = directory_rows(browser)[f"{MARKUP} {tag}"]
    assert [td.text for td in row.find_elements(By.TAG_NAME, "td")][1:3] == ["—", "+351 21 000 0000"]
    assert browser.switch_to.active_element.get_attribute("aria-label") == f"Edit {MARKUP} {tag}"

    # A customer with a booking stays, and the page says why; one without goes.
    new_booking(staff, saved["id"])
    wait(browser, lambda d: f"{MARKUP} {tag}" in directory_rows(d))
    directory_rows(browser)[f"{MARKUP} {tag}"].find_element(By.CSS_SELECTOR, "button.danger").click()
    browser.find_element(By.CSS_SELECTOR, "#entries-body button.danger-solid").click()
    problem = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#entries-body .notice-error")))
    assert problem.text == f"{MARKUP} {tag} stays: still named by 1 booking."
    assert browser.switch_to.active_element.text == "Keep"
    browser.switch_to.active_element.click()
    assert browser.switch_to.active_element.get_attribute("aria-label") == f"Delete {MARKUP} {tag}"
    spare = new_customer(staff, f"Spare {tag}")
    search_directory(browser, f"Spare {tag}")
    wait(browser, lambda d: list(directory_rows(d)) == [f"Spare {tag}"])
    directory_rows(browser)[f"Spare {tag}"].find_element(By.CSS_SELECTOR, "button.danger").click()
    browser.find_element(By.CSS_SELECTOR, "#entries-body button.danger-solid").click()
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#entries-body td.removed"), f"Deleted Spare {tag}."))
    assert staff.get(f"/api/customers/{spare['id']}").status_code == 404
    assert staff.get(f"/api/customers/{saved['id']}").status_code == 200
    assert console_problems(browser) == []


def test_suppliers_are_added_with_their_kind_on_their_page(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    open_signed_in(browser, stack, "/suppliers.html")
    form = wait(browser, EC.visibility_of_element_located((By.ID, "entry-form")))
    assert Select(form.find_element(By.ID, "entry-kind")).first_selected_option.text == "Other"
    form.find_element(By.ID, "entry-name").send_keys(f"Lens Studio {tag}")
    Select(form.find_element(By.ID, "entry-kind")).select_by_visible_text("Photographer")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), f"Added Lens Studio {tag}."))
    [made] = staff.get(f"/api/suppliers?q={tag}").json()["data"]["items"]
    assert made["kind"] == "photographer"
    search_directory(browser, tag)
    wait(browser, lambda d: list(directory_rows(d)) == [f"Lens Studio {tag}"])
    cells = [td.text for td in directory_rows(browser)[f"Lens Studio {tag}"].find_elements(By.TAG_NAME, "td")]
    assert cells[1:4] == ["Photographer", "—", "—"]


def test_the_booking_page_saves_notes_for_the_client_and_for_the_team(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    path = f"/api/bookings/{booking['id']}"
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    team = wait(browser, EC.visibility_of_element_located((By.ID, "notes-team")))
    team.send_keys("VIP: upgrade if free")
    browser.find_element(By.ID, "notes-client").send_keys("Window seats")
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    saved = staff.get(path).json()["data"]
    assert (saved["notes"], saved["internal_notes"]) == ("Window seats", "VIP: upgrade if free")
    assert team.get_attribute("value") == "VIP: upgrade if free"

    # Someone saves the booking meanwhile: the page says so and keeps what was typed for another try.
    r = staff.send("PATCH", path, json={"departureAt": "2027-05-01"}, headers={"If-Match": str(saved["version"])})
    assert r.status_code == 200, r.text
    team.clear()
    team.send_keys("Margin 12 %")
    browser.find_element(By.ID, "notes-save").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "notes-error")))
    assert error.text == ("Someone changed this booking meanwhile. What you typed is still here: check it and "
                          "save again.")
    assert team.get_attribute("value") == "Margin 12 %"
    assert staff.get(path).json()["data"]["internal_notes"] == "VIP: upgrade if free"
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    saved = staff.get(path).json()["data"]
    assert (saved["notes"], saved["internal_notes"]) == ("Window seats", "Margin 12 %")

    # A colleague saved the same field meanwhile: the page says what they wrote.
    r = staff.send("PATCH", path, json={"internalNotes": "Paid by card"}, headers={"If-Match": str(saved["version"])})
    assert r.status_code == 200, r.text
    team.clear()
    team.send_keys("Margin 15 %")
    browser.find_element(By.ID, "notes-save").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "notes-error")))
    assert "The notes for the team now read: “Paid by card”." in error.text
    assert team.get_attribute("value") == "Margin 15 %"


def test_staff_edit_travelers_and_the_clients_flights_on_the_booking_page(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    path = f"/api/bookings/{booking['id']}"
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    row = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#travelers .traveler-row")))
    assert row.find_element(By.CSS_SELECTOR, 'input[data-field="firstName"]').get_attribute("value") == "Ana"
    browser.find_element(By.ID, "add-traveler").click()
    added = browser.find_elements(By.CSS_SELECTOR, "#travelers .traveler-row")[-1]
    added.find_element(By.CSS_SELECTOR, 'input[data-field="firstName"]').send_keys("Rui")
    added.find_element(By.CSS_SELECTOR, 'input[data-field="lastName"]').send_keys("Costa")
    added.find_element(By.CSS_SELECTOR, 'input[data-field="passportNumber"]').send_keys("12")
    browser.find_element(By.ID, "save").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "save-error")))
    assert error.text == "Nothing was saved: one field needs attention."
    assert len(staff.get(path).json()["data"]["travelers"]) == 1

    passport = added.find_element(By.CSS_SELECTOR, 'input[data-field="passportNumber"]')
    passport.clear()
    passport.send_keys("pa7654321")
    # The page's own change elsewhere (the notes) does not make the edit in progress a conflict.
    browser.find_element(By.ID, "notes-team").send_keys("Two rooms")
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    browser.find_element(By.ID, "save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "save-done"), "Travelers and flights saved."))
    saved = staff.get(path).json()["data"]
    assert [(t["first_name"], t["passport_number"]) for t in saved["travelers"]] == [("Ana", None), ("Rui", "PA7654321")]
    assert [e["summary"] for e in staff.get(f"{path}/history").json()["data"]["items"]][0].startswith("Saved travelers")

    # The client saves meanwhile: the page's next save is refused and says what to do; saving again wins.
    r = staff.send("PUT", f"{path}/travelers-and-flights", json={
        "travelers": [{"firstName": "Ana", "lastName": "Silva"}], "flights": []})
    assert r.status_code == 200
    first = browser.find_elements(By.CSS_SELECTOR, "#travelers .traveler-row")[0]
    first.find_element(By.CSS_SELECTOR, 'input[data-field="dietary"]').send_keys("Vegetarian")
    browser.find_element(By.ID, "save").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "save-error")))
    assert error.text.startswith("This booking changed while you were editing.")
    assert len(staff.get(path).json()["data"]["travelers"]) == 1
    browser.find_element(By.ID, "save").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "save-done")))
    travelers = staff.get(path).json()["data"]["travelers"]
    assert [(t["first_name"], t["dietary"]) for t in travelers] == [("Ana", "Vegetarian"), ("Rui", None)]


def test_ground_services_are_added_edited_and_removed_on_the_booking_page(stack, browser, staff):
    booking = new_booking(staff, new_customer(staff)["id"])
    path = f"/api/bookings/{booking['id']}/ground-services"
    supplier = staff.send("POST", "/api/suppliers", json={"name": f"Lisbon Cabs {uuid.uuid4().hex[:6]}",
                                                           "kind": "driver"}).json()["data"]
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    form = wait(browser, EC.visibility_of_element_located((By.ID, "service-form")))
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "service-supplier")).options) > 1)
    form.find_element(By.ID, "service-submit").click()
    assert wait(browser, EC.visibility_of_element_located((By.ID, "services-error"))).text.startswith("Describe")
    assert staff.get(path).json()["data"]["items"] == []

    Select(form.find_element(By.ID, "service-kind")).select_by_visible_text("Transfer")
    form.find_element(By.ID, "service-description").send_keys(f"Airport pick-up {MARKUP}")
    browser.execute_script("arguments[0].value = '2027-03-01T08:30'", form.find_element(By.ID, "service-starts"))
    form.find_element(By.ID, "service-location").send_keys("LIS T1")
    Select(form.find_element(By.ID, "service-supplier")).select_by_visible_text(supplier["name"])
    form.find_element(By.ID, "service-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "services-done"), "Added Airport pick-up"))
    [made] = staff.get(path).json()["data"]["items"]
    starts = browser.execute_script("return new Date('2027-03-01T08:30').toISOString()")
    assert (made["kind"], made["location"], made["supplier_id"]) == ("transfer", "LIS T1", supplier["id"])
    assert made["starts_at"].replace("+00:00", "Z").startswith(starts[:16])
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#services tbody td")]
    assert cells[1:5] == ["Transfer", f"Airport pick-up {MARKUP}", "LIS T1", supplier["name"]]
    assert no_alert(browser)

    # Edit: the form takes the service; a location left blank is cleared.
    browser.find_element(By.CSS_SELECTOR, "#services tbody button.secondary").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "service-form-title"), "Edit Airport pick-up"))
    form.find_element(By.ID, "service-location").clear()
    form.find_element(By.ID, "service-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "services-done"), "Saved"))
    [edited] = staff.get(path).json()["data"]["items"]
    assert edited["location"] is None and edited["supplier_id"] == supplier["id"]
    assert browser.find_element(By.ID, "service-form-title").text == "Add a ground service"

    history = staff.get(f"/api/bookings/{booking['id']}/history").json()["data"]["items"]
    assert history[0]["summary"] == f"Changed ground service Airport pick-up {MARKUP}: location"
    wait(browser, EC.text_to_be_present_in_element((By.ID, "history"), "location"))  # the page's changes follow

    # Escape keeps the service and gives the focus back to its Remove; asked again, it goes.
    browser.find_element(By.CSS_SELECTOR, "#services tbody button[aria-label^='Remove']").click()
    assert browser.switch_to.active_element.text == "Remove"
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert browser.switch_to.active_element.get_attribute("aria-label") == f"Remove Airport pick-up {MARKUP}"
    assert len(staff.get(path).json()["data"]["items"]) == 1
    browser.switch_to.active_element.click()
    browser.find_element(By.CSS_SELECTOR, "#services tbody button.danger-solid").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "services-done"), "Removed"))
    assert staff.get(path).json()["data"]["items"] == []

    # A cancelled booking shows its services but takes no more.
    assert staff.send("POST", "/api/core/booking-lifecycle", json={
        "bookingId": booking["id"], "toStatus": "cancelled", "actorType": "user"}).status_code == 200
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "services")))
    wait(browser, lambda d: not d.find_element(By.ID, "service-form").is_displayed())
    assert console_problems(browser) == []


def test_the_timeline_names_the_client_who_asked_for_the_booking(stack, browser):
    stack.psql("DELETE FROM login_attempts")
    client = Browser(stack, "customer@demo.test")
    asked = client.send("POST", "/api/customer/bookings", json={"notes": "Lisbon in May, 2 people"})
    assert asked.status_code == 201, asked.text
    name = stack.psql("SELECT name FROM users WHERE email = 'customer@demo.test'")
    open_signed_in(browser, stack, f"/booking.html?id={asked.json()['data']['id']}")
    entry = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#timeline li")))
    assert entry.find_element(By.CSS_SELECTOR, ".muted").text == f"by {name} (client)"


def test_the_booking_page_sets_the_departure_and_the_trip(stack, browser, staff):
    customer = new_customer(staff)
    booking = new_booking(staff, customer["id"])
    path = f"/api/bookings/{booking['id']}"
    trip = staff.send("POST", "/api/trips", json={"name": f"Carnival {uuid.uuid4().hex[:6]}",
                                                  "customerId": customer["id"]}).json()["data"]
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    select = wait(browser, lambda d: Select(d.find_element(By.ID, "details-trip"))
                  if len(Select(d.find_element(By.ID, "details-trip")).options) == 2 else False)
    assert [o.text for o in select.options] == ["No trip", trip["name"]]
    select.select_by_visible_text(trip["name"])
    departure = browser.find_element(By.ID, "details-departure")
    browser.execute_script("arguments[0].value = '2027-04-02T07:45'", departure)
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    saved = staff.get(path).json()["data"]
    expected = browser.execute_script("return new Date('2027-04-02T07:45').toISOString()")
    assert saved["trip_id"] == trip["id"]
    assert saved["departure_at"].replace("+00:00", "Z").startswith(expected[:16])
    assert departure.get_attribute("value") == "2027-04-02T07:45"
    assert booking["id"] in [b["id"] for b in staff.get(f"/api/trips/{trip['id']}").json()["data"]["bookings"]]

    # Taken off the trip again; nothing else changes.
    Select(browser.find_element(By.ID, "details-trip")).select_by_visible_text("No trip")
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, lambda d: staff.get(path).json()["data"]["trip_id"] is None)
    assert staff.get(path).json()["data"]["departure_at"] == saved["departure_at"]


def test_the_catalog_page_adds_edits_and_archives_products(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    supplier = staff.send("POST", "/api/suppliers", json={"name": f"Hotel Sol {tag}", "kind": "hotel"}).json()["data"]
    open_signed_in(browser, stack, "/products.html")
    form = wait(browser, EC.visibility_of_element_located((By.ID, "entry-form")))
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "entry-supplierId")).options) > 1)
    form.find_element(By.ID, "entry-name").send_keys(f"Sea view room {tag}")
    Select(form.find_element(By.ID, "entry-kind")).select_by_visible_text("Hotel")
    Select(form.find_element(By.ID, "entry-supplierId")).select_by_visible_text(supplier["name"])
    form.find_element(By.ID, "entry-city").send_keys("Funchal")
    form.find_element(By.ID, "entry-priceMinor").send_keys("89.505")
    assert form.find_element(By.ID, "entry-currency").get_attribute("value") == "EUR"
    form.find_element(By.ID, "entry-submit").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "entry-error")))
    assert error.text == "Nothing was added: Price: At most 2 decimals."
    assert browser.switch_to.active_element.get_attribute("id") == "entry-priceMinor"
    assert staff.get(f"/api/products?q={tag}").json()["data"]["items"] == []

    price = form.find_element(By.ID, "entry-priceMinor")
    price.clear()
    price.send_keys("89,50")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), f"Added Sea view room {tag}."))
    [made] = staff.get(f"/api/products?q={tag}").json()["data"]["items"]
    assert (made["kind"], made["city"], made["price_minor"], made["currency"], made["supplier_id"]) == (
        "hotel", "Funchal", 8950, "EUR", supplier["id"])
    search_directory(browser, tag)
    wait(browser, lambda d: list(directory_rows(d)) == [f"Sea view room {tag}"])
    cells = [td.text for td in directory_rows(browser)[f"Sea view room {tag}"].find_elements(By.TAG_NAME, "td")]
    assert cells[1:3] == ["Hotel", "Funchal"] and cells[4] == "€89.50"

    # Edit: kind and currency stay; the new price shows in the row.
    directory_rows(browser)[f"Sea view room {tag}"].find_element(By.CSS_SELECTOR, "button.edit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-title"), "Edit Sea view room"))
    assert not form.find_element(By.ID, "entry-kind").is_enabled()
    assert not form.find_element(By.ID, "entry-currency").is_enabled()
    price = form.find_element(By.ID, "entry-priceMinor")
    assert price.get_attribute("value") == "89.50"
    price.clear()
    price.send_keys("95")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), "Saved"))
    wait(browser, lambda d: [td.text for td in directory_rows(d)[f"Sea view room {tag}"]
                             .find_elements(By.TAG_NAME, "td")][4] == "€95.00")
    assert staff.get(f"/api/products/{made['id']}").json()["data"]["price_minor"] == 9500

    assert browser.find_element(By.ID, "list-status").text == "1 product."
    directory_rows(browser)[f"Sea view room {tag}"].find_element(By.CSS_SELECTOR, "button.delete").click()
    browser.find_element(By.CSS_SELECTOR, "#entries-body button.danger-solid").click()
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#entries-body td.removed"),
                                                   f"Archived Sea view room {tag}."))
    assert browser.find_element(By.ID, "list-status").text == ""  # the count no longer names it
    assert staff.get(f"/api/products?q={tag}").json()["data"]["items"] == []
    assert staff.get(f"/api/products/{made['id']}").json()["data"]["active"] is False
    assert console_problems(browser) == []


def test_an_item_is_added_from_the_catalog_on_the_booking_page(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    supplier = staff.send("POST", "/api/suppliers", json={"name": f"Madeira Air {tag}", "kind": "airline"}).json()["data"]
    product = staff.send("POST", "/api/products", json={
        "kind": "flight", "name": f"Island hop {tag}", "origin": "LIS", "destination": "FNC",
        "startsAt": "2027-03-01T07:10:00Z", "priceMinor": 12990, "currency": "EUR",
        "supplierId": supplier["id"]}).json()["data"]
    staff.send("POST", "/api/products", json={"kind": "flight", "name": f"Island hop {tag} USD", "priceMinor": 100,
                                              "currency": "USD"})
    booking = new_booking(staff, new_customer(staff)["id"])
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    search = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#add-item .catalog-picker input")))
    search.send_keys(f"island hop {tag}")
    picks = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#add-item .catalog-pick")
                 if len(d.find_elements(By.CSS_SELECTOR, "#add-item .catalog-pick")) == 2 else False)
    assert picks[0].text == f"Island hop {tag} · Flight · LIS → FNC · €129.90"
    picks[0].click()
    assert browser.find_element(By.ID, "add-item-description").get_attribute("value") == f"Island hop {tag}, LIS → FNC"
    assert browser.find_element(By.ID, "add-item-price").get_attribute("value") == "129.90"
    assert Select(browser.find_element(By.ID, "add-item-kind")).first_selected_option.text == "Flight"
    assert Select(browser.find_element(By.ID, "add-item-supplier")).first_selected_option.text == supplier["name"]
    assert browser.find_element(By.ID, "add-item-starts").get_attribute("value") == browser.execute_script(
        "const d = new Date('2027-03-01T07:10:00Z'), p = (n) => String(n).padStart(2, '0');"
        "return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`")
    type_into(browser.find_element(By.ID, "add-item-quantity"), "2")
    browser.find_element(By.ID, "add-item-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "items-done"), "Added"))
    added = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][-1]
    assert (added["product_id"], added["quantity"], added["unit_price_minor"], added["supplier_id"]) == (
        product["id"], 2, 12990, supplier["id"])
    assert added["starts_at"].startswith("2027-03-01T07:10:00")

    # A product priced in another currency fills the rest and asks for the price.
    search = browser.find_element(By.CSS_SELECTOR, "#add-item .catalog-picker input")
    search.send_keys(f"{tag} USD")
    pick = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#add-item .catalog-pick")))
    pick.click()
    assert browser.find_element(By.ID, "add-item-price").get_attribute("value") == ""
    assert "enter its price in EUR" in browser.find_element(By.ID, "add-item-product").text


def test_an_item_being_typed_outlives_a_save_elsewhere_on_the_booking_page(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    product = staff.send("POST", "/api/products", json={
        "kind": "activity", "name": f"Dolphin watch {tag}", "city": "Funchal", "priceMinor": 6000,
        "currency": "EUR"}).json()["data"]
    booking = new_booking(staff, new_customer(staff)["id"])
    open_signed_in(browser, stack, f"/booking.html?id={booking['id']}")
    search = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#add-item .catalog-picker input")))
    search.send_keys(f"dolphin watch {tag}")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#add-item .catalog-pick"))).click()
    type_into(browser.find_element(By.ID, "add-item-quantity"), "4")
    type_into(browser.find_element(By.ID, "add-item-description"), f"Dolphin watch {tag}, morning boat")

    # Saving the notes reloads the booking; the item being typed is still there, still the product.
    browser.find_element(By.ID, "notes-client").send_keys("Seasick pills")
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    assert browser.find_element(By.ID, "add-item-description").get_attribute("value") == \
        f"Dolphin watch {tag}, morning boat"
    assert browser.find_element(By.ID, "add-item-quantity").get_attribute("value") == "4"
    assert browser.find_element(By.ID, "add-item-price").get_attribute("value") == "60.00"
    assert browser.find_element(By.ID, "add-item-product").text == f"From the catalog: Dolphin watch {tag}."
    browser.find_element(By.ID, "add-item-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "items-done"), "Added"))
    added = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][-1]
    assert (added["product_id"], added["quantity"], added["unit_price_minor"], added["description"]) == (
        product["id"], 4, 6000, f"Dolphin watch {tag}, morning boat")
    # Once added, the form is empty again and ready for the next item.
    assert browser.find_element(By.ID, "add-item-description").get_attribute("value") == ""
    assert not browser.find_element(By.ID, "add-item-product").is_displayed()
    assert browser.switch_to.active_element.get_attribute("id") == "add-item-catalog"

    # Picked, then made another kind: it is no longer sold as the product.
    search = browser.find_element(By.CSS_SELECTOR, "#add-item .catalog-picker input")
    search.send_keys(f"dolphin watch {tag}")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#add-item .catalog-pick"))).click()
    Select(browser.find_element(By.ID, "add-item-kind")).select_by_value("other")
    assert not browser.find_element(By.ID, "add-item-product").is_displayed()
    browser.find_element(By.ID, "add-item-submit").click()
    wait(browser, lambda d: len(staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"]) == 3)
    other = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["items"][-1]
    assert (other["kind"], other["product_id"]) == ("other", None)

    # A search being typed is kept too, with its results; the saved panel keeps the focus.
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#items tbody tr")) == 3)
    browser.find_element(By.ID, "add-item-catalog").send_keys(f"dolphin watch {tag}")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#add-item .catalog-pick")))
    browser.find_element(By.ID, "notes-client").send_keys(", ginger tea")
    browser.find_element(By.ID, "notes-save").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "notes-done"), "Details saved."))
    assert browser.find_element(By.ID, "add-item-catalog").get_attribute("value") == f"dolphin watch {tag}"
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#add-item .catalog-pick")))
    assert browser.switch_to.active_element.get_attribute("id") == "notes-save"
    assert console_problems(browser) == []


def test_the_new_booking_form_takes_an_item_from_the_catalog(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    supplier = staff.send("POST", "/api/suppliers", json={"name": f"Levada Walks {tag}", "kind": "guide"}).json()["data"]
    product = staff.send("POST", "/api/products", json={
        "kind": "activity", "name": f"Levada walk {tag}", "city": "Funchal", "priceMinor": 4500, "currency": "EUR",
        "supplierId": supplier["id"]}).json()["data"]
    customer = new_customer(staff)
    open_new_booking_form(browser, stack, customer)
    row = browser.find_element(By.CSS_SELECTOR, "#items .item-row")
    row.find_element(By.CSS_SELECTOR, ".catalog-picker input").send_keys(f"levada walk {tag}")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#items .catalog-pick"))).click()
    assert row.find_element(By.CSS_SELECTOR, '[data-field="description"]').get_attribute("value") == \
        f"Levada walk {tag}, Funchal"
    assert row.find_element(By.CSS_SELECTOR, '[data-field="unitPriceMinor"]').get_attribute("value") == "45.00"
    type_into(row.find_element(By.CSS_SELECTOR, '[data-field="quantity"]'), "3")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.url_contains("/booking.html?id="))
    assert bookings_of(stack, customer["id"]) == 1
    made = browser.current_url.split("id=", 1)[1]
    [item] = staff.get(f"/api/bookings/{made}").json()["data"]["items"]
    assert (item["product_id"], item["supplier_id"], item["quantity"], item["unit_price_minor"], item["kind"]) == (
        product["id"], supplier["id"], 3, 4500, "activity")


def test_the_new_booking_form_drops_the_product_when_the_kind_changes(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    staff.send("POST", "/api/products", json={"kind": "activity", "name": f"Whale watch {tag}", "city": "Horta",
                                              "priceMinor": 7000, "currency": "EUR"})
    customer = new_customer(staff)
    open_new_booking_form(browser, stack, customer)
    row = browser.find_element(By.CSS_SELECTOR, "#items .item-row")
    row.find_element(By.CSS_SELECTOR, ".catalog-picker input").send_keys(f"whale watch {tag}")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#items .catalog-pick"))).click()
    assert row.find_element(By.CSS_SELECTOR, ".picked-product").is_displayed()
    Select(row.find_element(By.CSS_SELECTOR, '[data-field="kind"]')).select_by_value("other")
    assert not row.find_element(By.CSS_SELECTOR, ".picked-product").is_displayed()
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.url_contains("/booking.html?id="))
    [item] = staff.get(f"/api/bookings/{browser.current_url.split('id=', 1)[1]}").json()["data"]["items"]
    assert (item["kind"], item["product_id"], item["unit_price_minor"]) == ("other", None, 7000)


def test_trips_are_added_and_edited_on_their_page_with_their_bookings(stack, browser, staff):
    tag = uuid.uuid4().hex[:8]
    customer = new_customer(staff, f"Trip Customer {tag}")
    open_signed_in(browser, stack, "/trips.html")
    form = wait(browser, EC.visibility_of_element_located((By.ID, "entry-form")))
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, f'#entry-customerId option[value="{customer["id"]}"]')))
    form.find_element(By.ID, "entry-name").send_keys(f"Carnival {tag}")
    Select(form.find_element(By.ID, "entry-customerId")).select_by_value(customer["id"])
    browser.execute_script("arguments[0].value = '2027-03-05'", form.find_element(By.ID, "entry-startsOn"))
    browser.execute_script("arguments[0].value = '2027-03-01'", form.find_element(By.ID, "entry-endsOn"))
    form.find_element(By.ID, "entry-submit").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "entry-error")))
    assert error.text == "Nothing was added: Ends on must not be before the start."
    assert form.find_element(By.ID, "entry-endsOn").get_attribute("aria-invalid") == "true"

    browser.execute_script("arguments[0].value = '2027-03-10'", form.find_element(By.ID, "entry-endsOn"))
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "entry-done"), f"Added Carnival {tag}."))
    [trip] = [t for t in staff.get("/api/trips?limit=200").json()["data"]["items"] if t["name"] == f"Carnival {tag}"]
    assert (trip["customer_id"], trip["starts_on"], trip["ends_on"]) == (customer["id"], "2027-03-05", "2027-03-10")
    wait(browser, lambda d: f"Carnival {tag}" in directory_rows(d))
    cells = [td.text for td in directory_rows(browser)[f"Carnival {tag}"].find_elements(By.TAG_NAME, "td")]
    assert cells[1:4] == [f"Trip Customer {tag}", "2027-03-05", "2027-03-10"]
    assert directory_rows(browser)[f"Carnival {tag}"].find_elements(By.CSS_SELECTOR, "button.delete") == []

    # Editing shows the trip's bookings, with links to them.
    booking = new_booking(staff, customer["id"])
    version = staff.get(f"/api/bookings/{booking['id']}").json()["data"]["version"]
    assert staff.send("PATCH", f"/api/bookings/{booking['id']}", json={"tripId": trip["id"]},
                      headers={"If-Match": str(version)}).status_code == 200
    directory_rows(browser)[f"Carnival {tag}"].find_element(By.CSS_SELECTOR, "button.edit").click()
    link = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#entry-details a")))
    assert link.text == booking["booking_reference"]
    assert link.get_attribute("href").endswith(f"/booking.html?id={booking['id']}")
    name = form.find_element(By.ID, "entry-name")
    name.clear()
    name.send_keys(f"Carnival {tag} group")
    form.find_element(By.ID, "entry-submit").click()
    wait(browser, lambda d: f"Carnival {tag} group" in directory_rows(d))
    assert staff.get(f"/api/trips/{trip['id']}").json()["data"]["name"] == f"Carnival {tag} group"
    assert browser.find_elements(By.CSS_SELECTOR, "#entry-details a") == []
    assert console_problems(browser) == []
