"""Browser fixtures (Playwright, sync API) on pytest-django's live_server, driving Debian's chromium.

    @pytest.mark.browser
    def test_something(browser_page, browser_login, make_user, jurisdictions):
        user = make_user("bureau", jurisdictions["惠阳区"], password="correct-horse-battery-9")
        browser_login(browser_page, user.username, "correct-horse-battery-9")
        browser_page.goto("/notices/")          # relative to live_server.url

`browser_page` fails the test on any script error or CSP violation the page reports (failed
resource loads such as a 404 favicon or a deliberate 400 are left to the test's own assertions).
"""
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# htmx 2 inserts an inline <style> for its request indicators unless the page sets
# <meta name="htmx-config" content='{"includeIndicatorStyles":false}'>; web/base.html does not yet,
# so exactly that violation (this hash) is tolerated. Any other inline style or script fails.
HTMX_INDICATOR_STYLE_HASH = "sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk="
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def gj_browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(gj_browser, live_server):
    context = gj_browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []

    def on_console(msg):
        # HTTP error statuses are the tests' own business (a refused form is a 400 on purpose);
        # script errors and CSP violations are not.
        if msg.type != "error" or msg.text.startswith("Failed to load resource"):
            return
        if "Content Security Policy" in msg.text and HTMX_INDICATOR_STYLE_HASH in msg.text:
            return
        errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def browser_login():
    """Log `username` in through the login page of the given page."""

    def login(page, username, password):
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/home/")

    return login
