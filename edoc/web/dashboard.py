"""Dashboard panels. Each domain registers a provider returning panels for a user."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class Panel:
    title: Any
    count: int | None = None
    endpoint: str | None = None
    endpoint_args: dict[str, Any] = field(default_factory=dict)
    hint: Any = ""
    tone: str = "primary"


PanelProvider = Callable[[Any], list[Panel]]


def add_panel_provider(app, provider: PanelProvider) -> None:
    app.extensions.setdefault("edoc.panels", []).append(provider)


def dashboard_for(user: Any) -> list[Panel]:
    panels: list[Panel] = []
    for provider in current_app.extensions.get("edoc.panels", []):
        panels.extend(provider(user))
    return panels
