"""The README states the two commands and every setting, exactly as the code has them."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_settings_table_is_current():
    from scripts.update_readme_settings import END, START, render

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index(START) + len(START):text.index(END)]
    assert table == render(), "run `make readme` to refresh the settings table"
