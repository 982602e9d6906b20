"""The report as a person sees it: headless Chromium opens the pages from file://.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (installed by
``.ci/run``) and selenium; skips with the reason when any is missing.
"""

from __future__ import annotations

import shutil

import pytest

from tests.report.conftest import EVIL

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1300,1000",
]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium not found (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _open(driver, path):
    driver.get(path.resolve().as_uri())
    driver.get_log("browser")  # page loaded: drain, then check what the page itself logs
    return driver


def _problems(driver) -> list:
    broken = driver.execute_script(
        "return Array.from(document.images)"
        ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);"
    )
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    return broken + errors


def _load(driver, path):
    driver.get(path.resolve().as_uri())
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight);")
    return _problems(driver)


def _column(driver, table, col: int) -> list[float]:
    return [
        float(td.get_attribute("data-sort"))
        for td in table.find_elements("css selector", f"tbody tr td:nth-child({col + 1})")
        if td.get_attribute("data-sort")
    ]


def test_index_renders_sorts_and_escapes(browser, rendered, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException

    assert _load(browser, rendered.report.path) == []
    assert browser.execute_script("return document.images.length;") >= 7
    assert browser.execute_script("return document.scripts.length;") == 1
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018  (the label's <script> must not run)
    labels = [td.text for td in browser.find_elements("css selector", "table.leaderboard td.label")]
    assert any(EVIL in t for t in labels)  # shown as text
    table = browser.find_element("css selector", "table.leaderboard")
    header = table.find_elements("css selector", "thead th")[1]
    assert header.text.startswith("modes")
    header.click()
    up = _column(browser, table, 1)
    assert up == sorted(up) and len(up) == 3
    header.click()
    down = _column(browser, table, 1)
    assert down == sorted(up, reverse=True)
    first_label = table.find_element("css selector", "tbody tr td.label").text
    assert first_label.startswith("pac")  # the entry with the most modes is now on top
    shot = tmp_path / "index.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_run_page_and_links_back(browser, rendered, tmp_path):
    page = rendered.out / "runs" / f"{rendered.records[0]['run_id']}.html"
    assert _load(browser, page) == []
    assert len(browser.find_elements("css selector", "svg.chart")) >= 3
    browser.find_element("link text", "← leaderboard of fake").click()
    assert browser.current_url.endswith("/index.html")
    assert browser.save_screenshot(str(tmp_path / "run.png"))


def test_reproduce_page(browser, reproduced, tmp_path):
    assert _load(browser, reproduced.reports / "reproduce.html") == []
    assert "Paper vs ganbench" in browser.find_element("tag name", "h1").text
    assert browser.find_elements("css selector", "table.sortable tbody tr")
    assert browser.save_screenshot(str(tmp_path / "reproduce.png"))
