"""Search results carry highlighted, escaped titles and snippets of the original text."""
from __future__ import annotations

from edoc.search import search
from tests.search.conftest import make_doc


def test_snippet_from_the_body_marks_the_accented_original(office):
    make_doc(office["agency"], subject="Công văn đến",
             content="Đề nghị <b>các xã</b> tổ chức Hoà giải ở cơ sở trước ngày 30/6.")
    hit = search(office["clerk"], "hoa giai").items[0]
    assert str(hit.snippet) == ("Đề nghị &lt;b&gt;các xã&lt;/b&gt; tổ chức "
                                "<mark>Hoà giải</mark> ở cơ sở trước ngày 30/6.")


def test_title_is_marked_and_escaped(office):
    make_doc(office["agency"], subject='Quyết định <img src=x onerror="alert(1)"> khen thưởng')
    hit = search(office["clerk"], "quyết định").items[0]
    assert str(hit.title_html) == ('<mark>Quyết định</mark> &lt;img src=x '
                                   'onerror=&#34;alert(1)&#34;&gt; khen thưởng')
    assert hit.title.startswith("Quyết định <img")  # the plain title stays as written


def test_snippet_falls_back_to_metadata_then_to_the_start(office):
    make_doc(office["agency"], subject="Báo cáo", issuing_agency="Sở Tài chính",
             content="Nội dung báo cáo tháng.")
    hit = search(office["clerk"], "tai chinh").items[0]
    assert str(hit.snippet) == "Sở <mark>Tài chính</mark>"
    hit = search(office["clerk"], "bao cao").items[0]
    assert str(hit.snippet) == "Nội dung <mark>báo cáo</mark> tháng."
    make_doc(office["agency"], subject="Thông báo nghỉ lễ", content="Lịch trực <tuần>.")
    hit = search(office["clerk"], "nghi le").items[0]
    assert str(hit.snippet) == "Lịch trực &lt;tuần&gt;."
