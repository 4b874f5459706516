"""A real headless Chromium, driven by selenium, for the interactive page's tests.

:func:`start_browser` starts the system's Chromium (the Debian packages ``chromium`` and
``chromium-driver``, which ``make test`` installs as it installs Graphviz) with a fresh
profile and nothing that reaches for the network. Where they are absent, the caller skips
with :data:`MISSING` saying why.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def _chromium() -> str | None:
    return next((path for name in CHROMIUM if (path := shutil.which(name))), None)


def missing() -> str:
    """Why no browser can be started here ("" when one can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if _chromium() is None:
        return "Chromium is not installed (the Debian package 'chromium'; make test installs it)"
    if shutil.which(DRIVER) is None:
        return "chromedriver is not installed (the Debian package 'chromium-driver')"
    return ""


def start_browser(width: int = 1400, height: int = 900, dark: bool = False) -> Any:
    """A selenium WebDriver of a fresh headless Chromium (quit it when done)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _chromium() or ""
    profile = tempfile.mkdtemp(prefix="autodiff-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which(DRIVER)))
    driver.set_script_timeout(30)
    driver._autodiff_profile = profile  # removed by stop_browser
    return driver


def stop_browser(driver: Any) -> None:
    """Quit the browser and remove its profile."""
    profile = getattr(driver, "_autodiff_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver: Any, path: Path) -> None:
    """Load a page from a file and wait until its scripting surface is there."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return !!window.autodiffPage"))
