"""Everything the page does not show but the package carries: tracked changes, comments,
embedded objects, macros, document properties, the attached template, personal values outside
run text (the sweep), and media no longer referenced.
"""

from __future__ import annotations

from collections.abc import Iterable
from posixpath import basename, dirname, join

from lxml import etree

from pubguard.clean.docx.package import (
    COMMENT_REL_TYPES,
    CT,
    DOCX_MAIN,
    MACRO_MAIN,
    rel_target,
    rels_part_name,
)
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.tree import remove, run_child, unwrap
from pubguard.extract.docx import DCTERMS, EP, PKG_REL, w

PROPERTY_CHANGES = (
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "tblPrExChange",
    "numberingChange",
)


def revisions(plan: CleanPlan) -> None:
    accept = plan.options.revisions == "accept"
    n = 0
    for part, root in plan.trace.parts.items():
        if part.endswith("comments.xml"):
            continue
        n += resolve_revisions(root, accept)
    if n:
        label = "接受全部修订（删除的文字已从文件中去除）" if accept else "拒绝全部修订（插入的文字已去除）"
        plan.act(None, "revisions", "全文", label, count=n, rule="tracked_change")


def comments(plan: CleanPlan) -> None:
    n = 0
    for part, root in plan.trace.parts.items():
        for tag in ("commentRangeStart", "commentRangeEnd"):
            for el in list(root.iter(w(tag))):
                remove(el)
        for ref in list(root.iter(w("commentReference"))):
            r = ref.getparent()
            remove(ref)
            if r is not None and r.tag == w("r") and not [c for c in r if c.tag != w("rPr")]:
                remove(r)
        if part.endswith("comments.xml"):
            n = len(root.findall(w("comment")))
    removed = drop_related(plan, plan.main_part(), COMMENT_REL_TYPES)
    for part in removed:
        plan.trace.parts.pop(part, None)
    if n or removed:
        plan.act(None, "removed", "批注", "全部批注", count=max(n, 1), rule="comment")


def drop_related(plan: CleanPlan, source: str, types: Iterable[str]) -> list[str]:
    """Remove relationships of `types` from `source` and the parts they point to."""
    rels_name = rels_part_name(source)
    rels = plan.pkg.xml(rels_name)
    removed: list[str] = []
    if rels is None:
        return removed
    types = tuple(types)
    for rel in list(rels.iter(f"{{{PKG_REL}}}Relationship")):
        typ = rel.get("Type", "").rsplit("/", 1)[-1]
        if typ in types:
            if rel.get("TargetMode") != "External":
                target = rel_target(source, rel.get("Target", ""))
                remove_part(plan, target)
                removed.append(target)
            rels.remove(rel)
            plan.pkg.touch(rels_name)
    return removed


def remove_part(plan: CleanPlan, name: str) -> None:
    if not plan.pkg.exists(name):
        return
    plan.pkg.remove(name)
    rels = rels_part_name(name)
    if plan.pkg.exists(rels):
        plan.pkg.remove(rels)
    ct = plan.pkg.xml("[Content_Types].xml")
    if ct is not None:
        for o in list(ct.iter(f"{{{CT}}}Override")):
            if o.get("PartName", "").lstrip("/") == name:
                ct.remove(o)
                plan.pkg.touch("[Content_Types].xml")


def embedded_objects(plan: CleanPlan) -> None:
    n = 0
    for root in plan.trace.parts.values():
        for obj in list(root.iter(w("object"))):
            remove(run_child(obj))
            n += 1
    for name in list(plan.pkg.names):
        if name.lower().startswith("word/embeddings/") and plan.pkg.exists(name):
            remove_part(plan, name)
            n += 1
    if n:
        plan.act(None, "removed", "文档中", "嵌入的文件/对象", count=n, rule="embedded_file")


def macros(plan: CleanPlan) -> None:
    main = plan.main_part()
    removed = drop_related(plan, main, ("vbaProject", "wordVbaData", "keyMapCustomizations"))
    ct = plan.pkg.xml("[Content_Types].xml")
    if ct is not None:
        for o in ct.iter(f"{{{CT}}}Override"):
            if o.get("ContentType") == MACRO_MAIN:
                o.set("ContentType", DOCX_MAIN)
                plan.pkg.touch("[Content_Types].xml")
                removed.append("main")
    if removed:
        plan.act(None, "removed", "文档中", "宏代码（VBA）", rule="javascript")


def properties(plan: CleanPlan, hidden_rules: set[str]) -> None:
    """Core, extended and custom properties: only creation/modification dates survive."""
    cleared = 0
    core = plan.pkg.xml("docProps/core.xml")
    if core is not None:
        keep = {f"{{{DCTERMS}}}created", f"{{{DCTERMS}}}modified"}
        for child in list(core):
            if isinstance(child.tag, str) and child.tag not in keep:
                core.remove(child)
                cleared += 1
        plan.pkg.touch("docProps/core.xml")
    app = plan.pkg.xml("docProps/app.xml")
    if app is not None:
        for tag in ("Company", "Manager", "Template", "HyperlinkBase"):
            for el in app.findall(f"{{{EP}}}{tag}"):
                app.remove(el)
                cleared += 1
        plan.pkg.touch("docProps/app.xml")
    if drop_related(plan, "", ("custom-properties",)):
        cleared += 1
    if drop_related(plan, "", ("thumbnail",)):  # a picture of page 1: 红头, seal and all
        cleared += 1
    if cleared or "metadata_person" in hidden_rules:
        plan.act(
            None,
            "cleared",
            "文档属性",
            "作者、最后修改者、公司等属性",
            count=max(cleared, 1),
            rule="metadata_person",
        )


