"""An officer downloads a holder's certificate; the PDF page is rendered to an image (pypdfium2),
its QR code decoded with a real decoder (zxing-cpp), and the decoded URL opened in chromium shows the
certificate as valid — and, after a revocation (赣州 第十二条), as revoked at once."""
import datetime as dt

import pypdfium2
import pytest
import zxingcpp

from gongjiang.honours import services
from gongjiang.honours.tests.factories import approve_candidates
from gongjiang.rounds.tests.factories import open_round

PASSWORD = "correct-horse-battery-9"


@pytest.mark.browser
def test_certificate_qr_opens_verification_page(browser_page, browser_login, jurisdictions, make_user, make_org,
                                                clock, settings, live_server):
    settings.SITE_URL = live_server.url
    city = jurisdictions["赣州市"]
    officer = make_user("bureau", city, username="ganzhou_officer", password=PASSWORD)
    rnd = open_round(policy_code="ganzhou-craftsman", organiser=city, actor=officer, code="browser-ganzhou")
    [honour] = approve_candidates(rnd, ["王磊"], actor=officer, district=city, decided_on=dt.date(2026, 3, 2),
                                  employer=make_org(parent=city), number="赣市府字〔2026〕5号")
    page = browser_page
    browser_login(page, "ganzhou_officer", PASSWORD)
    page.goto(f"/honours/{honour.pk}/")
    pdf_url = page.get_attribute("a[href$='certificate.pdf']", "href")
    response = page.request.get(pdf_url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    image = pypdfium2.PdfDocument(response.body())[0].render(scale=2).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.text.startswith(live_server.url + "/certificates/v/")

    visitor = page.context.browser.new_context(locale="zh-CN")  # a member of the public: no login
    public = visitor.new_page()
    public.goto(code.text)
    assert "有效" in public.inner_text("#verdict")
    assert "赣州市人民政府" in public.inner_text("#verification") and "GZGJ000001" in public.inner_text("#verification")

    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=officer,
                    document_no="赣市人社字〔2026〕88号", decided_by="市人社局核实", reason="申报材料弄虚作假")
    public.reload()
    assert "已撤销" in public.inner_text("#verdict")
    visitor.close()
