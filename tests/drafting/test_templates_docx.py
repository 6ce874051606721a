"""The DOCX drafts, read back with python-docx: every Decree 30 part is where it belongs."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest

from edoc.drafting import TEMPLATE_TYPES, render_draft
from edoc.drafting.anchors import ALL as ANCHORS
from edoc.errors import ValidationError
from tests.drafting.conftest import SUBJECTS, make_spec

HEADINGS = {"quyet_dinh": "QUYẾT ĐỊNH", "to_trinh": "TỜ TRÌNH", "bao_cao": "BÁO CÁO",
            "thong_bao": "THÔNG BÁO", "ke_hoach": "KẾ HOẠCH", "giay_moi": "GIẤY MỜI"}
NOTATIONS = {"cong_van": "UBND-VP", "quyet_dinh": "QĐ-UBND", "to_trinh": "TTr-UBND",
             "bao_cao": "BC-UBND", "thong_bao": "TB-UBND", "ke_hoach": "KH-UBND",
             "giay_moi": "GM-UBND"}


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def _lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def _runs_with(doc_or_cell, text: str):
    return [r for p in doc_or_cell.paragraphs for r in p.runs if text in r.text]


@pytest.mark.parametrize("type_key", TEMPLATE_TYPES)
def test_header_follows_decree_30(template_docx, type_key):
    doc = _read(template_docx[type_key])
    left, right = doc.tables[0].rows[0].cells
    left_lines = _lines(left)
    assert left_lines[:2] == ["UBND TỈNH PHÚ THỌ", "ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO"]
    assert f"Số: ……/{NOTATIONS[type_key]}" in left_lines
    assert _runs_with(left, "ỦY BAN NHÂN DÂN HUYỆN")[0].bold
    assert not _runs_with(left, "UBND TỈNH")[0].bold
    assert _lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                             "Vĩnh Phúc, ngày …… tháng …… năm 20……"]
    assert _runs_with(right, "CỘNG HÒA")[0].bold
    assert _runs_with(right, "Độc lập")[0].bold
    assert _runs_with(right, "Vĩnh Phúc")[0].italic
    # No visible table borders: every edge of the header table is "nil".
    borders = doc.tables[0]._tbl.tblPr.xpath("./w:tblBorders/*/@w:val")
    assert borders and set(borders) == {"nil"}


@pytest.mark.parametrize("type_key", TEMPLATE_TYPES)
def test_heading_subject_and_signature(template_docx, type_key):
    doc = _read(template_docx[type_key])
    body = [p.text for p in doc.paragraphs if p.text.strip()]
    if type_key == "cong_van":
        assert "V/v triển khai phần mềm quản lý văn bản" in _lines(doc.tables[0].rows[0].cells[0])
        assert not any(t.isupper() and t == "CÔNG VĂN" for t in body)
        assert "Kính gửi: Ủy ban nhân dân tỉnh Phú Thọ." in body
    else:
        heading_index = body.index(HEADINGS[type_key])
        assert body[heading_index + 1] == SUBJECTS[type_key]
        heading = next(p for p in doc.paragraphs if p.text == HEADINGS[type_key])
        assert heading.alignment == 1 and heading.runs[0].bold  # centred, bold
    assert body[-1].endswith("./.")

    recipients, signer = doc.tables[-1].rows[0].cells
    assert _lines(recipients) == ["Nơi nhận:", "- Sở Nội vụ tỉnh Phú Thọ;",
                                  "- Các phòng chuyên môn;", "- Lưu: VT, VP."]
    label = _runs_with(recipients, "Nơi nhận")[0]
    assert label.bold and label.italic and label.font.size.pt == 12
    assert _runs_with(recipients, "Lưu: VT")[0].font.size.pt == 11
    assert _lines(signer) == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                              "Trần Thị Bình"]
    assert all(r.bold for p in signer.paragraphs for r in p.runs)


def test_quyet_dinh_structure(template_docx):
    body = [p.text for p in _read(template_docx["quyet_dinh"]).paragraphs if p.text.strip()]
    assert body[body.index("QUYẾT ĐỊNH") + 2] == "ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO"
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;" in body
    assert "Theo đề nghị của Chánh Văn phòng HĐND và UBND huyện." in body
    decide = body.index("QUYẾT ĐỊNH:")
    assert [t[:7] for t in body[decide + 1:]] == ["Điều 1.", "Điều 2.", "Điều 3."]
    doc = _read(template_docx["quyet_dinh"])
    basis = next(p for p in doc.paragraphs if p.text.startswith("Căn cứ"))
    assert all(r.italic for r in basis.runs)
    article = next(p for p in doc.paragraphs if p.text.startswith("Điều 1."))
    assert article.runs[0].bold and article.runs[0].text.strip() == "Điều 1."


def test_quyet_dinh_without_body_gets_standard_articles():
    doc = _read(render_draft(make_spec("quyet_dinh", body=[])))
    articles = [p.text for p in doc.paragraphs if p.text.startswith("Điều ")]
    assert len(articles) == 3
    assert articles[1] == "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."


def test_giay_moi_has_time_and_place(template_docx):
    body = [p.text for p in _read(template_docx["giay_moi"]).paragraphs if p.text.strip()]
    assert "Ủy ban nhân dân huyện Tam Đảo trân trọng kính mời:" in body
    assert "Đồng chí Trưởng phòng Nội vụ" in body
    assert "Tới dự: Hội nghị triển khai chuyển đổi số năm 2025" in body
    assert "Thời gian: 08 giờ 00 phút, thứ Hai, ngày 10 tháng 3 năm 2025" in body
    assert "Địa điểm: Hội trường tầng 3, trụ sở Ủy ban nhân dân huyện" in body


def test_empty_plan_gets_section_skeleton():
    body = [p.text for p in _read(render_draft(make_spec("ke_hoach", body=[]))).paragraphs]
    assert "I. MỤC ĐÍCH, YÊU CẦU" in body and "III. TỔ CHỨC THỰC HIỆN./." in body


def test_page_setup_fonts_and_anchors(template_docx):
    data = template_docx["bao_cao"]
    doc = _read(data)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin,
                                        section.left_margin, section.right_margin)]
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25
    assert 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    assert "docProps/thumbnail.jpeg" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= doc.styles["Normal"].font.size.pt <= 14
    body = next(p for p in doc.paragraphs if p.text.startswith("Năm 2024"))
    assert body.alignment == 3  # justified
    # Page numbers from page 2 only (different first page header holding a PAGE field).
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    names = set(doc.element.body.xpath("//w:bookmarkStart/@w:name"))
    assert set(ANCHORS) <= names


def test_urgency_and_confidentiality_marks():
    doc = _read(render_draft(make_spec("cong_van", urgency_key="hoa_toc",
                                       confidentiality_key="mat")))
    left = _lines(doc.tables[0].rows[0].cells[0])
    assert left[-2:] == ["MẬT", "HỎA TỐC"]
    mark = _runs_with(doc.tables[0].rows[0].cells[0], "HỎA TỐC")[0]
    assert mark.bold and mark.font.color.rgb is not None


def test_signer_without_capacity_and_with_tm():
    doc = _read(render_draft(make_spec("thong_bao", signing_capacity="TM.",
                                       capacity_holder="Ủy ban nhân dân", collective_body=None,
                                       signer_position="Chủ tịch")))
    assert _lines(doc.tables[-1].rows[0].cells[1]) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                                                       "Trần Thị Bình"]
    doc = _read(render_draft(make_spec("bao_cao", signing_capacity=None, capacity_holder=None,
                                       collective_body=None, signer_position="Chánh Văn phòng",
                                       governing_body=None)))
    assert _lines(doc.tables[-1].rows[0].cells[1]) == ["CHÁNH VĂN PHÒNG", "Trần Thị Bình"]
    assert _lines(doc.tables[0].rows[0].cells[0])[0] == "ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO"


def test_other_decree_types_use_the_generic_layout():
    doc = _read(render_draft(make_spec("huong_dan", subject="Thực hiện chế độ báo cáo")))
    body = [p.text for p in doc.paragraphs if p.text.strip()]
    assert body[:2] == ["HƯỚNG DẪN", "Thực hiện chế độ báo cáo"]
    assert "Số: ……/HD-UBND" in _lines(doc.tables[0].rows[0].cells[0])


@pytest.mark.parametrize(("overrides", "code"), [
    ({"type_key": "ban_sao_y"}, "invalid_document_type"),
    ({"type_key": "khong_co"}, "invalid_document_type"),
    ({"subject": "  "}, "draft_field_missing"),
    ({"signing_capacity": "KT"}, "invalid_signing_capacity"),
    ({"capacity_holder": None}, "draft_field_missing"),
    ({"urgency_key": "rat_khan"}, "invalid_urgency"),
    ({"confidentiality_key": "bi_mat"}, "invalid_confidentiality"),
])
def test_invalid_specs_are_refused(overrides, code):
    with pytest.raises(ValidationError) as err:
        values = dict(overrides)
        render_draft(make_spec(values.pop("type_key", "cong_van"), **values))
    assert err.value.code == code
    assert err.value.status == 422


def test_giay_moi_requires_invitation():
    with pytest.raises(ValidationError) as err:
        render_draft(make_spec("giay_moi", invitation=None))
    assert err.value.details["field"] == "invitation"


# Child order of the property elements in ECMA-376 (WordprocessingML); Word refuses to open a
# document whose properties are out of order, although LibreOffice reads it.
_ORDERS = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
           "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
           "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
           "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
           "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss "
           "imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs "
           "highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout "
           "specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
             "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
}


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/header1.xml"])
def test_property_elements_follow_schema_order(template_docx, part):
    from lxml import etree

    names = zipfile.ZipFile(io.BytesIO(template_docx["giay_moi"])).namelist()
    if part not in names:
        part = next(n for n in names if n.startswith("word/header"))
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(template_docx["giay_moi"])).read(part))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    checked = 0
    for tag, order in _ORDERS.items():
        rank = {name: i for i, name in enumerate(order.split())}
        for element in root.iter(w + tag):
            children = [etree.QName(c).localname for c in element]
            known = [rank[c] for c in children if c in rank]
            assert known == sorted(known), f"{part}: {tag} children out of order: {children}"
            checked += 1
    assert checked
