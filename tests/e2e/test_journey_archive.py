"""Journey 3: a unit builds a record and transfers it; the archivist accepts the transfer, finds
the record with an unaccented query and exports its package (a BagIt zip with a valid METS)."""
from __future__ import annotations

import re
import zipfile
from datetime import timedelta

import bagit
import pytest
from lxml import etree

from archive import validate_mets, verify_package
from archive.mets_schema import safe_parser
from edoc.i18n import local_today
from tests.capture.samples import Decree30Doc, decree30_pdf
from tests.e2e.conftest import login, logout, shot

pytestmark = pytest.mark.e2e


def _invitation(day, year: int) -> Decree30Doc:
    return Decree30Doc(
        agency_lines=("UBND TỈNH PHÚ THỌ", "VĂN PHÒNG"),
        number_line="Số: 118/GM-VP",
        place_date=f"Phú Thọ, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        heading="GIẤY MỜI",
        subject_lines=(f"Dự Hội nghị tổng kết công tác năm {year}",
                       f"và triển khai nhiệm vụ năm {year + 1}"),
        body=("Kính gửi: Ủy ban nhân dân phường Vĩnh Phúc.",
              "Văn phòng Ủy ban nhân dân tỉnh trân trọng kính mời lãnh đạo Ủy ban nhân dân "
              "phường dự Hội nghị tổng kết công tác năm.",
              "Thời gian: 08 giờ 00, tại Hội trường Ủy ban nhân dân tỉnh."),
    )


def test_archivist_accepts_finds_unaccented_and_exports(page, live_system, tmp_path):
    with live_system.app.app_context():
        today = local_today()  # the agency's calendar day, as the app sees it
    year = today.year
    # The invitation is a few days old, but of this year: the record is this year's.
    dated = max(today - timedelta(days=3), today.replace(month=1, day=1))
    title = f"Hồ sơ hội nghị tổng kết công tác năm {year}"
    pdf = tmp_path / "GM-118-VP.pdf"
    pdf.write_bytes(decree30_pdf(_invitation(dated, year)))

    # --- the clerk of the office captures and registers the invitation ----------------------
    login(page, "vanthu")
    page.goto("/incoming/new")
    page.set_input_files("[data-testid=incoming-file]", str(pdf))
    page.click("[data-testid=capture-submit]")
    page.wait_for_selector("text=Đã tiếp nhận văn bản")
    assert page.input_value("#m-notation") == "GM-VP"
    assert page.input_value("#m-subject") == (f"Dự Hội nghị tổng kết công tác năm {year} "
                                              f"và triển khai nhiệm vụ năm {year + 1}")
    page.click("[data-testid=register]")
    page.wait_for_selector("text=Đã vào sổ văn bản đến")

    # --- ... opens the office's record from the file plan, files the document, closes it ----
    page.goto("/records/new")
    entry = page.locator("[data-testid=file-plan-entry] option", has_text="01.VP")
    page.select_option("[data-testid=file-plan-entry]", value=entry.get_attribute("value"))
    # The record starts with its first document.
    page.fill("[data-testid=open-from-plan] #f-start_date", dated.isoformat())
    page.fill("[data-testid=open-from-plan] #f-keywords", "hội nghị, tổng kết")
    page.click("[data-testid=open-record]")
    page.wait_for_selector("text=Đã lập hồ sơ")
    record_id = int(re.search(r"/records/(\d+)$", page.url).group(1))
    page.fill("[data-testid=record-metadata] #f-title", title)
    page.click("[data-testid=save-record]")
    page.wait_for_selector("text=Đã lưu thông tin hồ sơ.")
    assert page.inner_text("[data-testid=record-title]") == title
    page.locator("label", has_text="118/GM-VP").locator("[data-testid=candidate-document]").check()
    page.click("[data-testid=add-documents]")
    page.wait_for_selector("text=Đã thêm 1 văn bản vào hồ sơ.")
    assert page.locator("[data-testid=record-document]").count() == 1
    shot(page, "j3-01-unit-record")
    page.click("[data-testid=record-close]")
    page.wait_for_selector("text=Đã kết thúc hồ sơ.")
    page.fill("#f-note", "Nộp lưu hồ sơ hội nghị tổng kết.")
    page.click("[data-testid=record-transfer]")
    page.wait_for_selector("text=Đã nộp lưu hồ sơ")
    logout(page)

    # --- the archivist accepts it from the transfer inbox ------------------------------------
    login(page, "luutru")
    page.goto("/archive/inbox")
    accept = page.locator(f"[data-testid=accept-record][data-record-id='{record_id}']")
    assert title in page.locator("[data-testid=inbox-item]", has=accept).inner_text()
    shot(page, "j3-02-archivist-inbox")
    accept.click()
    page.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    assert page.locator(
        f"[data-testid=accept-record][data-record-id='{record_id}']").count() == 0

    # --- ... finds it without diacritics ------------------------------------------------------
    page.goto("/archive/search")
    page.fill("[data-testid=archive-search-q]", "ho so hoi nghi tong ket")
    page.click("[data-testid=archive-search-submit]")
    page.wait_for_selector("[data-testid=archive-result]")
    hit = page.locator("[data-testid=archive-result]", has_text=title[-20:]).first
    assert "Hồ sơ" in hit.inner_text()
    shot(page, "j3-03-archive-search")
    hit.locator("[data-testid=archive-result-link]").click()
    page.wait_for_url(f"**/records/{record_id}")
    assert page.inner_text("[data-testid=record-title]") == title
    assert "Đã lưu trữ" in page.inner_text("[data-testid=record-state]") or \
        page.locator("[data-testid=frozen-notice]").count() == 1

    # --- ... and exports its archival package ------------------------------------------------
    with page.expect_download(timeout=60000) as info:
        page.click("[data-testid=record-export]")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    package = tmp_path / download.suggested_filename
    download.save_as(package)
    shot(page, "j3-04-archived-record")

    result = verify_package(package)
    assert result.ok, result.problems
    assert result.files_checked >= 1
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(unpacked)
    (bag_dir,) = [p.parent for p in unpacked.rglob("bagit.txt")]
    bagit.Bag(str(bag_dir)).validate()
    mets = etree.parse(str(bag_dir / "data" / "METS.xml"), safe_parser())
    assert validate_mets(mets) == []
    assert title in etree.tostring(mets, encoding="unicode")
