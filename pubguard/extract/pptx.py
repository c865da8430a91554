"""PowerPoint (PPTX/PPTM/POTX, and .ppt/.dps/.odp after LibreOffice) -> `Document`.

Layout: one `Page` per slide in points (slide size from the presentation), origin top-left.
Every run of text is a `TextBlock` with the bbox of its shape (split evenly between the shape's
paragraphs, so a finding points at the right line), colour (RGB or theme colour resolved
through the slide's theme), size and bold; table cells are TABLE_CELL blocks (row/col/table);
pictures are `ImageItem`s with their box on the slide (seals in pictures reach the seal
detector), also inside groups; red lines and ellipses become `Drawing`s.
Not visible on the slide but inside the file: speaker notes (COMMENT, source "pptx:notes"),
slide comments (COMMENT with author, "pptx:comment"), hidden slides (hidden=True,
"pptx:hidden_slide"), core properties (METADATA).
"""

from __future__ import annotations

import functools
import io
import posixpath
import zipfile
from typing import Any

from lxml import etree

from pubguard.config import ScanConfig
from pubguard.document import RGB, BBox, BlockKind, Document, Drawing, ImageItem, Page, TextBlock
from pubguard.errors import CorruptFile, PubGuardError

EMU_PER_PT = 12700.0
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P188 = "http://schemas.microsoft.com/office/powerpoint/2018/8/main"  # modern comments
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _pt(v: Any) -> float:
    return float(v or 0) / EMU_PER_PT


