"""Display labels: the codes the app stores (document types, levels, timeline actions, file kinds,
delivery statuses, record events) are shown as words in the interface language."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale, gettext

from edoc.documents import labels
from edoc.documents.doctypes import (
    CONFIDENTIALITIES,
    DOCUMENT_TYPES,
    URGENCIES,
    confidentiality_label,
    type_label,
    urgency_label,
)
from edoc.documents.states import InAction, OutAction
from edoc.records.labels import RECORD_EVENT_LABELS, code_label, record_event_label
from edoc.records.states import RecordAction

ROOT = Path(__file__).resolve().parents[2]
#: ``add_event(doc, "received", ...)``, ``add_document_event(doc, ...)``, ``add_event(record, ...)``
_DOCUMENT_EVENT = re.compile(
    r"\b(?:add_event\(\s*(?:doc|copy)|add_document_event\(\s*\w+),\s*\"([a-z_]+)\"")
_RECORD_EVENT = re.compile(r"\badd_event\(\s*record,\s*\"([a-z_]+)\"")


def test_type_and_level_labels_are_the_names_in_vietnamese(app):
    with force_locale("vi"):
        assert [type_label(t.key) for t in DOCUMENT_TYPES] == [t.name for t in DOCUMENT_TYPES]
        assert [urgency_label(lv.key) for lv in URGENCIES] == [lv.name for lv in URGENCIES]
        assert ([confidentiality_label(lv.key) for lv in CONFIDENTIALITIES]
                == [lv.name for lv in CONFIDENTIALITIES])


def test_type_and_level_labels_are_english_in_english(app):
    with force_locale("en"):
        for t in DOCUMENT_TYPES:
            assert type_label(t.key) and type_label(t.key) != t.name, t.key
        for lv in URGENCIES:
            assert urgency_label(lv.key) != lv.name, lv.key
        for lv in CONFIDENTIALITIES:
            assert confidentiality_label(lv.key) != lv.name, lv.key
        assert type_label("quyet_dinh") == "Decision"
        # "Thường" is two different words: ordinary urgency, no classification
        assert urgency_label("thuong") == "Normal"
        assert confidentiality_label("thuong") == "Unclassified"
        # no two types share an English name
        names = [type_label(t.key) for t in DOCUMENT_TYPES]
        assert len(set(names)) == len(names)
    assert type_label("not_a_type") == "not_a_type" and type_label(None) == ""


def _emitted_actions(pattern: re.Pattern, *folders: str) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_document_event_the_code_writes_has_a_label():
    actions = {a.value for a in InAction} | {a.value for a in OutAction}
    actions |= _emitted_actions(_DOCUMENT_EVENT, "edoc")
    assert {"received", "stamp_failed", "created", "take_back_requested", "imported"} <= actions
    assert not actions - set(labels.EVENT_LABELS), sorted(actions - set(labels.EVENT_LABELS))


def test_every_record_event_the_code_writes_has_a_label():
    actions = {a.value for a in RecordAction} | _emitted_actions(_RECORD_EVENT, "edoc")
    assert {"opened", "documents_added", "close", "legal_hold_on"} <= actions
    assert not actions - set(RECORD_EVENT_LABELS), sorted(actions - set(RECORD_EVENT_LABELS))


def test_event_labels_read_as_past_events_in_english(app):
    with force_locale("vi"):
        assert labels.event_label("register") == "Vào sổ"
        assert labels.event_label("submit", "incoming") == "Trình lãnh đạo"
        assert labels.event_label("submit", "outgoing") == "Trình duyệt"
        assert record_event_label("documents_added") == "Đưa văn bản vào hồ sơ"
    with force_locale("en"):
        # the button says "Register", the timeline says what happened
        assert gettext("Vào sổ") == "Register"
        assert labels.event_label("register") == "Registered"
        assert labels.event_label("dispatch") == "Dispatched"
        assert record_event_label("transfer") == "Transferred to the archive"
    assert labels.event_label("some_new_action") == "some_new_action"


def test_file_kinds_and_delivery_statuses(app):
    from edoc.documents.models import FileKind

    with force_locale("vi"):
        assert labels.file_kind_label("stamped") == "Bản có dấu đến"
        assert labels.delivery_status_label("03") == "Đã vào sổ"
    with force_locale("en"):
        for kind in FileKind:
            assert labels.file_kind_label(kind.value) != kind.value, kind
        assert labels.delivery_status_label("13") == "Recall requested"
    assert labels.delivery_status_label("99") == "99"


def test_archive_code_labels(app):
    from archive import LANGUAGE_CODES, MODE_CODES

    with force_locale("vi"):
        assert code_label(MODE_CODES, "01") == "Công khai"
    with force_locale("en"):
        assert code_label(MODE_CODES, "02") == "Restricted use"
        assert code_label(LANGUAGE_CODES, "01") == "Vietnamese"
        assert code_label(MODE_CODES, "77") == "77"


def _file(id_, kind, name, revision=1):
    return SimpleNamespace(id=id_, kind=kind, name=name, revision=revision)


@pytest.mark.parametrize(("files", "expected"), [
    # the stamped copy keeps the original's name: the later one is told apart
    ([_file(1, "original", "cv-12.pdf"), _file(2, "stamped", "cv-12.pdf")],
     ["cv-12.pdf", "cv-12-dau-den.pdf"]),
    # the issued copy of a signed PDF keeps the signed file's name
    ([_file(3, "signed", "dt.signed.pdf"), _file(4, "issued", "dt.signed.pdf")],
     ["dt.signed.pdf", "dt.signed-cap-so.pdf"]),
    # draft revisions with one name
    ([_file(5, "draft", "du-thao.docx"), _file(6, "draft", "du-thao.docx", 2)],
     ["du-thao.docx", "du-thao-lan-2.docx"]),
    # nothing else tells two appendices apart: their ids do
    ([_file(7, "appendix", "pl.pdf"), _file(8, "appendix", "pl.pdf")], ["pl.pdf", "pl-8.pdf"]),
    # distinct names stay as they are
    ([_file(9, "original", "a.pdf"), _file(10, "stamped", "b.pdf")], ["a.pdf", "b.pdf"]),
])
def test_download_names_never_collide(files, expected):
    assert [labels.download_name(f, files) for f in files] == expected
