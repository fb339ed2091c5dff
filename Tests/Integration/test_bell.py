"""The notification bell in the portal header (headless Chromium): live badge, dropdown, read state,
and the full notifications page."""

import os
import tempfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from chromium import new_driver, sign_in, wait
from identity import DEMO_TRAVEL, Browser
from test_notifications import DEMO_BOOKING, client_save

TITLE = "Booking ITN-DEMO01 updated by client"
# The open dropdown is saved here for a look (outside the repository).
SCREENSHOTS = Path(os.environ.get("ITINERA_SCREENSHOTS", tempfile.gettempdir()))


@pytest.fixture
def driver(stack):
    stack.psql("DELETE FROM login_attempts")
    driver = new_driver()
    yield driver
    driver.quit()
    stack.psql("DELETE FROM login_attempts")


@pytest.fixture
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {"staff": Browser(stack, "staff@demo.test"), "customer": Browser(stack, "customer@demo.test")}



def badge(driver):
    """(count the bell shows, whether its badge is visible)."""
    wrap = driver.find_element(By.CSS_SELECTOR, ".site-header .bell")
    return int(wrap.get_attribute("data-unread")), driver.find_element(By.CSS_SELECTOR, ".bell-badge").is_displayed()


def wait_live(driver):
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".bell").get_attribute("data-live") == "stream")


def unread_count(browser):
    return browser.get("/api/notifications/unread-count").json()["data"]["unread"]


def open_dropdown(driver):
    driver.find_element(By.CSS_SELECTOR, ".bell-button").click()
    wait(driver, EC.visibility_of_element_located((By.ID, "bell-panel")))
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".bell-item")))


def test_the_badge_follows_a_client_save_live_and_the_dropdown_leads_to_the_booking(stack, driver, people):
    staff = people["staff"]
    sign_in(stack, driver, "staff@demo.test", "/bookings.html", ready=".site-header .bell-button")
    wait_live(driver)
    wait(driver, lambda d: badge(d)[0] == unread_count(staff))
    before, _ = badge(driver)
    url = driver.current_url
    driver.execute_script("window.__noReload = 'still here'")

    assert client_save({"customer": people["customer"]}).status_code == 200
    wait(driver, lambda d: badge(d)[0] == before + 1, seconds=5)
    assert driver.current_url == url
    assert driver.execute_script("return window.__noReload") == "still here"
    count, visible = badge(driver)
    assert visible and driver.find_element(By.CSS_SELECTOR, ".bell-badge").text == str(count)
    assert driver.find_element(By.CSS_SELECTOR, ".bell-button").get_attribute("aria-label") == \
        f"Notifications, {count} unread"
    wait(driver, lambda d: TITLE in d.find_element(By.ID, "bell-live").get_attribute("textContent"))

    open_dropdown(driver)
    first = driver.find_element(By.CSS_SELECTOR, ".bell-item")
    assert first.find_element(By.CSS_SELECTOR, ".bell-item-title").text == TITLE
    assert "unread" in first.get_attribute("class")
    assert first.find_element(By.CSS_SELECTOR, ".bell-item-time").text == "just now"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "itinera-bell-dropdown.png"))
    note_id = first.get_attribute("data-id")
    # Escape closes and gives the focus back to the bell; clicking the bell again reopens.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait(driver, EC.invisibility_of_element_located((By.ID, "bell-panel")))
    assert driver.switch_to.active_element.get_attribute("id") == "bell-button"
    open_dropdown(driver)
    driver.find_element(By.CSS_SELECTOR, f'.bell-item[data-id="{note_id}"] a').click()
    wait(driver, EC.url_to_be(f"{stack.url}/booking.html?id={DEMO_BOOKING}"))
    note = [n for n in staff.get("/api/notifications?limit=20").json()["data"]["items"] if n["id"] == note_id][0]
    assert note["title"] == TITLE and note["read_at"] is not None


def test_mark_all_read_and_click_outside(stack, driver, people):
    staff = people["staff"]
    assert client_save({"customer": people["customer"]}).status_code == 200
    sign_in(stack, driver, "staff@demo.test", "/bookings.html", ready=".site-header .bell-button")
    wait(driver, lambda d: badge(d)[0] == unread_count(staff) > 0)
    open_dropdown(driver)
    driver.find_element(By.TAG_NAME, "h1").click()
    wait(driver, EC.invisibility_of_element_located((By.ID, "bell-panel")))
    open_dropdown(driver)
    driver.find_element(By.CSS_SELECTOR, ".bell-mark-all").click()
    wait(driver, lambda d: badge(d) == (0, False))
    assert driver.find_elements(By.CSS_SELECTOR, ".bell-item.unread") == []
    assert unread_count(staff) == 0
    assert driver.find_element(By.CSS_SELECTOR, ".bell-button").get_attribute("aria-label") == \
        "Notifications, none unread"


