"""Paying in the client portal, end to end through nginx in headless Chromium: "Pay now" on the
customer's booking page, the sandbox checkout's "Pay" / "Decline", the worker's signed webhook that
settles the payment, the invoice it leads to, and the staff's live notification."""

import json
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from chromium import sign_in, wait
from conftest import wait_until
from identity import Browser
from test_bookings import new_booking
from test_live import Stream

TOTAL = "€3,400.00"  # test_bookings.new_booking: 2 × 1,250.00 + 900.00 EUR


@pytest.fixture(scope="module")
def demo_customer(stack):
    """The seeded customer record of customer@demo.test (the one the client portal shows)."""
    customer = stack.psql("SELECT id FROM customers WHERE user_id = (SELECT id FROM users "
                          "WHERE email = 'customer@demo.test')")
    assert customer
    return customer


def booking_status(stack, booking_id):
    return stack.psql(f"SELECT status FROM bookings WHERE id = '{booking_id}'")


def open_checkout(stack, driver, booking):
    """Signs in as the customer, opens the booking, clicks "Pay now"; returns the payment id."""
    sign_in(stack, driver, "customer@demo.test", f"/my-booking.html?id={booking['id']}")
    wait(driver, EC.text_to_be_present_in_element((By.ID, "booking-ref"), booking["booking_reference"]))
    pay_now = wait(driver, EC.element_to_be_clickable((By.ID, "pay-now")))
    assert pay_now.text == "Pay now"
    assert driver.find_element(By.ID, "payments-outstanding").text == TOTAL
    assert driver.find_element(By.ID, "payments-paid").text == "€0.00"
    assert driver.find_element(By.CSS_SELECTOR, "#payments .empty").text == "No payments yet."
    pay_now.click()
    wait(driver, EC.url_contains("/checkout.html?payment="))
    payment_id = driver.current_url.split("payment=", 1)[1]
    wait(driver, EC.element_to_be_clickable((By.ID, "checkout-pay")))
    assert driver.find_element(By.ID, "checkout-booking").text == booking["booking_reference"]
    assert driver.find_element(By.ID, "checkout-amount").text == TOTAL
    assert driver.find_element(By.CSS_SELECTOR, "#checkout-status .badge").get_attribute("data-status") \
        == "requires_action"
    assert "Sandbox — no real money moves" in driver.find_element(By.ID, "sandbox-note").text
    assert driver.find_element(By.ID, "checkout-decline").is_enabled()
    assert stack.psql(f"SELECT booking_id || ' ' || provider || ' ' || status || ' ' || amount_minor "
                      f"FROM payments WHERE id = '{payment_id}'") \
        == f"{booking['id']} sandbox requires_action 340000"
    return payment_id


def test_the_customer_pays_at_the_sandbox_checkout_and_staff_hear_of_it_live(stack, driver, staff, demo_customer):
    booking = new_booking(staff, demo_customer)
    stream = Stream(stack, staff)  # open before paying: the notification must arrive live
    try:
        time.sleep(0.3)
        payment_id = open_checkout(stack, driver, booking)

        driver.find_element(By.ID, "checkout-pay").click()
        result = wait(driver, EC.text_to_be_present_in_element((By.ID, "checkout-result"), "Payment succeeded"), 25)
        assert result
        assert TOTAL in driver.find_element(By.ID, "checkout-result").text
        assert not driver.find_element(By.ID, "checkout-pay").is_enabled()
        assert not driver.find_element(By.ID, "checkout-decline").is_enabled()
        assert driver.find_element(By.CSS_SELECTOR, "#checkout-status .badge").get_attribute("data-status") \
            == "succeeded"

        # The webhook settled the payment and confirmed the booking; the worker writes the invoice.
        payment = staff.get(f"/api/payments/{payment_id}").json()["data"]
        assert payment["status"] == "succeeded" and payment["captured_minor"] == 340000
        assert payment["booking_status"] == "payment_confirmed"
        assert booking_status(stack, booking["id"]) == "payment_confirmed"
        assert wait_until(lambda: stack.psql(
            f"SELECT count(*) FROM invoices WHERE booking_id = '{booking['id']}'") == "1")

        event = stream.wait_for(
            "notification",
            lambda d: d["notification"]["type"] in ("booking_status_changed", "payment_received")
            and d["notification"]["metadata"].get("booking_id") == booking["id"],
            seconds=20)
        assert event is not None, stream.events
        assert json.loads(event["data"])["notification"]["metadata"]["booking_id"] == booking["id"]
    finally:
        stream.close()

    # Back to the booking: paid in full, nothing left to pay.
    back = driver.find_element(By.ID, "checkout-back-link")
    assert back.get_attribute("href") == f"{stack.url}/my-booking.html?id={booking['id']}"
    back.click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "payments-paid"), TOTAL))
    assert driver.find_element(By.ID, "payments-outstanding").text == "€0.00"
    assert not driver.find_element(By.ID, "pay-now").is_displayed()
    badges = driver.find_elements(By.CSS_SELECTOR, "#payments .badge")
    assert [b.get_attribute("data-status") for b in badges] == ["succeeded"]
    assert driver.find_element(By.CSS_SELECTOR, "#booking-status .badge").text == "Paid"


