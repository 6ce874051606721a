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
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
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
    """Clear pages that only gained new markup annotations, the annotations and their streams."""

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
        for annot_ref in added:
            annot = new.get_object(annot_ref)
            if not old.is_ref_unassignable(annot_ref):
                return  # re-used an existing object id: not a plain addition
            if not isinstance(annot, generic.DictionaryObject):
                return
            if annot.get("/Subtype") not in MARKUP_SUBTYPES:
                return
        try:
            compare_dicts(old_page, new_page, frozenset({"/Annots"}))
        except SuspiciousModification:
            return
        level = ModificationLevel.ANNOTATIONS
        # Page objects are referenced from many places; like pyHanko's own widget rule we
        # approve them as a whole once only /Annots differs.
        yield level, ReferenceUpdate(page_ref)
        if new_arr_ref is not None:
            yield (
                level,
                ReferenceUpdate(
                    new_arr_ref, context_checked=RelativeContext(page_ref, RawPdfPath("/Annots"))
                ),
            )
        for annot_ref in added:
            yield level, ReferenceUpdate(annot_ref)
            for dep in new.collect_dependencies(
                new.get_object(annot_ref), since_revision=old.revision + 1
            ):
                yield level, ReferenceUpdate(dep)


EDOC_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, AnnotationAdditionRule()],
    form_rule=DEFAULT_DIFF_POLICY.form_rule,
)
