"""Shared helpers of the records pages: form actions that report refusals, form parsing."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from werkzeug.datastructures import MultiDict

from edoc.errors import EdocError, NotFound
from edoc.extensions import db

__all__ = ["form_action", "form_data", "version_from_form"]


def form_action(back: Callable[..., str]):
    """A POST from a page: on a refusal, say why (flash) and go back to ``back(**kwargs)``.

    The rollback also writes the audit entry of a refused change to an archived record
    (:mod:`edoc.records.freeze`).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                return view(*args, **kwargs)
            except EdocError as exc:
                if isinstance(exc, NotFound):
                    raise
                db.session.rollback()
                flash(str(exc.message), "danger")
                return redirect(back(**kwargs))

        return wrapper

    return decorate


def version_from_form() -> int | None:
    raw = request.form.get("version")
    return int(raw) if raw and raw.isdigit() else None


def form_data(fields: tuple[str, ...], form: MultiDict | None = None) -> dict[str, Any]:
    """The submitted values of ``fields`` (only those present in the form)."""
    form = form if form is not None else request.form
    return {name: form.get(name, "").strip() for name in fields if name in form}