def test_a_declined_payment_fails_and_the_booking_still_waits_for_payment(stack, driver, staff, demo_customer):
    booking = new_booking(staff, demo_customer)
    payment_id = open_checkout(stack, driver, booking)

    driver.find_element(By.ID, "checkout-decline").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "checkout-result"), "Payment declined"), 25)
    assert "declined" in driver.find_element(By.ID, "checkout-result").text
    assert not driver.find_element(By.ID, "checkout-pay").is_enabled()
    assert stack.psql(f"SELECT status FROM payments WHERE id = '{payment_id}'") == "failed"
    assert booking_status(stack, booking["id"]) == "payment_pending"
    assert stack.psql(f"SELECT count(*) FROM invoices WHERE booking_id = '{booking['id']}'") == "0"

    # The customer can try again: the booking still offers "Pay now", and lists the failed payment.
    driver.find_element(By.ID, "checkout-back-link").click()
    wait(driver, EC.element_to_be_clickable((By.ID, "pay-now")))
    assert driver.find_element(By.ID, "payments-outstanding").text == TOTAL
    badges = driver.find_elements(By.CSS_SELECTOR, "#payments .badge")
    assert [b.get_attribute("data-status") for b in badges] == ["failed"]


def test_staff_refund_part_of_a_payment_from_the_booking_page(stack, driver, staff, demo_customer):
    booking = new_booking(staff, demo_customer)
    payment = staff.send("POST", "/api/payments/create-intent", json={
        "bookingId": booking["id"], "provider": "sandbox", "idempotencyKey": f"refund-ui-{booking['id']}"})
    payment_id = payment.json()["data"]["payment"]["id"]
    assert staff.send("POST", f"/api/payments/{payment_id}/sandbox/complete",
                      json={"outcome": "succeeded"}).status_code == 202
    assert wait_until(lambda: booking_status(stack, booking["id"]) == "payment_confirmed")

    sign_in(stack, driver, "staff@demo.test", f"/booking.html?id={booking['id']}")
    amount = wait(driver, EC.visibility_of_element_located((By.ID, f"refund-{payment_id}-amount")))
    amount.send_keys("150.25")
    driver.find_element(By.ID, f"refund-{payment_id}-reason").send_keys("Late pick-up")
    driver.find_element(By.CSS_SELECTOR, f"form[data-payment-id='{payment_id}'] .refund-submit").click()
    assert wait(driver, EC.text_to_be_present_in_element((By.ID, "payments-done"), "€150.25"))
    assert wait_until(lambda: stack.psql(
        f"SELECT amount_minor || ' ' || status || ' ' || reason FROM payment_refunds "
        f"WHERE payment_id = '{payment_id}'") == "15025 succeeded Late pick-up")
    assert stack.psql(f"SELECT status FROM payments WHERE id = '{payment_id}'") == "partially_refunded"
    assert booking_status(stack, booking["id"]) == "payment_confirmed"

    # Cancelling now would leave the rest of the money with the agency: the page says so first.
    driver.refresh()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "payments-refunded"), "€150.25"))
    driver.find_element(By.CSS_SELECTOR, '#transitions button[data-status="cancelled"]').click()
    warning = wait(driver, EC.visibility_of_element_located((By.ID, "transition-warning")))
    assert warning.text.startswith("€3,249.75 of the customer's payments is still held: cancelling does not refund it")
    assert driver.find_element(By.ID, "transition-confirm").text == "Move to Cancelled"


def test_an_open_checkout_is_offered_again_instead_of_a_second_payment(stack, driver, staff, demo_customer):
    booking = new_booking(staff, demo_customer)
    customer = Browser(stack, "customer@demo.test")
    started = customer.send("POST", "/api/payments/create-intent", json={
        "bookingId": booking["id"], "provider": "sandbox", "idempotencyKey": f"open-{booking['id']}"})
    checkout = started.json()["data"]["providerPayload"]["checkoutUrl"]
    sign_in(stack, driver, "customer@demo.test", f"/my-booking.html?id={booking['id']}")
    link = wait(driver, EC.visibility_of_element_located((By.ID, "continue-payment")))
    assert link.get_attribute("href") == stack.url + checkout
    assert not driver.find_element(By.ID, "pay-now").is_displayed()
