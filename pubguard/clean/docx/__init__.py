"""Clean copy of a Word file: edit the WordprocessingML in place, so formatting, tables and
pictures that are fine stay exactly as the drafter made them.

The document is read with `trace_docx`, which keeps for every character of `Document.text` the
XML element it came from. Findings point at text offsets, so masking replaces characters inside
the very `w:t` elements that hold the match (also when it spans several runs), and deletions cut
exactly the flagged characters. Everything the page does not show but the file still carries —
comments, tracked changes, hidden runs, document properties, macros — is removed from the
package. The result is re-scanned by the caller.

The cleaner is a small package behind this surface (`clean_docx`, `prepare_docx`): `plan` holds
the state of one pass; the stages `personal`, `text`, `header`, `seal` and `parts` add edits to
it, over the helpers in `tree`, `edits` and `package`.
"""

from __future__ import annotations

from pubguard.clean.common import MARK_RULES, annotation_target, hidden_target, masked_targets
from pubguard.clean.docx.header import remove_red_header
from pubguard.clean.docx.parts import (
    comments,
    embedded_objects,
    garbage_collect,
    macros,
    properties,
    revisions,
    settings,
    sweep,
)
from pubguard.clean.docx.personal import drop_columns, mask_personal
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.seal import remove_seal
from pubguard.clean.docx.text import (
    delete_range,
    full_width_punctuation,
    remove_hidden_runs,
    remove_mark,
    remove_white,
)
from pubguard.clean.docx.tree import (
    ancestor,
    drop_paragraph,
    drop_stale_fallbacks,
    has_content,
    remove,
    set_black,
)
from pubguard.clean.options import CleanOptions
from pubguard.clean.report import CleanAction
from pubguard.config import ScanConfig
from pubguard.extract.docx import DocxTrace, trace_docx, w
from pubguard.finding import Finding
from pubguard.masking import MaskingConfig
from pubguard.scan import FileResult, scan_document


def prepare_docx(data: bytes, name: str, config: ScanConfig) -> tuple[FileResult, DocxTrace]:
    """Scan through the traced reader, so finding offsets and XML back-references agree."""
    doc, trace = trace_docx(data, name, config)
    result = scan_document(doc, config, name)
    result.document = doc
    return result, trace  # errors are turned into a FileResult by the caller


def clean_docx(
    data: bytes,
    name: str,
    config: ScanConfig,
    options: CleanOptions,
    masking: MaskingConfig,
    result: FileResult | None = None,
    trace: DocxTrace | None = None,
) -> tuple[bytes, list[CleanAction]]:
    """One clean pass: returns the new file and what was changed."""
    if result is None or trace is None or result.document is None:
        result, trace = prepare_docx(data, name, config)
    assert result.document is not None
    plan = CleanPlan(data, result.document, trace, options, masking)
    return _apply(plan, result.findings), plan.actions


def _apply(plan: CleanPlan, findings: list[Finding]) -> bytes:
    """Run the stages in order, then apply: characters first, then structure, then the package."""
    by_cat: dict[str, list[Finding]] = {}
    for f in findings:
        by_cat.setdefault(str(f.category), []).append(f)
    mask_personal(plan, masked_targets(findings))
    for f in by_cat.get("leader_annotation", []):
        delete_range(plan, f, annotation_target(f).span, "removed", "领导批示")
    for f in by_cat.get("classification_mark", []):
        if f.rule in MARK_RULES:
            remove_mark(plan, f)
    hidden_rules = {f.rule for f in by_cat.get("hidden_content", [])}
    for f in by_cat.get("hidden_content", []):
        if f.rule == "white_text":
            remove_white(plan, f)
        elif f.rule == "fake_redaction":
            delete_range(plan, f, hidden_target(f).span, "removed", "被遮盖的文字")
    remove_hidden_runs(plan)
    for f in by_cat.get("red_header", []):
        if f.rule == "red_header":
            remove_red_header(plan, f, any(str(x.category) == "classification_mark" for x in findings))
    for f in by_cat.get("seal", []):
        remove_seal(plan, f)
    if plan.options.drop_columns:
        drop_columns(plan, [f for f in findings if str(f.category) == "personal_data"])
    for f in by_cat.get("proofreading", []):
        if f.rule == "mixed_punctuation":
            full_width_punctuation(plan, f)
    # -- apply: characters first, then structure ------------------------------------------
    touched = plan.edits.touched() | plan.remove_runs | plan.remove_graphics | set(plan.drop_paragraphs)
    touched |= set(plan.maybe_empty)
    drop_stale_fallbacks(touched)  # before removals: they need the ancestors
    plan.edits.apply()
    for r in plan.remove_runs:
        remove(r)
    for g in plan.remove_graphics:
        holder = ancestor(g, w("p"))
        remove(g)
        if holder is not None:
            plan.maybe_empty.append(holder)
    for r in plan.recolour:
        set_black(r)
    for p in plan.maybe_empty:
        if p.getparent() is not None and not has_content(p):
            drop_paragraph(p)
    for p in plan.drop_paragraphs:
        drop_paragraph(p)
    revisions(plan)
    comments(plan)
    if "embedded_file" in hidden_rules:
        embedded_objects(plan)
    macros(plan)
    properties(plan, hidden_rules)
    settings(plan)
    sweep(plan)
    for part in plan.trace.parts:
        if part in plan.dirty_parts or part in plan.trace.parts:
            plan.pkg.xml_cache[part] = plan.trace.parts[part]
            plan.pkg.touch(part)
    garbage_collect(plan)
    return plan.pkg.build()


__all__ = ["clean_docx", "prepare_docx"]
