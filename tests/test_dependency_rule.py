"""The pure libraries never import the app, Flask or SQLAlchemy (the axis simulator excepted)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"edoc", "flask", "sqlalchemy", "flask_sqlalchemy"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["connectors", "signing", "archive"])
def test_pure_library_imports_no_app(package):
    files = [p for p in (ROOT / package).rglob("*.py")
             if not (package == "connectors" and "simulator" in p.parts)]
    assert files, f"{package} has no modules"
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN) for p in files}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"forbidden imports: {offenders}"


def test_the_check_itself_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import Flask\nimport edoc.db\n")
    assert _imports(bad) & FORBIDDEN == {"flask", "edoc"}
