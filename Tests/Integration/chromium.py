"""Headless Chromium for the portal tests (Debian's chromium + chromedriver, selenium from PyPI)."""

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from identity import DEMO_PASSWORD


def new_driver(width=1280, height=1000):
    """A headless Chromium in en-US (money and dates the pages format are predictable), with the
    browser console log kept so tests can check for CSP violations and script errors."""
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-US",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def console_problems(driver):
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]


def wait(driver, condition, seconds=10):
    """Waits until `condition` holds. A page that re-renders a list while the condition reads it
    leaves stale elements behind: that is "not yet", like an element not found."""
    return WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def sign_in(stack, driver, email, page, ready=".site-header .who-name", password=DEMO_PASSWORD):
    """Signs in through the login page, which returns to `page`; waits until `ready` is shown."""
    driver.get(f"{stack.url}/login.html?next={page}")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, EC.url_to_be(stack.url + page))
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ready)))
