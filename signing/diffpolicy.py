"""The modification policy used when verifying: pyHanko's default plus added annotations.

pyHanko's default policy knows form filling and new signatures but rejects every other new
annotation. The Decree 30 incoming stamp ("ĐẾN") is added as a stamp annotation after the sender
signed, so we whitelist *new markup annotations* (never widgets, never changes to existing ones)
at level ANNOTATIONS. Anything else still counts as an unexplained change.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
)
from pyhanko.sign.diff_analysis.commons import compare_dicts
from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification
from pyhanko.sign.diff_analysis.rules_api import RelativeContext

__all__ = ["EDOC_DIFF_POLICY", "MARKUP_SUBTYPES", "AnnotationAdditionRule"]

# Markup annotations that a reader may add without touching the signed content.
MARKUP_SUBTYPES = frozenset(
    {"/Stamp", "/FreeText", "/Text", "/Square", "/Circle", "/Highlight", "/Underline", "/Ink"}
)


def _kids(node: generic.DictionaryObject) -> list[generic.IndirectObject]:
    kids = node.get("/Kids")
    return list(kids) if isinstance(kids, generic.ArrayObject) else []


def _annot_refs(page: generic.DictionaryObject) -> tuple[set[generic.Reference], object]:
    try:
        raw = page.raw_get("/Annots")
    except KeyError:
        return set(), None
    arr = raw.get_object()
    if not isinstance(arr, generic.ArrayObject):
        return set(), None
    refs = {a.reference for a in arr if isinstance(a, generic.IndirectObject)}
    return refs, raw.reference if isinstance(raw, generic.IndirectObject) else None


class AnnotationAdditionRule(QualifiedWhitelistRule):
    """Clear pages that only gained new annotations: markup (with their streams) at level
    ANNOTATIONS, and the page bindings of new signature widgets."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterator[tuple[ModificationLevel, ReferenceUpdate]]:
        old_pages = old.root["/Pages"]
        new_pages = new.root["/Pages"]
        yield from self._walk(old, new, old_pages, new_pages, set())

    def _walk(self, old, new, old_node, new_node, seen) -> Iterator:
        old_kids, new_kids = _kids(old_node), _kids(new_node)
        if [k.reference for k in old_kids] != [k.reference for k in new_kids]:
            return  # page tree changed: not ours to explain
        for old_kid, new_kid in zip(old_kids, new_kids, strict=True):
            ref = new_kid.reference
            if ref in seen:
                return
            old_obj, new_obj = old_kid.get_object(), new_kid.get_object()
            if old_obj.get("/Type") == "/Pages":
                yield from self._walk(old, new, old_obj, new_obj, seen | {ref})
            else:
                yield from self._page(old, new, ref, old_obj, new_obj)

    def _page(self, old, new, page_ref, old_page, new_page) -> Iterator:
        old_annots, _ = _annot_refs(old_page)
        new_annots, new_arr_ref = _annot_refs(new_page)
        added = new_annots - old_annots
        if not added or old_annots - new_annots:
            return
        markup: list[generic.Reference] = []
        for annot_ref in added:
            if not old.is_ref_unassignable(annot_ref):
                return  # re-used an existing object id: not a plain addition
            annot = new.get_object(annot_ref)
            if not isinstance(annot, generic.DictionaryObject):
                return
            if annot.get("/Subtype") in MARKUP_SUBTYPES:
                markup.append(annot_ref)
            elif not _is_signature_widget(annot):
                return  # links, other widgets...: not ours to explain
        try:
            compare_dicts(old_page, new_page, frozenset({"/Annots"}))
        except SuspiciousModification:
            return
        # New signature widgets only need their page binding cleared (the form rule vets the
        # fields themselves), as pyHanko's own rule does at LTA level; markup raises the level.
        level = ModificationLevel.ANNOTATIONS if markup else ModificationLevel.LTA_UPDATES
        # Page objects are referenced from many places; like pyHanko's widget rule we approve
        # them as a whole once only /Annots differs.
        yield level, ReferenceUpdate(page_ref)
        if new_arr_ref is not None:
            yield (
                level,
                ReferenceUpdate(
                    new_arr_ref, context_checked=RelativeContext(page_ref, RawPdfPath("/Annots"))
                ),
            )
        for annot_ref in markup:
            yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(annot_ref)
            for dep in new.collect_dependencies(
                new.get_object(annot_ref), since_revision=old.revision + 1
            ):
                yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(dep)


def _is_signature_widget(annot: generic.DictionaryObject) -> bool:
    if annot.get("/Subtype") != "/Widget":
        return False
    node = annot
    for _ in range(32):  # field trees are shallow; the bound guards against cycles
        if "/FT" in node:
            return node["/FT"] == "/Sig"
        parent = node.get("/Parent")
        if parent is None:
            return False
        node = parent
    return False


# pyHanko's widget-binding check rejects every other new annotation in the same comparison (and
# it compares the signed revision with each later one cumulatively), so the page bindings of new
# signature widgets are cleared by AnnotationAdditionRule instead.
_FORM_RULE = FormUpdatingRule(
    field_rules=[
        SigFieldCreationRule(approve_widget_bindings=False),
        SigFieldModificationRule(),
        GenericFieldModificationRule(),
    ],
)

EDOC_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, AnnotationAdditionRule()],
    form_rule=_FORM_RULE,
)
