"""The portal in a real browser (headless Chromium): sign-in, the shared header, sign-out."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from chromium import new_driver, wait
from identity import DEMO_PASSWORD


@pytest.fixture
def browser(stack):
    stack.psql("DELETE FROM login_attempts")
    driver = new_driver()
    yield driver
    driver.quit()
    stack.psql("DELETE FROM login_attempts")



def sign_in(driver, email, password):
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()


def test_home_sends_a_visitor_to_login_and_back_after_sign_in(stack, browser):
    browser.get(stack.url + "/")
    wait(browser, EC.url_contains("/login.html?next=%2F"))
    sign_in(browser, "staff@demo.test", DEMO_PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".site-header .who-name")))
    assert browser.current_url == stack.url + "/"
    assert browser.find_element(By.CSS_SELECTOR, ".who-name").text == "Sam Staff"
    assert browser.find_element(By.CSS_SELECTOR, ".who-team").text == "Demo Travel"
    assert browser.find_element(By.CSS_SELECTOR, ".who-role").text == "staff"
    # On a laptop-wide window the staff header is one row: links, who is signed in, the bell, Log out.
    header = browser.find_element(By.CSS_SELECTOR, ".site-header").rect
    row = browser.find_element(By.CSS_SELECTOR, ".site-nav a").rect
    logout = browser.find_element(By.CSS_SELECTOR, ".site-header .logout").rect
    assert logout["y"] < row["y"] + row["height"], "Log out wrapped below the links"
    assert header["height"] < 2 * logout["height"] + 24
    wait(browser, EC.text_to_be_present_in_element((By.ID, "health"), "database up"))
    # The session cookie is not visible to scripts.
    assert "itinera_session" not in browser.execute_script("return document.cookie")

    browser.find_element(By.CSS_SELECTOR, ".site-header .logout").click()
    wait(browser, EC.url_contains("/login.html"))
    browser.get(stack.url + "/")
    wait(browser, EC.url_contains("/login.html"))


def test_wrong_password_shows_an_error_and_stays(stack, browser):
    browser.get(stack.url + "/login.html")
    sign_in(browser, "staff@demo.test", "not-it")
    error = wait(browser, EC.visibility_of_element_located((By.ID, "login-error")))
    assert error.text == "The e-mail or password is wrong."
    assert "/login.html" in browser.current_url


def test_next_never_leaves_the_site(stack, browser):
    browser.get(stack.url + "/login.html?next=//evil.example/")
    sign_in(browser, "customer@demo.test", DEMO_PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".site-header")))
    assert browser.current_url == stack.url + "/"


def test_names_are_shown_as_text_never_as_markup(stack, browser):
    from identity import cli
    cli(stack, "user", "add", "--email", "markup@demo.test", "--name", "<img src=x onerror=alert(1)>",
        "--team", "Demo Travel", "--role", "staff", "--password-stdin", stdin="markup-password\n")
    browser.get(stack.url + "/login.html")
    sign_in(browser, "markup@demo.test", "markup-password")
    name = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".who-name")))
    assert name.text == "<img src=x onerror=alert(1)>"
    assert browser.find_elements(By.CSS_SELECTOR, ".site-header img") == []