class _Builder:
    def __init__(self, data: bytes, name: str, config: ScanConfig):
        import pptx

        self.data = data
        self.prs = pptx.Presentation(io.BytesIO(data))
        self.zf = zipfile.ZipFile(io.BytesIO(data))
        self.doc = Document(name=name, format="pptx")
        self.width = _pt(self.prs.slide_width) or 720.0
        self.height = _pt(self.prs.slide_height) or 540.0
        self.theme: dict[str, RGB] = {}

    def para(self) -> int:
        return len(self.doc.blocks)

    # -- colours ----------------------------------------------------------------------------
    def load_theme(self, slide: Any) -> None:
        try:
            master = slide.slide_layout.slide_master
            for rel in master.part.rels.values():
                if rel.reltype.endswith("/theme"):
                    root = etree.fromstring(rel.target_part.blob)
                    scheme = root.find(f".//{{{_A}}}clrScheme")
                    if scheme is None:
                        return
                    for el in scheme:
                        key = etree.QName(el).localname
                        srgb = el.find(f"{{{_A}}}srgbClr")
                        sys_clr = el.find(f"{{{_A}}}sysClr")
                        val = (
                            srgb.get("val")
                            if srgb is not None
                            else (sys_clr.get("lastClr") if sys_clr is not None else None)
                        )
                        if val and len(val) == 6:
                            self.theme[key] = (int(val[0:2], 16), int(val[2:4], 16), int(val[4:6], 16))
                    return
        except Exception:  # a theme we cannot read leaves theme colours unresolved
            return

    def color(self, font: Any) -> RGB | None:
        try:
            c = font.color
            if c is None or c.type is None:
                return None
            if c.type == 1:  # MSO_COLOR_TYPE.RGB
                rgb = c.rgb
                return (rgb[0], rgb[1], rgb[2])
            if c.type == 2:  # SCHEME
                name = str(c.theme_color).split(".")[-1].split(" ")[0].lower()
                alias = {"text_1": "dk1", "background_1": "lt1", "text_2": "dk2", "background_2": "lt2"}
                key = alias.get(name, name.replace("_", ""))
                return self.theme.get(key)
        except (AttributeError, ValueError, TypeError, KeyError):
            return None
        return None

    # -- shapes -----------------------------------------------------------------------------
    def shape(self, shape: Any, page: int, hidden: bool, dx: float = 0.0, dy: float = 0.0) -> None:
        from pptx.enum.shapes import MSO_SHAPE_TYPE

        try:
            box: BBox | None = None
            if shape.left is not None and shape.width is not None:
                x0, y0 = _pt(shape.left) + dx, _pt(shape.top) + dy
                box = (x0, y0, x0 + _pt(shape.width), y0 + _pt(shape.height))
            stype = shape.shape_type
        except (AttributeError, ValueError, NotImplementedError):
            return
        if stype == MSO_SHAPE_TYPE.GROUP:
            for child in shape.shapes:
                self.shape(child, page, hidden)
            return
        if getattr(shape, "has_table", False) and shape.has_table:
            self.table(shape, page, hidden, box)
            return
        if (
            stype == MSO_SHAPE_TYPE.PICTURE
            or getattr(shape, "image", None) is not None
            and stype != MSO_SHAPE_TYPE.PLACEHOLDER
        ):
            self.picture(shape, page, box)
        elif stype == MSO_SHAPE_TYPE.PLACEHOLDER:
            try:
                _ = shape.image  # picture placeholder
                self.picture(shape, page, box)
            except (AttributeError, ValueError):
                pass
        self.drawing(shape, page, box)
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            self.text_frame(
                shape.text_frame,
                page,
                box,
                hidden,
                BlockKind.TEXT_BOX if stype == MSO_SHAPE_TYPE.TEXT_BOX else BlockKind.BODY,
            )

    def text_frame(
        self, tf: Any, page: int, box: BBox | None, hidden: bool, kind: BlockKind, **extra: Any
    ) -> None:
        paras = [p for p in tf.paragraphs if "".join(r.text for r in p.runs).strip()]
        n = max(len(paras), 1)
        for i, p in enumerate(paras):
            pbox = None
            if box is not None:
                h = (box[3] - box[1]) / n
                pbox = (box[0], box[1] + i * h, box[2], box[1] + (i + 1) * h)
            pid = self.para()
            align = str(p.alignment).split(".")[-1].split(" ")[0].lower() if p.alignment is not None else None
            for r in p.runs:
                if not r.text:
                    continue
                f = r.font
                self.doc.blocks.append(
                    TextBlock(
                        text=r.text,
                        page=page,
                        kind=kind,
                        bbox=pbox,
                        font_size=f.size.pt if f.size is not None else None,
                        color=self.color(f),
                        bold=bool(f.bold),
                        hidden=hidden,
                        alignment={
                            "ctr": "center",
                            "center": "center",
                            "r": "right",
                            "right": "right",
                            "just": "justify",
                            "justify": "justify",
                        }.get(align or "", "left" if align else None),
                        paragraph=pid,
                        source="pptx:hidden_slide" if hidden else extra.get("source"),
                        row=extra.get("row"),
                        col=extra.get("col"),
                        table=extra.get("table"),
                    )
                )

    def table(self, shape: Any, page: int, hidden: bool, box: BBox | None) -> None:
        table_id = sum(
            1 for b in self.doc.blocks if b.kind == BlockKind.TABLE_CELL and b.row == 1 and b.col == 1
        )
        tbl = shape.table
        for r, row in enumerate(tbl.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if cell.is_spanned:
                    continue
                self.text_frame(
                    cell.text_frame, page, box, hidden, BlockKind.TABLE_CELL, row=r, col=c, table=table_id
                )

    def picture(self, shape: Any, page: int, box: BBox | None) -> None:
        try:
            image = shape.image
            blob = image.blob
            from PIL import Image

            with Image.open(io.BytesIO(blob)) as im:
                w, h = im.size
        except Exception:  # linked (external) pictures, WMF/EMF Pillow cannot size
            return
        descr = None
        try:
            descr = shape._element.xpath("./*/p:cNvPr/@descr") or None
            descr = descr[0] if descr else None
        except Exception:
            descr = None
        self.doc.images.append(
            ImageItem(
                page=page,
                bbox=box,
                width=w,
                height=h,
                name=shape.name or image.filename or "",
                kind="anchored",
                loader=functools.partial(bytes, blob),
                description=descr,
            )
        )

    def drawing(self, shape: Any, page: int, box: BBox | None) -> None:
        if box is None:
            return
        try:
            line = shape.line
            stroke = None
            if line.fill.type == 1 and line.color.type == 1:  # solid RGB
                stroke = tuple(line.color.rgb)
            fill = None
            if shape.fill.type == 1 and shape.fill.fore_color.type == 1:
                fill = tuple(shape.fill.fore_color.rgb)
        except (AttributeError, TypeError, NotImplementedError, ValueError):
            return
        if stroke is None and fill is None:
            return
        geom = ""
        try:
            geom = str(shape.auto_shape_type).split(".")[-1].split(" ")[0].lower()
        except (AttributeError, ValueError, NotImplementedError):
            geom = "line" if shape.shape_type == 9 else ""
        kind = (
            "ellipse"
            if "oval" in geom
            else "line"
            if "line" in geom or shape.shape_type == 9
            else "rect"
            if "rect" in geom
            else "shape"
        )
        self.doc.drawings.append(
            Drawing(
                page=page,
                kind=kind,
                bbox=box,
                stroke=stroke,
                fill=fill,
                width=_pt(getattr(shape.line, "width", 0)),
                source="pptx:shape",
            )  # type: ignore[arg-type]
        )

    # -- hidden parts -----------------------------------------------------------------------
    def notes(self, slide: Any, page: int) -> None:
        if not slide.has_notes_slide:
            return
        text = (
            slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame is not None else ""
        )
        for line in text.splitlines():
            if line.strip():
                self.doc.blocks.append(
                    TextBlock(
                        text=line,
                        page=page,
                        kind=BlockKind.COMMENT,
                        paragraph=self.para(),
                        field_name="speaker_notes",
                        source="pptx:notes",
                    )
                )

    def comments(self, slide: Any, page: int, authors: dict[str, str]) -> None:
        for rel in slide.part.rels.values():
            if not rel.reltype.endswith(("/comments", "/comment")) or rel.is_external:
                continue
            try:
                root = etree.fromstring(rel.target_part.blob)
            except etree.XMLSyntaxError:
                continue
            for cm in root.iter(f"{{{_P}}}cm", f"{{{_P188}}}cm"):
                text = "".join(t.text or "" for t in cm.iter(f"{{{_P}}}text", f"{{{_A}}}t"))
                if not text.strip():
                    continue
                author = authors.get(cm.get("authorId") or "")
                self.doc.blocks.append(
                    TextBlock(
                        text=text.strip(),
                        page=page,
                        kind=BlockKind.COMMENT,
                        paragraph=self.para(),
                        author=author,
                        date=cm.get("dt") or cm.get("created"),
                        source="pptx:comment",
                    )
                )

    def comment_authors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in self.zf.namelist():
            if name.startswith("ppt/") and "uthors" in posixpath.basename(name) and name.endswith(".xml"):
                try:
                    root = etree.fromstring(self.zf.read(name))
                except (KeyError, etree.XMLSyntaxError):
                    continue
                for a in root:
                    if a.get("id") is not None and a.get("name"):
                        out[a.get("id")] = a.get("name")
        return out

    def metadata(self) -> None:
        props = self.prs.core_properties
        for attr, key in (
            ("author", "author"),
            ("last_modified_by", "last_modified_by"),
            ("title", "title"),
            ("subject", "subject"),
            ("keywords", "keywords"),
            ("comments", "description"),
        ):
            value = getattr(props, attr, None)
            if isinstance(value, str) and value.strip():
                self.doc.metadata[key] = value.strip()
                self.doc.blocks.append(
                    TextBlock(
                        text=value.strip(),
                        page=0,
                        kind=BlockKind.METADATA,
                        field_name=key,
                        paragraph=self.para(),
                        source="pptx:core",
                    )
                )
        for attr, key in (("created", "created"), ("modified", "modified")):
            value = getattr(props, attr, None)
            if value is not None:
                self.doc.metadata[key] = value.isoformat(timespec="seconds")

    def build(self) -> Document:
        authors = self.comment_authors()
        for number, slide in enumerate(self.prs.slides, start=1):
            if not self.theme:
                self.load_theme(slide)
            hidden = slide._element.get("show") in ("0", "false")
            self.doc.pages.append(Page(number=number, width=self.width, height=self.height, unit="pt"))
            for shape in slide.shapes:
                self.shape(shape, number, hidden)
            self.notes(slide, number)
            self.comments(slide, number, authors)
        self.metadata()
        if not self.doc.pages:
            self.doc.pages.append(Page(number=1, width=self.width, height=self.height, unit="pt"))
        return self.doc.finalize()


def extract_pptx(data: bytes, name: str, config: ScanConfig) -> Document:
    from pubguard.extract.redraw import attach_renderers

    try:
        doc = _Builder(data, name, config).build()
        attach_renderers(doc)  # slide images drawn from the layout (review UI, --annotate)
        return doc
    except PubGuardError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # python-pptx raises KeyError / lxml / zip errors on bad parts
        raise CorruptFile(f"演示文稿已损坏或结构异常，无法读取（{type(exc).__name__}）。") from exc
