"""The navigation bar, built from what each domain registers, filtered by the user's roles.

Domains add their entries in their own ``init_app``, so the menu never links to a page that does
not exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # lazy Vietnamese string
    icon: str
    roles: frozenset[str]  # empty: every signed-in user
    order: int = 100


def add_nav_item(app: Flask, item: NavItem) -> None:
    items: list[NavItem] = app.extensions.setdefault("edoc.nav", [])
    items.append(item)
    items.sort(key=lambda i: i.order)


def nav_for(app: Flask, user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = {r.value for r in user.roles}
    return [i for i in app.extensions.get("edoc.nav", []) if not i.roles or roles & i.roles]
