"""The record page says what happened in words, in the interface language, and shows retention
and archive codes as words too."""
from __future__ import annotations

import re

from tests.records.helpers import closed_record
from tests.support.factories import csrf_token_from, login


def _history(html: str) -> list[tuple[str, str]]:
    """(action code, shown text) of each history line."""
    return [(code, re.sub(r"<[^>]+>", "", text).strip())
            for code, text in re.findall(r'<li class="mb-1" data-action="(\w+)">(.*?)</li>', html,
                                         re.S)]


def test_record_history_shows_labels_in_both_languages(client, office, make_document):
    record = closed_record(client, office, [make_document()], notation="07.VHXH")
    login(client, office.officer.username)
    url = f"/records/{record['id']}"
    html = client.get(url).get_data(as_text=True)
    history = _history(html)
    assert [code for code, _ in history] == ["opened", "documents_added", "close"]
    assert "Lập hồ sơ" in history[0][1] and "Đưa văn bản vào hồ sơ" in history[1][1]
    assert "Kết thúc hồ sơ → Đã kết thúc" in history[2][1]
    assert not any(code in text for code, text in history)
    assert "10 năm" in html and "Công khai" in html and "Tiếng Việt" in html

    token = csrf_token_from(html)
    client.post("/lang/en", data={"csrf_token": token, "next": url})
    html = client.get(url).get_data(as_text=True)
    texts = [text for _, text in _history(html)]
    assert "Record opened" in texts[0] and "Documents added to the record" in texts[1]
    assert "Record closed" in texts[2]
    assert "10 years" in html and "Public" in html and "Vietnamese" in html
    assert "Lập hồ sơ" not in html and "10 năm" not in html
