"""Log in as a bureau officer in a real browser, see the Chinese home page, log out; and the API
docs render from the vendored Swagger UI under the content-security policy."""
import pytest

from gongjiang.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def bureau_officer(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["惠阳区"], username="demo_bureau", password=DEMO_PASSWORD,
                     display_name="陈思远（惠阳区人社局）")


def test_bureau_officer_logs_in_sees_chinese_home_and_logs_out(browser_page, bureau_officer):
    page = browser_page
    page.goto("/")
    page.click("text=登录办理业务")
    page.fill("input[name=username]", "demo_bureau")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text("main")
    page.fill("input[name=username]", "demo_bureau")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")
    main = page.inner_text("main")
    assert "工作台" in main and "待办事项" in main and "人社局经办人" in main and "惠阳区" in main
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.click("nav.mainnav >> text=组织机构")
    page.wait_for_url("**/accounts/organisations/")
    assert "惠阳区" in page.inner_text("table") and "环翠区" not in page.inner_text("table")
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")
    page.goto("/home/")
    assert "/login/" in page.url


def test_api_docs_render_offline_under_csp(browser_page, browser_login, bureau_officer, live_server):
    page = browser_page
    external = []
    page.on("request", lambda req: None if req.url.startswith((live_server.url, "data:")) else external.append(req.url))
    browser_login(page, "demo_bureau", DEMO_PASSWORD)
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "工匠平台 API" in page.inner_text(".swagger-ui .info")
    page.get_by_text("/api/accounts/me", exact=True).wait_for()
    assert not external, external
