"""Our XSD for edXML (schema/edxml.xsd): loading, validation and element-order normalisation.

The expected child order of every element is read from the XSD itself, so the schema stays the
single source of truth: ``canonicalize`` puts a received header in that order (real senders vary
it, vn-standards §1.3) before it is validated.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from ..errors import EnvelopeInvalid
from .config import DEFAULT_CONFIG, DSIG_NAMESPACE, QCVN_NAMESPACE, EdxmlConfig
from .xmlsafe import new_parser, parse_bytes

__all__ = ["canonicalize", "schema_text", "validate", "validate_tree"]

_XS = "{http://www.w3.org/2001/XMLSchema}"
_ROOT_TYPE = "#edXML"


def schema_text(config: EdxmlConfig = DEFAULT_CONFIG) -> str:
    """The XSD source with the configured namespace URIs."""
    text = (resources.files("connectors.edxml") / "schema" / "edxml.xsd").read_text("utf-8")
    if config.namespace != QCVN_NAMESPACE:
        text = text.replace(QCVN_NAMESPACE, config.namespace)
    if config.dsig_namespace != DSIG_NAMESPACE:
        text = text.replace(DSIG_NAMESPACE, config.dsig_namespace)
    return text


@dataclass(frozen=True)
class _Compiled:
    schema: etree.XMLSchema
    # complexType name -> alternatives; each alternative is a tuple of (child tag, its type name
    # or None when the child has simple or opaque content).
    layouts: dict[str, tuple[tuple[tuple[str, str | None], ...], ...]]


# lxml validators are not documented as thread-safe: keep one compiled schema per thread.
_local = threading.local()


def _compiled(config: EdxmlConfig) -> _Compiled:
    cache: dict[tuple[str, str], _Compiled] = _local.__dict__.setdefault("cache", {})
    key = (config.namespace, config.dsig_namespace)
    found = cache.get(key)
    if found is None:
        xsd = etree.fromstring(schema_text(config).encode("utf-8"), parser=new_parser())
        found = _Compiled(etree.XMLSchema(xsd), _layouts(xsd, config.namespace))
        cache[key] = found
    return found


def _layouts(
    xsd: etree._Element, ns: str
) -> dict[str, tuple[tuple[tuple[str, str | None], ...], ...]]:
    complex_types = {ct.get("name"): ct for ct in xsd.iterchildren(f"{_XS}complexType")}
    groups = {g.get("name"): g for g in xsd.iterchildren(f"{_XS}group")}

    def type_name(decl: etree._Element) -> str | None:
        ref = decl.get("type")
        if ref is None:
            return None
        local = ref.split(":", 1)[-1]
        ct = complex_types.get(local)
        # Opaque content (the dummy Signature, unknown structures) is never reordered.
        if ct is None or ct.find(f"{_XS}sequence/{_XS}any") is not None:
            return None
        return local

    def alternatives(particle: etree._Element) -> list[tuple[tuple[str, str | None], ...]]:
        tag = particle.tag
        if tag == f"{_XS}element":
            return [((f"{{{ns}}}{particle.get('name')}", type_name(particle)),)]
        if tag == f"{_XS}group":
            ref = particle.get("ref")
            if ref is not None:
                return alternatives(groups[ref.split(":", 1)[-1]])
            return alternatives(next(c for c in particle if isinstance(c.tag, str)))
        if tag == f"{_XS}sequence":
            parts = [alternatives(p) for p in particle if isinstance(p.tag, str)]
            return [
                tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*parts)
            ]
        if tag == f"{_XS}choice":
            out: list[tuple[tuple[str, str | None], ...]] = []
            for p in particle:
                if isinstance(p.tag, str):
                    out.extend(alternatives(p))
            return out
        return [()]  # xs:any, attributes: no ordered element children

    layouts: dict[str, tuple[tuple[tuple[str, str | None], ...], ...]] = {}
    for name, ct in complex_types.items():
        model = next((c for c in ct if c.tag in (f"{_XS}sequence", f"{_XS}choice")), None)
        if model is not None:
            layouts[name] = tuple(alternatives(model))
    root_decl = xsd.find(f"{_XS}element[@name='edXML']")
    root_model = root_decl.find(f"{_XS}complexType/{_XS}sequence")
    layouts[_ROOT_TYPE] = tuple(alternatives(root_model))
    return layouts


def canonicalize(root: etree._Element, *, config: EdxmlConfig = DEFAULT_CONFIG) -> None:
    """Reorder element children in place into the XSD's order (unknown children go last)."""
    _reorder(root, _ROOT_TYPE, _compiled(config).layouts)


def _reorder(el: etree._Element, type_name: str, layouts) -> None:
    alts = layouts.get(type_name)
    if not alts:
        return
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return
    tags = {c.tag for c in children}
    # Pick the alternative (document vs status header, with or without Signature) that names the
    # most children present.
    best = max(alts, key=lambda alt: sum(1 for t, _ in alt if t in tags))
    position: dict[str, int] = {}
    child_type: dict[str, str | None] = {}
    for i, (tag, ctype) in enumerate(best):
        position.setdefault(tag, i)
        child_type.setdefault(tag, ctype)
    end = len(best)
    ordered = sorted(children, key=lambda c: position.get(c.tag, end))
    if ordered != children:
        for child in ordered:  # re-appending moves each element (with its tail) to the end
            el.append(child)
    for child in ordered:
        ctype = child_type.get(child.tag)
        if ctype is not None:
            _reorder(child, ctype, layouts)


def validate_tree(root: etree._Element, *, config: EdxmlConfig = DEFAULT_CONFIG) -> None:
    """Validate a parsed message against the XSD; raise EnvelopeInvalid("schema_invalid")."""
    schema = _compiled(config).schema
    if not schema.validate(root):
        errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5]]
        raise EnvelopeInvalid(
            "schema_invalid",
            "message does not match the edXML schema: " + "; ".join(errors),
            details={"errors": tuple(errors)},
        )


def validate(
    data: bytes, *, config: EdxmlConfig = DEFAULT_CONFIG, canonical_order: bool = False
) -> None:
    """Parse ``data`` safely and validate it against our XSD.

    By default the element order must be exactly the one we emit; ``canonical_order=True``
    first reorders the header as ``parse_message`` does for received messages.
    """
    root = parse_bytes(data, limits=config.limits).getroot()
    if canonical_order:
        canonicalize(root, config=config)
    validate_tree(root, config=config)
