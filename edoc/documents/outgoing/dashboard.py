"""Home-page panels for outgoing work: what waits for this user, per role."""
from __future__ import annotations

from typing import Any

from edoc.documents.outgoing.queries import BOXES, box_counts
from edoc.web.dashboard import Panel

_TONES = {"to_review": "warning", "to_sign": "danger", "to_issue": "primary",
          "to_seal": "primary", "to_dispatch": "success", "my_drafts": "secondary"}


def panels(user: Any) -> list[Panel]:
    return [Panel(BOXES[box], n, "outgoing.index", {"box": box}, tone=_TONES[box])
            for box, n in box_counts(user).items()]
