"""The stories and parts around the body: page setup, footnotes / endnotes, headers and footers,
comments (with the text range each one anchors), document properties, embeddings and macros.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from pubguard.document import BlockKind, Page, TextBlock
from pubguard.extract.docx.body import BodyReader
from pubguard.extract.docx.ns import A4, CP, CUSTOM, DC, DCTERMS, EP, TWIPS_PER_PT, R, to_int, w
from pubguard.extract.docx.output import Ctx, Output
from pubguard.extract.docx.package import Package, Part

# Fields that are technical noise: kept in `doc.metadata`, no METADATA text block.
_NO_BLOCK_FIELDS = {
    "created",
    "modified",
    "last_printed",
    "revision",
    "application",
    "app_version",
    "template",
}


class PartsReader:
    def __init__(self, pkg: Package, out: Output, body: BodyReader) -> None:
        self.pkg = pkg
        self.out = out
        self.body = body
        self.main: Part | None = None

    def page_setup(self, body: etree._Element) -> None:
        first = None
        for el in body.iter(w("sectPr")):
            first = el
            break
        width, height = A4
        margins = None
        if first is not None:
            pgsz = first.find(w("pgSz"))
            if pgsz is not None:
                width = to_int(pgsz.get(w("w")), round(A4[0] * 20)) / TWIPS_PER_PT
                height = to_int(pgsz.get(w("h")), round(A4[1] * 20)) / TWIPS_PER_PT
            mar = first.find(w("pgMar"))
            if mar is not None:
                margins = (
                    (to_int(mar.get(w("left"))) + to_int(mar.get(w("gutter")))) / TWIPS_PER_PT,
                    abs(to_int(mar.get(w("top")))) / TWIPS_PER_PT,
                    to_int(mar.get(w("right"))) / TWIPS_PER_PT,
                    abs(to_int(mar.get(w("bottom")))) / TWIPS_PER_PT,
                )
        page = Page(number=1, width=width, height=height, unit="pt", margins=margins)
        self.out.doc.pages.append(page)
        x0, _y0, x1, _y1 = page.text_area
        self.out.text_width = max(x1 - x0, 0.0)

    def headers_footers(self) -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for kind in ("header", "footer"):
            for sect in self.out.sect_prs:
                for ref in sect.findall(w(f"{kind}Reference")):
                    rid = ref.get(f"{{{R}}}id")
                    rel = self.main.rels.get(rid or "") if self.main is not None else None
                    if rel is None or rel[2] or rel[1] in seen:
                        continue
                    seen.add(rel[1])
                    yield kind, rel[1]

    def notes(self) -> None:
        for typ, target, external in self.main.rels.values() if self.main is not None else ():
            if typ not in {"footnotes", "endnotes"} or external:
                continue
            part = self.pkg.load_part(target)
            if part is None:
                continue
            for note in part.root:
                if not isinstance(note.tag, str) or note.get(w("type")) in {
                    "separator",
                    "continuationSeparator",
                    "continuationNotice",
                }:
                    continue
                self.body.walk_blocks(note, Ctx(part=part, kind=BlockKind.BODY, source=f"w:{typ[:-1]}"))

    def comments(self) -> None:
        rels = self.main.rels.values() if self.main is not None else ()
        target = next((t for typ, t, ext in rels if typ == "comments" and not ext), None)
        part = self.pkg.load_part(target) if target else None
        if part is None:
            return
        for com in part.root.iter(w("comment")):
            cid = com.get(w("id"), "")
            anchor = self.out.comment_anchors.get(cid)
            info = [f"w:comment;id={cid}"]
            if anchor is not None:
                info.append(f"paragraph={anchor.paragraph}")
                if anchor.end_paragraph != anchor.paragraph:
                    info.append(f"end_paragraph={anchor.end_paragraph}")
            initials = com.get(w("initials"))
            if initials:
                info.append(f"initials={initials}")
            source = ";".join(info)
            ctx = Ctx(
                part=part,
                kind=BlockKind.COMMENT,
                source=source,
            )
            first = len(self.out.doc.blocks)
            self.body.walk_blocks(com, ctx)
            for block in self.out.doc.blocks[first:]:
                block.author = com.get(w("author")) or None
                block.date = com.get(w("date")) or None
                if block.kind == BlockKind.COMMENT:
                    block.source = source

    def metadata(self) -> None:
        meta: dict[str, str] = {}
        core = self.pkg.parse("docProps/core.xml")
        if core is not None:
            for tag, key in (
                (f"{{{DC}}}creator", "author"),
                (f"{{{CP}}}lastModifiedBy", "last_modified_by"),
                (f"{{{DC}}}title", "title"),
                (f"{{{DC}}}subject", "subject"),
                (f"{{{CP}}}keywords", "keywords"),
                (f"{{{DC}}}description", "comments"),
                (f"{{{CP}}}category", "category"),
                (f"{{{CP}}}contentStatus", "content_status"),
                (f"{{{DCTERMS}}}created", "created"),
                (f"{{{DCTERMS}}}modified", "modified"),
                (f"{{{CP}}}lastPrinted", "last_printed"),
                (f"{{{CP}}}revision", "revision"),
            ):
                el = core.find(tag)
                if el is not None and (el.text or "").strip():
                    meta[key] = el.text.strip()
        app = self.pkg.parse("docProps/app.xml")
        if app is not None:
            for tag, key in (
                ("Company", "company"),
                ("Manager", "manager"),
                ("Template", "template"),
                ("Application", "application"),
                ("AppVersion", "app_version"),
            ):
                el = app.find(f"{{{EP}}}{tag}")
                if el is not None and (el.text or "").strip():
                    meta[key] = el.text.strip()
        custom = self.pkg.parse("docProps/custom.xml")
        if custom is not None:
            for prop in custom.iter(f"{{{CUSTOM}}}property"):
                pname = prop.get("name")
                values = [c for c in prop if isinstance(c.tag, str)]
                if not pname or len(values) != 1 or len(values[0]) or not (values[0].text or "").strip():
                    continue  # only simple scalar values (lpwstr, i4, bool, filetime ...)
                meta[f"custom:{pname}"] = values[0].text.strip()
        self.out.doc.metadata.update(meta)
        for key, value in meta.items():
            if key in _NO_BLOCK_FIELDS:
                continue
            para = self.out.new_paragraph()
            self.out.doc.blocks.append(
                TextBlock(
                    text=value,
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=para,
                    source="docProps",
                )
            )

    def package_extras(self) -> None:
        for name in sorted(self.pkg.names):
            low = name.lower()
            if low.startswith("word/embeddings/") and not low.endswith("/"):
                if name not in self.out.doc.embedded_files:
                    self.out.doc.embedded_files.append(name)
            elif low.endswith("vbaproject.bin"):
                self.out.doc.scripts.append(f"[VBA] {name}")

    def anchor_ranges(self, first_comment_block: int) -> None:
        """Now that offsets exist, record each comment's anchored text range in its blocks'
        `source` ("range=start-end" in `doc.text`), so detectors can point at the commented
        passage without re-reading the XML."""
        blocks = self.out.doc.blocks

        def offset(pos: tuple[int, int] | None, *, is_start: bool) -> int | None:
            if pos is None:
                return None
            idx, ch = pos
            if idx < 0:
                return blocks[0].start if blocks else 0
            block = blocks[idx]
            if is_start and ch >= len(block.text) and idx + 1 < len(blocks):
                return blocks[idx + 1].start
            return block.start + ch

        ranges: dict[str, str] = {}
        for cid, anchor in self.out.comment_anchors.items():
            start = offset(anchor.start_pos, is_start=True)
            end = offset(anchor.end_pos, is_start=False)
            if start is not None and end is not None and end >= start:
                ranges[cid] = f"range={start}-{end}"
        for block in blocks[first_comment_block:]:
            if block.kind != BlockKind.COMMENT or not block.source:
                continue
            m = re.match(r"w:comment;id=([^;]*)", block.source)
            if m and m.group(1) in ranges:
                block.source += ";" + ranges[m.group(1)]
