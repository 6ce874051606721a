"""Snippets and highlights on the original text (no app needed)."""
from __future__ import annotations

import unicodedata

from edoc.search.highlight import highlight, lead, snippet
from edoc.search.text import tokens


def test_marks_the_accented_original():
    out = highlight("Quyết định về việc Hoà giải", tokens("quyet dinh hòa giai"))
    assert str(out) == "<mark>Quyết định</mark> về việc <mark>Hoà giải</mark>"


def test_d_stroke_and_case():
    assert str(highlight("UBND TP. ĐÔNG HÀ", ["dong", "ha"])) == \
        "UBND TP. <mark>ĐÔNG HÀ</mark>"
    assert str(highlight("đường Đinh Tiên Hoàng", ["dinh"])) == \
        "đường <mark>Đinh</mark> Tiên Hoàng"


def test_whole_words_only():
    assert str(highlight("hoàn thành, hoa hồng", ["hoa"])) == "hoàn thành, <mark>hoa</mark> hồng"


def test_notation_is_one_mark():
    assert str(highlight("Căn cứ 15/QĐ-UBND ngày 5/3", tokens("15/QĐ-UBND"))) == \
        "Căn cứ <mark>15/QĐ-UBND</mark> ngày 5/3"


def test_html_is_escaped_inside_and_outside_marks():
    out = str(highlight('<script>alert("x")</script> Quyết <b>định</b> & co', ["quyet", "dinh"]))
    assert "<script>" not in out and "<b>" not in out
    assert out == ('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Quyết</mark> '
                   '&lt;b&gt;<mark>định</mark>&lt;/b&gt; &amp; co')


def test_query_words_cannot_inject_markup():
    out = str(highlight("a <mark> b", ["mark"]))
    assert out == "a &lt;<mark>mark</mark>&gt; b"


def test_snippet_centres_on_the_densest_group():
    filler = "Nội dung không liên quan. " * 40
    text = filler + "Kế hoạch chuyển đổi số của tỉnh. " + filler + "chuyển đổi"
    out = str(snippet(text, tokens("chuyển đổi số")))
    assert "<mark>chuyển đổi số</mark>" in out
    assert out.startswith("… ") and out.endswith(" …")
    assert len(out) < 400


def test_snippet_none_without_a_hit_and_lead_is_escaped():
    assert snippet("Không có gì", ["quyet"]) is None
    assert str(lead("<i>Đầu</i> văn bản")) == "&lt;i&gt;Đầu&lt;/i&gt; văn bản"
    long = lead("chữ " * 200)
    assert str(long).endswith(" …") and len(str(long)) < 260


def test_decomposed_text_is_highlighted():
    text = unicodedata.normalize("NFD", "Quyết định số 5")
    assert str(highlight(text, ["quyet", "dinh"])) == "<mark>Quyết định</mark> số 5"


def test_line_breaks_become_spaces():
    assert str(snippet("Căn cứ\nLuật\n\nNgân sách", ["luat"])) == \
        "Căn cứ <mark>Luật</mark> Ngân sách"
