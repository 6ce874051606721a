"""Rewrite the settings table of README.md from edoc.config.SETTINGS (``make readme``)."""
from __future__ import annotations

from pathlib import Path

START, END = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"


def render() -> str:
    from edoc.config import SETTINGS

    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = s.default if s.default not in ("", None) else "(empty)"
        if isinstance(default, bool):
            default = str(default).lower()
        lines.append(f"| `EDOC_{s.name}` | `{default}` | {s.help} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    path = Path(__file__).resolve().parents[1] / "README.md"
    text = path.read_text(encoding="utf-8")
    a, b = text.index(START) + len(START), text.index(END)
    path.write_text(text[:a] + render() + text[b:], encoding="utf-8")


if __name__ == "__main__":
    main()
