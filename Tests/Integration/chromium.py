"""Headless Chromium for the portal tests (Debian's chromium + chromedriver, selenium from PyPI)."""

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


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
    return WebDriverWait(driver, seconds).until(condition)
