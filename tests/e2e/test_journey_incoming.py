"""Journey 1: a clerk captures and registers a document, a leader assigns it, an officer
completes it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.capture.samples import QUYET_DINH, decree30_pdf
from tests.e2e.conftest import login, logout, shot

pytestmark = pytest.mark.e2e


def test_incoming_document_from_upload_to_done(page, tmp_path):
    pdf = tmp_path / "QD-15-SNV.pdf"
    pdf.write_bytes(decree30_pdf(QUYET_DINH))

    login(page, "vanthu")
    shot(page, "01-clerk-home")
    page.click("text=Văn bản đến")
    page.click("[data-testid=new-incoming]")
    page.set_input_files("[data-testid=incoming-file]", str(pdf))
    page.click("[data-testid=capture-submit]")
    page.wait_for_selector("text=Đã tiếp nhận văn bản")
    # The suggestion filled number, notation and subject from the first page.
    assert page.input_value("#m-number") == "15"
    assert page.input_value("#m-notation") == "QĐ-SNV"
    assert "đào tạo" in page.input_value("#m-subject")
    doc_url = page.url
    shot(page, "02-clerk-captured")
    page.click("[data-testid=register]")
    page.wait_for_selector("text=Đã vào sổ văn bản đến")
    assert re.search(r"Số đến: \d+/\d{4}", page.inner_text("[data-testid=registration-number]"))
    leader = page.locator("[data-testid=leader-select] option", has_text="Lê Văn Hùng")
    page.select_option("[data-testid=leader-select]", value=leader.get_attribute("value"))
    page.click("[data-testid=submit-leader]")
    page.wait_for_selector("text=Đã trình lãnh đạo")
    shot(page, "03-clerk-registered")
    logout(page)

    login(page, "lanhdao")
    page.goto("/incoming?box=to_assign")
    page.click(f"a[href='{urlsplit(doc_url).path}']")
    page.select_option("[data-testid=assign-lead]", label="Phòng Kinh tế")
    page.fill("[data-testid=assign-direction]", "Giao Phòng Kinh tế chủ trì, báo cáo kết quả.")
    page.fill("#deadline_days", "5")
    shot(page, "04-leader-assigning")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("text=Đã phân công xử lý")
    logout(page)

    login(page, "chuyenvien")
    page.goto("/incoming?box=mine")
    assert page.locator("[data-testid=doc-link]").count() >= 1
    page.goto(doc_url)
    page.click("[data-testid=progress]")
    page.wait_for_selector("text=Đã bắt đầu xử lý")
    page.fill("[data-testid=complete-result]", "Đã tham mưu văn bản trả lời Sở Nội vụ.")
    page.click("[data-testid=complete]")
    page.wait_for_selector("text=Đã hoàn thành xử lý văn bản")
    assert "Hoàn thành" in page.inner_text("[data-testid=state]")
    timeline = page.inner_text("[data-testid=timeline]")
    for step in ("Tiếp nhận", "Vào sổ", "Trình lãnh đạo", "Phân công", "Bắt đầu xử lý",
                 "Hoàn thành"):
        assert step in timeline
    shot(page, "05-officer-done")
