"""Journey 2: an officer drafts a document, a leader approves and signs it, the clerk issues,
seals and dispatches it to the other demo agency, which receives it through the axis simulator
and sends back its statuses."""
from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import login, logout, shot

pytestmark = pytest.mark.e2e

SUBJECT = "Về việc đăng ký nhu cầu bồi dưỡng kỹ năng chuyển đổi số cho cán bộ phường"
PROVINCE = "000.00.00.H44"
#: background work (LibreOffice rendition, the exchange loop polling every second) is given
#: this long before the journey fails; it normally takes a few seconds
WAIT_SECONDS = 45


def reload_until(page, ready, what: str, timeout: float = WAIT_SECONDS) -> None:
    """Reload ``page`` until ``ready(page)`` holds: the page is rendered by the server, and the
    state we wait for is reached by a background thread."""
    deadline = time.monotonic() + timeout
    delay = 0.25
    while not ready(page):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what} on {page.url}")
        page.wait_for_timeout(delay * 1000)
        delay = min(delay * 1.5, 1.5)
        page.reload()


def option_value(page, select: str, label_part: str) -> str:
    option = page.locator(f"{select} option", has_text=label_part).first
    return option.get_attribute("value")


def test_outgoing_document_from_draft_to_recipient_statuses(page):
    # --- the officer drafts a Công văn from the Decree 30 template --------------------------
    login(page, "chuyenvien")
    page.goto("/outgoing/new")
    page.click("[data-testid=tab-template]")
    form = "[data-testid=template-form]"
    page.select_option(f"{form} [data-testid=template-meta-type]", value="cong_van")
    page.fill(f"{form} [data-testid=template-meta-subject]", SUBJECT)
    page.select_option(f"{form} [data-testid=template-meta-signer]",
                       value=option_value(page, f"{form} [data-testid=template-meta-signer]",
                                          "Lê Văn Hùng"))
    page.select_option(f"{form} [data-testid=template-meta-recipient-organs]", value=PROVINCE)
    page.fill("#t-addressees", "Ủy ban nhân dân tỉnh Phú Thọ")
    page.fill("[data-testid=template-body]", "\n".join([
        "Thực hiện Kế hoạch chuyển đổi số năm 2026 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân "
        "phường Vĩnh Phúc đăng ký nhu cầu bồi dưỡng kỹ năng số cho 25 cán bộ, công chức.",
        "Đề nghị Ủy ban nhân dân tỉnh xem xét, bố trí lớp bồi dưỡng trong quý II năm 2026.",
    ]))
    shot(page, "j2-01-officer-drafting")
    page.click("[data-testid=create-template]")
    page.wait_for_selector("text=Đã tạo dự thảo.")
    doc_url = page.url
    assert re.search(r"/outgoing/\d+$", doc_url)
    # The DOCX is converted to PDF by the background worker: the page says so until it is done.
    reload_until(page, lambda p: p.locator("[data-testid=pdf-preview]").count() == 1,
                 "the PDF rendition of the draft")
    assert page.locator("[data-testid=rendition-pending]").count() == 0
    page.select_option("[data-testid=submit-reviewer-1]",
                       value=option_value(page, "[data-testid=submit-reviewer-1]",
                                          "Lê Văn Hùng"))
    shot(page, "j2-02-officer-draft-rendered")
    page.click("[data-testid=submit-review]")
    page.wait_for_selector("text=Đã trình duyệt dự thảo.")
    assert "Chờ duyệt" in page.inner_text("[data-testid=step-1]")
    logout(page)

    # --- the leader approves, then signs with the key's passphrase --------------------------
    login(page, "lanhdao")
    page.goto(doc_url)
    page.fill("[data-testid=review-comment]", "Đồng ý nội dung, trình ký.")
    page.click("[data-testid=approve]")
    page.wait_for_selector("text=Đã duyệt dự thảo.")
    page.fill("[data-testid=sign-secret]", "edoc-demo")
    shot(page, "j2-03-leader-signing")
    page.click("[data-testid=sign]")
    page.wait_for_selector("text=Đã ký số văn bản.")
    assert "Đã ký" in page.inner_text("[data-testid=state]")
    logout(page)

    # --- the clerk issues a number, seals and dispatches through the axis -------------------
    login(page, "vanthu")
    page.goto(doc_url)
    page.click("[data-testid=issue]")
    page.wait_for_selector("text=Đã cấp số")
    notation = page.inner_text("[data-testid=number-notation]")
    assert re.search(r"\d+/[^\s]*UBND", notation), notation
    page.fill("[data-testid=seal-secret]", "edoc-demo")
    page.click("[data-testid=seal]")
    page.wait_for_selector("text=Đã ký số của cơ quan.")
    # The planned external recipient comes preselected from the draft.
    assert page.locator(f"[data-testid=dispatch-organs] option[value='{PROVINCE}']") \
        .evaluate("o => o.selected")
    shot(page, "j2-04-clerk-dispatching")
    page.click("[data-testid=dispatch]")
    page.wait_for_selector("text=Đã phát hành tới 1 nơi nhận.")
    assert "Đã phát hành" in page.inner_text("[data-testid=state]")
    logout(page)

    # --- the province receives it through the axis simulator and handles it -----------------
    login(page, "vanthu.tinh")
    page.goto("/incoming?box=to_register")
    arrived = page.locator("[data-testid=doc-link]", has_text=SUBJECT[:40])
    reload_until(page, lambda p: arrived.count() == 1, "the document at the province")
    shot(page, "j2-05-province-inbox")
    arrived.click()
    page.wait_for_selector("[data-testid=register]")
    in_url = page.url
    assert "trục liên thông" in page.inner_text("body")
    page.click("[data-testid=register]")
    page.wait_for_selector("text=Đã vào sổ văn bản đến")
    page.select_option("[data-testid=leader-select]",
                       value=option_value(page, "[data-testid=leader-select]", "Lê Văn Hùng"))
    page.click("[data-testid=submit-leader]")
    page.wait_for_selector("text=Đã trình lãnh đạo.")
    logout(page)

    login(page, "lanhdao.tinh")
    page.goto(in_url)
    page.select_option("[data-testid=assign-lead]", label="Phòng Kinh tế ngành")
    page.fill("[data-testid=assign-direction]", "Giao Phòng Kinh tế ngành tổng hợp, đề xuất.")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("text=Đã phân công xử lý.")
    logout(page)

    login(page, "chuyenvien.tinh")
    page.goto(in_url)
    page.click("[data-testid=progress]")
    page.wait_for_selector("text=Đã bắt đầu xử lý.")
    page.fill("[data-testid=complete-result]", "Đã đưa phường Vĩnh Phúc vào lớp bồi dưỡng quý II.")
    page.click("[data-testid=complete]")
    page.wait_for_selector("text=Đã hoàn thành xử lý văn bản.")
    shot(page, "j2-06-province-done")
    logout(page)

    # --- back at the ward: the delivery shows the statuses the province sent back -----------
    login(page, "vanthu")
    page.goto(doc_url)
    deliveries = page.locator("[data-testid=deliveries]")

    def statuses_back(p) -> bool:
        text = deliveries.inner_text() if deliveries.count() else ""
        return all(s in text for s in ("Đã đến", "Đã vào sổ", "Đã phân công", "Hoàn thành"))

    reload_until(page, statuses_back, "statuses 01, 03, 04 and 06 from the province")
    history = deliveries.locator("ol li").all_inner_texts()
    order = [next(i for i, h in enumerate(history) if label in h)
             for label in ("Đã đến", "Đã vào sổ", "Đã phân công", "Hoàn thành")]
    assert order == sorted(order), history
    assert "Hoàn thành" in deliveries.locator("[data-testid=delivery-status]").inner_text()
    assert PROVINCE in deliveries.inner_text()
    shot(page, "j2-07-ward-statuses")
