"""Namespace-aware lookups in a parsed edXML tree (the prefix never matters, the namespace does).

Every lookup takes the element name in the configured QCVN namespace; a required element found
only in another namespace gives ``wrong_namespace`` rather than ``missing_field``.
"""

from __future__ import annotations

from lxml import etree

from ..errors import EnvelopeInvalid
from .config import EdxmlConfig

__all__ = ["Reader"]


class Reader:
    def __init__(self, config: EdxmlConfig) -> None:
        self.config = config
        self.ns = config.namespace

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def child(self, el: etree._Element | None, name: str) -> etree._Element | None:
        if el is None:
            return None
        return el.find(self.q(name))

    def children(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        if el is None:
            return []
        return el.findall(self.q(name))

    def required(self, el: etree._Element, name: str, path: str) -> etree._Element:
        found = el.find(self.q(name))
        if found is not None:
            return found
        for other in el:
            if isinstance(other.tag, str) and etree.QName(other).localname == name:
                raise EnvelopeInvalid(
                    "wrong_namespace",
                    f"{path}/{name} is in namespace {etree.QName(other).namespace!r}, "
                    f"expected {self.ns!r}",
                    details={"field": f"{path}/{name}"},
                )
        raise EnvelopeInvalid(
            "missing_field", f"{path}/{name} is required", details={"field": f"{path}/{name}"}
        )

    def text(self, el: etree._Element | None, name: str) -> str:
        found = self.child(el, name)
        if found is None or found.text is None:
            return ""
        return found.text.strip()

    def required_text(self, el: etree._Element, name: str, path: str) -> str:
        value = self.text(el, name)
        if not value:
            self.required(el, name, path)  # raises wrong_namespace / missing_field if absent
            raise EnvelopeInvalid(
                "missing_field", f"{path}/{name} is empty", details={"field": f"{path}/{name}"}
            )
        return value

    def enum(self, el, name: str, path: str, enum_type, *, default):
        value = self.text(el, name)
        if not value:
            return default
        try:
            return enum_type(int(value))
        except ValueError:
            raise EnvelopeInvalid(
                "invalid_value",
                f"{path}/{name}: unknown value {value!r}",
                details={"field": f"{path}/{name}"},
            ) from None

    def texts(self, el: etree._Element | None, name: str) -> tuple[str, ...]:
        return tuple(t for t in ((c.text or "").strip() for c in self.children(el, name)) if t)

    @staticmethod
    def opaque(el: etree._Element | None) -> str:
        return "" if el is None else "".join(el.itertext()).strip()
