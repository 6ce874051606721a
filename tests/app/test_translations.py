"""The English interface: switching language, and a catalog that cannot fall behind the code.

Vietnamese is the source language (every ``_()`` holds Vietnamese text) and the default;
``edoc/translations/en`` holds English. When a test below fails because of a new string, run
``make translations`` (re-extracts messages.pot, updates the English catalog, compiles it),
translate the new entries in ``edoc/translations/en/LC_MESSAGES/messages.po``, compile again and
commit the .pot, .po and .mo together.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from edoc.auth.roles import Role
from tests.support.factories import csrf_token_from, login

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "edoc" / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
# The same keywords as the Makefile's `pybabel extract -k _l -k lazy_gettext -k lazy_pgettext:1c,2`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None,
            "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%%")
HOW_TO_FIX = ("run `make translations`, translate the new entries in "
              "edoc/translations/en/LC_MESSAGES/messages.po, then compile and commit")


def _scanned(dirpath: str) -> bool:
    """The folders `make translations` reads (its --ignore-dirs): Babel's default would also
    skip folders starting with "_" such as templates/_macros."""
    name = Path(dirpath).name
    return not name.startswith(".") and name != "__pycache__"


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _forms(value) -> tuple[str, ...]:
    """msgid/msgstr as a tuple: babel gives a tuple for plural entries, a str otherwise."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


@pytest.fixture(scope="module")
def pot():
    return _catalog(POT)


@pytest.fixture(scope="module")
def english():
    return _catalog(EN_PO)


# --- the interface ------------------------------------------------------------------------


def _switch(client, code: str, page: str) -> None:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    resp = client.post(f"/lang/{code}", data={"csrf_token": token, "next": page})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(page)


def test_login_page_is_vietnamese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html
    assert "Sign in" not in html


def test_login_page_switches_to_english_and_back(client):
    _switch(client, "en", "/login")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Username" in html and "Password" in html
    assert "Document and workflow management system" in html
    assert "Đăng nhập" not in html and "Mật khẩu" not in html

    _switch(client, "vi", "/login")
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html and "Sign in" not in html


def test_unknown_language_keeps_vietnamese(client):
    _switch(client, "fr", "/login")
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_errors_from_python_code_are_translated(client, factories):
    user = factories.user(Role.CLERK)
    _switch(client, "en", "/login")
    resp = login(client, user.username, "wrong-password")
    assert resp.status_code == 401
    html = resp.get_data(as_text=True)
    assert "Incorrect username or password." in html
    assert "Tên đăng nhập hoặc mật khẩu không đúng" not in html


def test_user_menu_switch_is_remembered_for_the_account(client, factories):
    user = factories.user(Role.CLERK, full_name="Nguyễn Thị Thu")
    assert login(client, user.username).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'action="/lang/en"' in home and ">English<" in home
    assert "Đăng xuất" in home

    _switch(client, "en", "/")
    home = client.get("/").get_data(as_text=True)
    assert "Sign out" in home and "Change password" in home and "Đăng xuất" not in home
    assert 'action="/lang/vi"' in home and "Tiếng Việt" in home

    # Signing out clears the session; the choice was stored on the account, so the next
    # sign-in is English again, placeholders filled in.
    client.post("/logout", data={"csrf_token": csrf_token_from(home)})
    assert login(client, user.username).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Sign out" in home
    assert "Welcome, Nguyễn Thị Thu!" in home


# --- the catalog --------------------------------------------------------------------------


def test_template_lists_every_message_in_the_code(pot):
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    in_code = {(_forms(msg)[0], context)
               for _file, _line, msg, _comments, context
               in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS,
                                   directory_filter=_scanned)}
    in_pot = {(_forms(m.id)[0], m.context) for m in pot if m.id}
    missing = sorted(in_code - in_pot)
    assert not missing, (
        f"{len(missing)} message(s) not in messages.pot ({HOW_TO_FIX}): {missing[:20]}")


def test_every_message_has_an_english_translation(pot, english):
    untranslated = []
    for message in pot:
        if not message.id:
            continue
        entry = english.get(message.id, message.context)
        if (entry is None or "fuzzy" in entry.flags
                or not all(s.strip() for s in _forms(entry.string))):
            untranslated.append(_forms(message.id)[0])
    assert not untranslated, (
        f"{len(untranslated)} message(s) without English ({HOW_TO_FIX}): {untranslated[:20]}")


def test_catalog_itself_is_not_marked_fuzzy(english):
    # pybabel compile skips a catalog whose header is fuzzy: the interface would stay Vietnamese.
    assert not english.fuzzy


def test_translations_keep_every_placeholder(english):
    wrong = []
    for message in english:
        if not message.id:
            continue
        wanted = Counter(PLACEHOLDER.findall(_forms(message.id)[0]))
        for text in _forms(message.string):
            if Counter(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((message.id, text))
    assert not wrong, f"placeholders changed in translation: {wrong[:10]}"


def test_compiled_catalog_is_up_to_date(english):
    with EN_MO.open("rb") as f:
        compiled = read_mo(f)
    # read_mo gives a message context as bytes; the .po side has str
    by_key = {(_forms(m.id), m.context.decode() if isinstance(m.context, bytes) else m.context):
              _forms(m.string) for m in compiled if m.id}
    stale = [m.id for m in english
             if m.id and by_key.get((_forms(m.id), m.context)) != _forms(m.string)]
    assert not stale, (
        f"messages.mo is older than messages.po; run `make translations`: {stale[:10]}")