def test_notifications_page_filters_unread_and_deletes(stack, driver, people):
    staff = people["staff"]
    staff.send("POST", "/api/notifications/read-all")
    assert client_save({"customer": people["customer"]}).status_code == 200
    sign_in(stack, driver, "staff@demo.test", "/notifications.html", ready=".site-header .bell-button")
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".notification")))
    all_rows = driver.find_elements(By.CSS_SELECTOR, ".notification")
    assert len(all_rows) > 1 and len([r for r in all_rows if "unread" in r.get_attribute("class")]) == 1

    driver.find_element(By.ID, "unread-only").click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".notification")) == 1)
    row = driver.find_element(By.CSS_SELECTOR, ".notification")
    assert "unread" in row.get_attribute("class") and row.find_element(By.CSS_SELECTOR, "a").text == TITLE
    assert driver.current_url.endswith("/notifications.html?unread=1")
    note_id = row.get_attribute("data-id")

    # Mark read: it leaves the unread list, the bell drops to 0.
    row.find_element(By.CSS_SELECTOR, ".toggle-read").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".notification") == [])
    wait(driver, lambda d: badge(d) == (0, False))
    assert driver.find_element(By.ID, "empty").text == "No unread notifications."

    # Back to all, mark it unread again, then delete it.
    driver.find_element(By.ID, "unread-only").click()
    selector = f'.notification[data-id="{note_id}"]'
    row = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, selector)))
    row.find_element(By.CSS_SELECTOR, ".toggle-read").click()
    wait(driver, lambda d: "unread" in d.find_element(By.CSS_SELECTOR, selector).get_attribute("class"))
    wait(driver, lambda d: badge(d) == (1, True))
    driver.find_element(By.CSS_SELECTOR, f"{selector} .delete").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, selector) == [])
    wait(driver, lambda d: badge(d) == (0, False))
    assert note_id not in [n["id"] for n in staff.get("/api/notifications?limit=100").json()["data"]["items"]]


def test_load_more_pages_with_the_cursor(stack, driver, people):
    staff = people["staff"]
    total = len(staff.get("/api/notifications?limit=100").json()["data"]["items"])
    for _ in range(max(0, 21 - total)):
        assert client_save({"customer": people["customer"]}).status_code == 200
    sign_in(stack, driver, "staff@demo.test", "/notifications.html", ready=".site-header .bell-button")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".notification")) == 20)
    more = driver.find_element(By.ID, "load-more")
    assert more.is_displayed()
    more.click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".notification")) > 20)
    ids = [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, ".notification")]
    assert len(ids) == len(set(ids))


def test_a_customer_sees_markup_in_a_title_as_text(stack, driver):
    title = "<img src=x onerror=alert(1)> Your <b>trip</b>"
    stack.psql(
        "INSERT INTO notifications (team_id, recipient_user_id, type, title, message, link_path) "
        f"SELECT '{DEMO_TRAVEL}', id, 'test_markup', '{title}', '<script>alert(2)</script>', "
        f"'/booking/{DEMO_BOOKING}' FROM users WHERE email = 'customer@demo.test'")
    sign_in(stack, driver, "customer@demo.test", "/", ready=".site-header .bell-button")
    wait(driver, lambda d: badge(d)[0] >= 1)
    open_dropdown(driver)
    first = driver.find_element(By.CSS_SELECTOR, ".bell-item")
    assert first.find_element(By.CSS_SELECTOR, ".bell-item-title").text == title
    assert first.find_element(By.CSS_SELECTOR, ".bell-item-message").text == "<script>alert(2)</script>"
    assert driver.find_elements(By.CSS_SELECTOR, ".site-header img, .site-header b, .bell-panel script") == []
    # A customer's booking link leads to their booking in the client portal.
    target = f"{stack.url}/my-booking.html?id={DEMO_BOOKING}"
    assert first.find_element(By.CSS_SELECTOR, "a").get_attribute("href") == target
    first.find_element(By.CSS_SELECTOR, "a").click()
    wait(driver, EC.url_to_be(target))
    driver.get(stack.url + "/notifications.html")
    row = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".notification")))
    assert row.find_element(By.CSS_SELECTOR, ".notification-title").text == title
    assert "unread" not in row.get_attribute("class")
    problems = [e["message"] for e in driver.get_log("browser")
                if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]
    assert problems == []


def test_without_eventsource_the_bell_polls(stack, driver, people):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": "delete window.EventSource;"})
    sign_in(stack, driver, "staff@demo.test", "/bookings.html", ready=".site-header .bell-button")
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".bell").get_attribute("data-live") == "polling")
    wait(driver, lambda d: badge(d)[0] == unread_count(people["staff"]))
