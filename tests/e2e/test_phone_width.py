"""The pages at phone width (375 px): nothing wider than the screen, list rows as cards, the
filters folded away, the menu behind its button, and the English interface without codes."""
from __future__ import annotations

import pytest

from tests.capture.samples import CONG_VAN, decree30_pdf
from tests.e2e.conftest import login, logout, shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
#: what a page must not be wider than, and the elements that stick out when it is
_OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('.table-responsive')) continue;  // scrolls inside its own box
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1) wide.push(el.tagName.toLowerCase() + '.' + el.className);
  }
  return {page: document.documentElement.scrollWidth, screen: vw, wide: wide.slice(0, 5)};
}"""


def _fits(page, what: str) -> None:
    found = page.evaluate(_OVERFLOW)
    assert found["page"] <= found["screen"] and not found["wide"], (what, found)


def _registered_document(page, tmp_path) -> str:
    pdf = tmp_path / "CV-05-UBND.pdf"
    pdf.write_bytes(decree30_pdf(CONG_VAN))
    page.goto("/incoming/new")
    page.set_input_files("[data-testid=incoming-file]", str(pdf))
    page.click("[data-testid=capture-submit]")
    page.wait_for_selector("text=Đã tiếp nhận văn bản")
    page.click("[data-testid=register]")
    page.wait_for_selector("text=Đã vào sổ văn bản đến")
    return page.url


def test_pages_fit_a_phone(page, tmp_path):
    page.set_viewport_size(PHONE)
    login(page, "vanthu")
    doc_url = _registered_document(page, tmp_path)
    _fits(page, "incoming document")
    # the flash is there, with its close button, inside the screen
    assert page.locator("[data-testid=flash-success]").count() == 1
    shot(page, "phone-01-registered")

    page.goto("/incoming")
    _fits(page, "incoming list")
    # rows are cards: the cells say which column they are
    first = page.locator("table.edoc-stack tbody tr").first
    assert first.locator("td[data-label]").count() >= 3
    assert page.locator("table.edoc-stack thead").is_hidden()
    # the filters beyond the search box wait behind "Bộ lọc"
    assert page.locator("#state").is_hidden()
    shot(page, "phone-02-incoming-list")
    page.click("label[for=more-filters]")
    assert page.locator("#state").is_visible()

    # the menu is behind its button
    assert page.locator("#mainnav").is_hidden()
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    assert page.locator("#mainnav [data-testid=notifications]").is_visible()
    page.click(".navbar-toggler")

    for url in ("/", "/outgoing", "/records", "/search?q=quyet+dinh", "/exchange",
                "/incoming/register", "/reports", "/notifications"):
        page.goto(url)
        _fits(page, url)
    shot(page, "phone-03-notifications")

    # English: labels, not the stored codes. The choice is kept on the account: switched back
    # whatever happens, the other journeys sign in as the same clerk.
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    page.request.post("/lang/en", form={"csrf_token": token, "next": "/"})
    try:
        page.goto(doc_url)
        _fits(page, "incoming document, English")
        files = page.inner_text("[data-testid=files]")
        assert "Receipt-stamped copy" in files and "Original" in files
        assert "CV-05-UBND-dau-den.pdf" in files
        timeline = page.inner_text("[data-testid=timeline]")
        assert "Registered" in timeline and "register" not in timeline
        assert page.locator("#m-type option:checked").inner_text() == "Official letter"
        shot(page, "phone-04-document-english")
    finally:
        page.request.post("/lang/vi", form={"csrf_token": token, "next": "/"})
    page.set_viewport_size({"width": 1366, "height": 900})
    logout(page)