def settings(plan: CleanPlan) -> None:
    """The attached template path often holds a user name (C:\\Users\\张三\\...)."""
    main = plan.main_part()
    rels = plan.pkg.xml(rels_part_name(main))
    if rels is None:
        return
    for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/settings"):
            name = rel_target(main, rel.get("Target", ""))
            settings = plan.pkg.xml(name)
            if settings is None:
                continue
            for el in list(settings.iter(w("attachedTemplate"))):
                remove(el)
                plan.pkg.touch(name)
            drop_related(plan, name, ("attachedTemplate",))


def sweep(plan: CleanPlan) -> None:
    """The same numbers may also sit where no run text is: field codes (HYPERLINK
    "mailto:…"), picture descriptions, tooltips, hyperlink targets. Replace them there too."""
    if not plan.replacements:
        return
    values = sorted(plan.replacements, key=len, reverse=True)

    def fix(text: str | None) -> str | None:
        if not text:
            return text
        for v in values:
            if v in text:
                text = text.replace(v, plan.replacements[v])
        return text

    roots = list(plan.trace.parts.values())
    for name in plan.pkg.names:
        if name.endswith(".rels") and plan.pkg.exists(name):
            rels = plan.pkg.xml(name)
            if rels is not None:
                roots.append(rels)
                plan.pkg.touch(name)
    for root in roots:
        for el in root.iter():
            if isinstance(el.tag, str):
                el.text, el.tail = fix(el.text), fix(el.tail)
                for key, value in el.attrib.items():
                    new = fix(value)
                    if new != value:
                        el.set(key, new or "")


def garbage_collect(plan: CleanPlan) -> None:
    """Drop relationships to pictures/objects no longer referenced and the parts behind them
    (a removed seal must not stay inside word/media/)."""
    referenced: set[str] = set()
    candidates: set[str] = set()
    for rels_name in [n for n in plan.pkg.names if n.endswith(".rels") and plan.pkg.exists(n)]:
        folder = dirname(dirname(rels_name))
        source = join(folder, basename(rels_name)[: -len(".rels")]) if folder else basename(rels_name)[:-5]
        if rels_name == "_rels/.rels":
            source = ""
        rels = plan.pkg.xml(rels_name)
        if rels is None:
            continue
        body = plan.pkg.read(source) if source and plan.pkg.exists(source) else b""
        for rel in list(rels.iter(f"{{{PKG_REL}}}Relationship")):
            if rel.get("TargetMode") == "External":
                continue
            target = rel_target(source or "x", rel.get("Target", "")) if source else rel.get("Target", "")
            typ = rel.get("Type", "").rsplit("/", 1)[-1]
            if typ in ("image", "oleObject", "package", "hdphoto") and source:
                rid = rel.get("Id", "")
                if f'"{rid}"'.encode() not in body:
                    rels.remove(rel)
                    plan.pkg.touch(rels_name)
                    candidates.add(target)
                    continue
            referenced.add(target)
    for target in candidates - referenced:
        remove_part(plan, target)


def resolve_revisions(root: etree._Element, accept: bool) -> int:
    """Accept (drop deletions, keep insertions) or reject (the reverse) every tracked change."""
    n = 0
    gone, keep = (
        (("del", "moveFrom"), ("ins", "moveTo")) if accept else (("ins", "moveTo"), ("del", "moveFrom"))
    )
    for el in list(root.iter(w("trPr"))):
        for _mark in el.findall(w(gone[0])):
            tr = el.getparent()
            if tr is not None:
                remove(tr)
                n += 1
        for mark in el.findall(w(keep[0])):
            el.remove(mark)
            n += 1
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for el in list(root.iter(w(tag))):
            remove(el)
    for el in list(root.iter(*(w(t) for t in gone))):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == w("rPr"):  # a paragraph mark or run marked as deleted/inserted
            parent.remove(el)
        else:
            parent.remove(el)
        n += 1
    for el in list(root.iter(*(w(t) for t in keep))):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == w("rPr"):
            parent.remove(el)
            continue
        if not accept:
            for t in el.iter(w("delText")):
                t.tag = w("t")
            for t in el.iter(w("delInstrText")):
                t.tag = w("instrText")
        unwrap(el)
        n += 1
    for tag in PROPERTY_CHANGES:
        for el in list(root.iter(w(tag))):
            parent = el.getparent()
            if parent is None:
                continue
            if not accept and tag in ("rPrChange", "pPrChange"):
                old = el.find(w("rPr") if tag == "rPrChange" else w("pPr"))
                for child in [c for c in parent if c is not el and c.tag not in (w("rPr"), w("sectPr"))]:
                    parent.remove(child)
                if old is not None:
                    for i, child in enumerate(list(old)):
                        parent.insert(i, child)
            parent.remove(el)
            n += 1
    for tag in ("cellIns", "cellDel", "cellMerge"):
        for el in list(root.iter(w(tag))):
            remove(el)
    return n
