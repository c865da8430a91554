"""OFD (GB/T 33190-2016, 版式文档) -> `Document`, read natively from the package (zip + XML).

OFD.xml -> DocBody (DocInfo = metadata, DocRoot = Document.xml, Signatures) -> Document.xml
(CommonData: PageArea, PublicRes / DocumentRes with fonts, colour params and MultiMedia,
TemplatePage; Pages; Annotations; Attachments) -> Pages/Page_N/Content.xml (Layers of
TextObject, PathObject, ImageObject, PageBlock, CompositeObject).

Layout: OFD measures in millimetres; pages here are in points (unit "pt", origin top-left as
in OFD) so the detectors weigh sizes and positions as for PDF. Every TextCode is a TextBlock with
its box (baseline Y, DeltaX advances, CTM scaling), font size, fill colour (RGB "255 0 0",
default black) and font name (`source` "ofd:font=..."); template pages (where a 红头 often
lives) are read before the page's own content. Pictures are ImageItems with their box (seals
reach the seal detector); paths (red separator lines, rings) are Drawings; annotations (Remark
and appearance objects) are ANNOTATION blocks and images; attachments are `Document.attachments`.

Electronic seals / signatures: every Signature in Signs/ (Signatures.xml -> Signature.xml) becomes
a `Document.signatures` entry with the page and box of each StampAnnot, the provider, the signing
time and, when it can be read from the seal file, the seal's name. The seal detector reports
each as a blocker: it is a fact of the file, not a guess from pixels.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from pubguard.config import ScanConfig
from pubguard.document import (
    RGB,
    Attachment,
    BBox,
    BlockKind,
    Document,
    Drawing,
    ImageItem,
    Page,
    Signature,
    TextBlock,
)
from pubguard.errors import CorruptFile, EncryptedFile, PubGuardError
from pubguard.extract.redraw import attach_renderers, render_pdf

__all__ = ["extract_ofd", "render_pdf", "MM_TO_PT"]

MM_TO_PT = 72.0 / 25.4
A4_MM = (210.0, 297.0)
MAX_OBJECTS = 500_000  # graphic objects per document (time / memory bound)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_SEAL_NAME_RE = re.compile(r"[\u4e00-\u9fff（）()]{2,40}(?:专用章|公章|之章|印章|章|之印)")


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _kids(el: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if el is None:
        return
    for child in el:
        if _local(child) == name:
            yield child


def _kid(el: etree._Element | None, name: str) -> etree._Element | None:
    return next(_kids(el, name), None)


def _text(el: etree._Element | None, name: str) -> str | None:
    k = _kid(el, name)
    return (k.text or "").strip() if k is not None and k.text else None


def _floats(value: str | None) -> list[float]:
    if not value:
        return []
    out = []
    for part in value.replace(",", " ").split():
        try:
            out.append(float(part))
        except ValueError:
            continue
    return out


def _box(value: str | None) -> BBox | None:
    """OFD box "x y w h" (mm) -> (x0, y0, x1, y1) in mm."""
    v = _floats(value)
    if len(v) < 4:
        return None
    return (v[0], v[1], v[0] + v[2], v[1] + v[3])


def _color(el: etree._Element | None) -> RGB | None:
    """<FillColor Value="255 0 0"/> (also "#FF0000"); None when absent or not RGB."""
    if el is None:
        return None
    value = (el.get("Value") or "").strip()
    if not value:
        return None
    if value.startswith("#"):
        hexv = value[1:]
        if len(hexv) >= 6:
            try:
                return (int(hexv[0:2], 16), int(hexv[2:4], 16), int(hexv[4:6], 16))
            except ValueError:
                return None
        return None
    parts = _floats(value)
    if len(parts) == 3:
        return (int(parts[0]) & 255, int(parts[1]) & 255, int(parts[2]) & 255)
    if len(parts) == 1:  # grey
        g = int(parts[0]) & 255
        return (g, g, g)
    if len(parts) == 4:  # CMYK 0-255
        c, m, y, k = (p / 255.0 for p in parts)
        return (
            round(255 * (1 - c) * (1 - k)),
            round(255 * (1 - m) * (1 - k)),
            round(255 * (1 - y) * (1 - k)),
        )
    return None


def _deltas(value: str | None) -> list[float]:
    """DeltaX / DeltaY with the "g N d" repeat abbreviation expanded."""
    if not value:
        return []
    tokens = value.split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                n, d = int(float(tokens[i + 1])), float(tokens[i + 2])
            except ValueError:
                break
            out.extend([d] * min(n, 10_000))
            i += 3
            continue
        with contextlib.suppress(ValueError):
            out.append(float(tokens[i]))
        i += 1
    return out


@dataclass
class _Res:
    fonts: dict[str, str] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)  # id -> package path
    draw_params: dict[str, etree._Element] = field(default_factory=dict)


class _Reader:
    def __init__(self, data: bytes, name: str, config: ScanConfig):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise CorruptFile("OFD 文件已损坏：压缩包结构无法读取。") from exc
        self.names = {n.lstrip("/"): n for n in self.zf.namelist()}
        self.lower = {n.lower(): n for n in self.names}
        self.doc = Document(name=name, format="ofd")
        self.config = config
        self.objects = 0
        self.truncated = False

    # -- package access -----------------------------------------------------------------------
    def resolve(self, ref: str | None, base_dir: str = "") -> str | None:
        if not ref:
            return None
        ref = ref.strip().replace("\\", "/")
        path = ref.lstrip("/") if ref.startswith("/") else posixpath.join(base_dir, ref)
        path = posixpath.normpath(path).lstrip("/")
        if path in self.names:
            return path
        hit = self.lower.get(path.lower())
        if hit is not None:
            return hit.lstrip("/")
        if not ref.startswith("/") and ref.lstrip("/") in self.names:  # some writers: root-relative
            return ref.lstrip("/")
        return None

    def read(self, path: str) -> bytes:
        info = self.zf.getinfo(self.names[path])
        if info.flag_bits & 0x1:
            raise EncryptedFile("OFD 文件中的部件已加密，无法检查。")
        return self.zf.read(info)

    def xml(self, path: str | None) -> etree._Element | None:
        if path is None:
            return None
        raw = self.read(path)
        if b"<!ENTITY" in raw[:4096]:
            raise CorruptFile("OFD 文件含有不允许的 XML 实体声明，已拒绝处理。")
        try:
            return etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise CorruptFile(f"OFD 文件的 {path} 不是有效的 XML。") from exc

    def loader(self, path: str) -> Callable[[], bytes]:
        return lambda: self.read(path)

    # -- resources ----------------------------------------------------------------------------
    def load_res(self, res_path: str | None, res: _Res) -> None:
        root = self.xml(res_path)
        if root is None or res_path is None:
            return
        base = posixpath.join(posixpath.dirname(res_path), root.get("BaseLoc") or "")
        for group in root:
            kind = _local(group)
            for item in group:
                rid = item.get("ID")
                if not rid:
                    continue
                if kind == "Fonts":
                    res.fonts[rid] = item.get("FontName") or item.get("FamilyName") or ""
                elif kind == "MultiMedias":
                    path = self.resolve(_text(item, "MediaFile"), base) or self.resolve(
                        _text(item, "MediaFile"), posixpath.dirname(res_path)
                    )
                    if path:
                        res.media[rid] = path
                elif kind == "DrawParams":
                    res.draw_params[rid] = item

    # -- objects ------------------------------------------------------------------------------
    def walk(
        self,
        parent: etree._Element,
        page: int,
        res: _Res,
        kind: BlockKind,
        offset: tuple[float, float] = (0.0, 0.0),
        inherited: dict | None = None,
    ) -> None:
        for el in parent:
            name = _local(el)
            if name in ("Layer", "PageBlock", "Content", "Appearance"):
                params = dict(inherited or {})
                dp = res.draw_params.get(el.get("DrawParam") or "")
                if dp is not None:
                    params.setdefault("fill", _color(_kid(dp, "FillColor")))
                    params.setdefault("stroke", _color(_kid(dp, "StrokeColor")))
                self.walk(el, page, res, kind, offset, params)
                continue
            self.objects += 1
            if self.objects > MAX_OBJECTS:
                self.truncated = True
                return
            hidden = el.get("Visible") in ("false", "0")
            if name == "TextObject":
                self.text_object(el, page, res, kind, offset, inherited or {}, hidden)
            elif name == "ImageObject":
                self.image_object(el, page, res, offset)
            elif name == "PathObject":
                self.path_object(el, page, offset, inherited or {})
            elif name == "CompositeObject":
                self.walk(el, page, res, kind, offset, inherited)

    def _pt_box(self, box: BBox, offset: tuple[float, float]) -> BBox:
        dx, dy = offset
        return (
            (box[0] + dx) * MM_TO_PT,
            (box[1] + dy) * MM_TO_PT,
            (box[2] + dx) * MM_TO_PT,
            (box[3] + dy) * MM_TO_PT,
        )

    def text_object(
        self,
        el: etree._Element,
        page: int,
        res: _Res,
        kind: BlockKind,
        offset: tuple[float, float],
        inherited: dict,
        hidden: bool,
    ) -> None:
        boundary = _box(el.get("Boundary"))
        if boundary is None:
            return
        size_mm = (_floats(el.get("Size")) or [3.5])[0]
        ctm = _floats(el.get("CTM"))
        a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        scale = max(abs(a * d - b * c), 1e-6) ** 0.5
        fill = _color(_kid(el, "FillColor"))
        if fill is None:
            dp = res.draw_params.get(el.get("DrawParam") or "")
            fill = _color(_kid(dp, "FillColor")) if dp is not None else None
        if fill is None:
            fill = inherited.get("fill")
        if el.get("Fill") in ("false", "0") and _kid(el, "StrokeColor") is not None:
            fill = _color(_kid(el, "StrokeColor"))
        font = res.fonts.get(el.get("Font") or "", "")
        weight = el.get("Weight") or ""
        bold = weight.isdigit() and int(weight) >= 600
        para = len(self.doc.blocks)
        x_cursor = 0.0
        y_cursor = 0.0
        for code in _kids(el, "TextCode"):
            text = code.text or ""
            if not text:
                continue
            x = float(code.get("X")) if code.get("X") not in (None, "") else x_cursor
            y = float(code.get("Y")) if code.get("Y") not in (None, "") else y_cursor
            dxs = _deltas(code.get("DeltaX"))
            dys = _deltas(code.get("DeltaY"))
            advance = sum(dxs[: max(len(text) - 1, 0)])
            vertical = sum(dys[: max(len(text) - 1, 0)])
            x0, y_base = a * x + c * y + e, b * x + d * y + f
            x1 = a * (x + advance + size_mm) + c * y + e
            size = size_mm * scale
            top = y_base - size * 0.88
            bottom = y_base + size * 0.12 + vertical * scale
            box = (
                boundary[0] + x0,
                boundary[1] + top,
                boundary[0] + max(x1, x0 + size * 0.5),
                boundary[1] + bottom,
            )
            self.doc.blocks.append(
                TextBlock(
                    text=text,
                    page=page,
                    kind=kind,
                    bbox=self._pt_box(box, offset),
                    font_size=round(size * MM_TO_PT, 2),
                    color=fill if fill != (0, 0, 0) else None,
                    bold=bold,
                    hidden=hidden,
                    paragraph=para,
                    source=f"ofd:font={font}" if font else "ofd",
                )
            )
            x_cursor = x + advance + (dxs[len(text) - 1] if len(dxs) >= len(text) else size_mm)
            y_cursor = y

    def image_object(self, el: etree._Element, page: int, res: _Res, offset: tuple[float, float]) -> None:
        boundary = _box(el.get("Boundary"))
        path = res.media.get(el.get("ResourceID") or "")
        if boundary is None or path is None:
            return
        width = height = 0
        try:
            from PIL import Image

            with Image.open(io.BytesIO(self.read(path))) as im:
                width, height = im.size
        except Exception:  # JBIG2 and other formats Pillow cannot open: box only
            width = height = 0
        self.doc.images.append(
            ImageItem(
                page=page,
                bbox=self._pt_box(boundary, offset),
                width=width,
                height=height,
                name=posixpath.basename(path),
                kind="anchored",
                loader=self.loader(path) if width else None,
            )
        )

    def path_object(
        self, el: etree._Element, page: int, offset: tuple[float, float], inherited: dict
    ) -> None:
        boundary = _box(el.get("Boundary"))
        if boundary is None:
            return
        stroke = _color(_kid(el, "StrokeColor")) or inherited.get("stroke")
        fill = _color(_kid(el, "FillColor")) if el.get("Fill") in ("true", "1") else None
        if el.get("Stroke") in ("false", "0"):
            stroke = None
        if stroke is None and fill is None:
            return
        w, h = boundary[2] - boundary[0], boundary[3] - boundary[1]
        data = _text(el, "AbbreviatedData") or ""
        curved = any(op in data.split() for op in ("A", "B", "Q"))
        kind = (
            "line"
            if min(w, h) < 1.5 and max(w, h) > 5
            else ("ellipse" if curved and w > 0 and 0.55 < h / max(w, 1e-6) < 1.8 else "path")
        )
        line_width = (_floats(el.get("LineWidth")) or [0.353])[0] * MM_TO_PT
        self.doc.drawings.append(
            Drawing(
                page=page,
                kind=kind,
                bbox=self._pt_box(boundary, offset),
                stroke=stroke,
                fill=fill,
                width=line_width,
                source="ofd:path",
            )
        )

    # -- document parts -----------------------------------------------------------------------
    def metadata(self, body: etree._Element) -> None:
        info = _kid(body, "DocInfo")
        if info is None:
            return
        fields = {
            "Title": "title",
            "Author": "author",
            "Subject": "subject",
            "Abstract": "description",
            "Creator": "creator",
            "CreatorVersion": "creator_version",
            "DocUsage": "doc_usage",
            "CreationDate": "created",
            "ModDate": "modified",
        }
        for el in info:
            key = fields.get(_local(el))
            if key and el.text and el.text.strip():
                self.doc.metadata[key] = el.text.strip()
        keywords = [
            k.text.strip() for k in _kids(_kid(info, "Keywords"), "Keyword") if k.text and k.text.strip()
        ]
        if keywords:
            self.doc.metadata["keywords"] = "，".join(keywords)
        for cd in _kids(_kid(info, "CustomDatas"), "CustomData"):
            if cd.get("Name") and cd.text and cd.text.strip():
                self.doc.metadata[f"custom:{cd.get('Name')}"] = cd.text.strip()
        for key, value in self.doc.metadata.items():
            if key in ("created", "modified", "creator_version"):
                continue
            self.doc.blocks.append(
                TextBlock(
                    text=value,
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=len(self.doc.blocks),
                    source="ofd:DocInfo",
                )
            )

    def run(self) -> Document:
        ofd_path = self.resolve("OFD.xml")
        root = self.xml(ofd_path)
        if root is None or _local(root) != "OFD":
            raise CorruptFile("OFD 文件缺少有效的 OFD.xml 入口。")
        bodies = list(_kids(root, "DocBody"))
        if not bodies:
            raise CorruptFile("OFD 文件中没有文档（DocBody）。")
        for body in bodies:
            self.metadata(body)
            doc_path = self.resolve(_text(body, "DocRoot"))
            if doc_path is None:
                raise CorruptFile("OFD 文件的 DocRoot 指向的 Document.xml 不存在。")
            page_ids = self.document(doc_path)
            sig_path = self.resolve(_text(body, "Signatures"), "") or self.resolve(
                _text(body, "Signatures"), posixpath.dirname(doc_path)
            )
            if sig_path:
                self.signatures(sig_path, page_ids)
        if self.truncated:
            self.doc.warnings.append(f"OFD 文件图形对象过多（超过 {MAX_OBJECTS} 个），其余部分未检查。")
        if not self.doc.pages:
            raise CorruptFile("OFD 文件中没有页面。")
        return self.doc.finalize()

    def document(self, doc_path: str) -> dict[str, int]:
        root = self.xml(doc_path)
        base = posixpath.dirname(doc_path)
        common = _kid(root, "CommonData")
        res = _Res()
        for name in ("PublicRes", "DocumentRes"):
            for el in _kids(common, name):
                self.load_res(self.resolve(el.text, base), res)
        default_box = _box(_text(_kid(common, "PageArea"), "PhysicalBox")) or (0, 0, *A4_MM)
        templates = {
            t.get("ID"): self.resolve(t.get("BaseLoc"), base)
            for t in _kids(common, "TemplatePage")
            if t.get("ID")
        }
        page_ids: dict[str, int] = {}
        first = len(self.doc.pages)
        for pel in _kids(_kid(root, "Pages"), "Page"):
            number = len(self.doc.pages) + 1
            path = self.resolve(pel.get("BaseLoc"), base)
            if pel.get("ID"):
                page_ids[pel.get("ID")] = number
            proot = self.xml(path) if path else None
            box = default_box
            if proot is not None:
                box = _box(_text(_kid(proot, "Area"), "PhysicalBox")) or default_box
            self.doc.pages.append(
                Page(
                    number=number,
                    width=(box[2] - box[0]) * MM_TO_PT,
                    height=(box[3] - box[1]) * MM_TO_PT,
                    unit="pt",
                )
            )
            if proot is None or path is None:
                continue
            page_res = _Res(dict(res.fonts), dict(res.media), dict(res.draw_params))
            for el in _kids(proot, "PageRes"):
                self.load_res(self.resolve(el.text, posixpath.dirname(path)), page_res)
            for tpl in _kids(proot, "Template"):
                tpath = templates.get(tpl.get("TemplateID"))
                troot = self.xml(tpath) if tpath else None
                if troot is not None:
                    self.walk(
                        _kid(troot, "Content") if _kid(troot, "Content") is not None else troot,
                        number,
                        page_res,
                        BlockKind.BODY,
                    )
            content = _kid(proot, "Content")
            if content is not None:
                self.walk(content, number, page_res, BlockKind.BODY)
        annots = self.resolve(_text(root, "Annotations"), base)
        if annots:
            self.annotations(annots, page_ids, res)
        attachments = self.resolve(_text(root, "Attachments"), base)
        if attachments:
            self.attachments(attachments)
        if not page_ids:  # pages without IDs: PageRef can only mean the position
            page_ids = {str(n - first): n for n in range(first + 1, len(self.doc.pages) + 1)}
        return page_ids

    def annotations(self, path: str, page_ids: dict[str, int], res: _Res) -> None:
        root = self.xml(path)
        for pel in _kids(root, "Page"):
            number = page_ids.get(pel.get("PageID") or "")
            apath = self.resolve(_text(pel, "FileLoc"), posixpath.dirname(path))
            if number is None or apath is None:
                continue
            for annot in _kids(self.xml(apath), "Annot"):
                subtype = annot.get("Subtype") or annot.get("Type") or ""
                remark = _text(annot, "Remark")
                if remark:
                    self.doc.blocks.append(
                        TextBlock(
                            text=remark,
                            page=number,
                            kind=BlockKind.ANNOTATION,
                            paragraph=len(self.doc.blocks),
                            author=annot.get("Creator"),
                            date=annot.get("LastModDate"),
                            source=f"ofd:annot:{subtype}",
                        )
                    )
                for app in _kids(annot, "Appearance"):
                    box = _box(app.get("Boundary"))
                    offset = (box[0], box[1]) if box else (0.0, 0.0)
                    self.walk(app, number, res, BlockKind.ANNOTATION, offset)

    def attachments(self, path: str) -> None:
        root = self.xml(path)
        for att in _kids(root, "Attachment"):
            target = self.resolve(_text(att, "FileLoc"), posixpath.dirname(path))
            if target is None:
                continue
            info = self.zf.getinfo(self.names[target])
            name = att.get("Name") or posixpath.basename(target)
            if att.get("Format") and "." not in name:
                name += "." + att.get("Format")
            self.doc.embedded_files.append(name)
            self.doc.attachments.append(
                Attachment(
                    name=name, size=info.file_size, loader=self.loader(target), source="ofd:attachment"
                )
            )

    def signatures(self, path: str, page_ids: dict[str, int]) -> None:
        root = self.xml(path)
        for sig in _kids(root, "Signature"):
            spath = self.resolve(sig.get("BaseLoc"), posixpath.dirname(path)) or self.resolve(
                sig.get("BaseLoc")
            )
            kind = "sign" if (sig.get("Type") or "Seal") == "Sign" else "seal"
            sroot = self.xml(spath) if spath else None
            info = _kid(sroot, "SignedInfo")
            provider_el = _kid(info, "Provider")
            provider = None
            if provider_el is not None:
                provider = (
                    " ".join(v for v in (provider_el.get("Company"), provider_el.get("ProviderName")) if v)
                    or None
                )
            signed_at = _text(info, "SignatureDateTime")
            seal_name = None
            seal_path = self.resolve(_text(_kid(info, "Seal"), "BaseLoc"), posixpath.dirname(spath or ""))
            if seal_path is None and spath:
                value_path = self.resolve(_text(sroot, "SignedValue"), posixpath.dirname(spath))
                seal_path = value_path
            if seal_path:
                try:
                    found = _SEAL_NAME_RE.search(self.read(seal_path).decode("utf-8", "ignore"))
                    seal_name = found.group(0) if found else None
                except (KeyError, OSError):
                    seal_name = None
            stamps = list(_kids(info, "StampAnnot"))
            source = f"ofd:{spath or path}"
            if not stamps:
                self.doc.signatures.append(
                    Signature(
                        page=None,
                        bbox=None,
                        kind=kind,
                        provider=provider,
                        signed_at=signed_at,
                        seal_name=seal_name,
                        source=source,
                    )
                )
            for stamp in stamps:
                number = page_ids.get(stamp.get("PageRef") or "")
                box = _box(stamp.get("Boundary"))
                self.doc.signatures.append(
                    Signature(
                        page=number,
                        bbox=self._pt_box(box, (0.0, 0.0)) if box else None,
                        kind=kind,
                        provider=provider,
                        signed_at=signed_at,
                        seal_name=seal_name,
                        source=source,
                    )
                )


def extract_ofd(data: bytes, name: str, config: ScanConfig) -> Document:
    try:
        doc = _Reader(data, name, config).run()
        attach_renderers(doc)  # page images drawn from the layout (review UI, --annotate)
        return doc
    except PubGuardError:
        raise
    except MemoryError:
        raise
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile(f"OFD 文件已损坏或结构异常，无法读取（{type(exc).__name__}）。") from exc
