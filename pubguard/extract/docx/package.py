"""The OPC package of a Word file: zip members, hardened XML parsing and relationships.

Everything that touches the zip lives here, so the XML walkers never open members themselves and
the parser settings that refuse XML bombs exist once.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from posixpath import dirname, join, normpath

from lxml import etree

from pubguard.errors import CorruptFile, DecompressionBomb
from pubguard.extract.docx.ns import PKG_REL, STRICT_TO_TRANSITIONAL

_ENTITY_DECL = b"<!ENTITY"


@dataclass
class Part:
    """One XML part of the package with its own relationships (images of a header resolve
    against the header's rels, not the document's)."""

    name: str
    root: etree._Element
    rels: dict[str, tuple[str, str, bool]]  # rId -> (type, target part name, external)


class Package:
    """Read access to the package. Damaged optional parts add a line to `warnings` and are
    skipped; `traced`, when set, collects the parsed root of every part loaded with `load_part`."""

    def __init__(
        self, data: bytes, warnings: list[str], traced: dict[str, etree._Element] | None = None
    ) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFile("文件已损坏：Word 文档的压缩包结构无法读取。") from exc
        self.warnings = warnings
        self.traced = traced
        self._media_sizes: dict[str, tuple[int, int]] = {}

    def read(self, part_name: str) -> bytes | None:
        part_name = part_name.lstrip("/")
        if part_name not in self.names:
            return None
        try:
            return self.zf.read(part_name)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError) as exc:
            raise CorruptFile(f"文件已损坏：无法解压文档部件 {part_name}。") from exc

    def parse(self, part_name: str, *, required: bool = False) -> etree._Element | None:
        raw = self.read(part_name)
        if raw is None:
            if required:
                raise CorruptFile("文件已损坏：缺少 Word 正文部件（word/document.xml）。")
            return None
        return self.parse_bytes(raw, part_name, required=required)

    def parse_bytes(self, raw: bytes, part_name: str, *, required: bool = False) -> etree._Element | None:
        if _ENTITY_DECL in raw:
            raise DecompressionBomb(f"文档部件 {part_name} 含有 XML 实体声明（疑似 XML 炸弹），已拒绝处理。")
        for strict, transitional in STRICT_TO_TRANSITIONAL.items():
            if strict in raw:
                raw = raw.replace(strict, transitional)
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            return etree.fromstring(raw, parser)
        except etree.XMLSyntaxError as exc:
            if required:
                raise CorruptFile(f"文件已损坏：{part_name} 不是有效的 XML。") from exc
            self.warnings.append(f"文档部件 {part_name} 已损坏，已跳过其中内容。")
            return None

    def rels_for(self, part_name: str) -> dict[str, tuple[str, str, bool]]:
        base = dirname(part_name)
        rels_name = join(base, "_rels", part_name.rsplit("/", 1)[-1] + ".rels")
        root = self.parse(rels_name)
        out: dict[str, tuple[str, str, bool]] = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            rid, target = rel.get("Id"), rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if not rid:
                continue
            if not external:
                target = target.lstrip("/") if target.startswith("/") else normpath(join(base, target))
            out[rid] = (rel.get("Type", "").rsplit("/", 1)[-1], target, external)
        return out

    def load_part(self, part_name: str, *, required: bool = False) -> Part | None:
        root = self.parse(part_name, required=required)
        if root is None:
            return None
        if self.traced is not None:
            self.traced[part_name] = root
        return Part(part_name, root, self.rels_for(part_name))

    def main_part_name(self) -> str:
        for _rid, (typ, target, external) in self.rels_for("").items():
            if typ == "officeDocument" and not external and target in self.names:
                return target
        return "word/document.xml"

    def loader(self, target: str) -> Callable[[], bytes]:
        """A deferred read of a media member (images are decoded only if a detector asks)."""
        zf = self.zf

        def load() -> bytes:
            return zf.read(target)

        return load

    def media_size(self, target: str) -> tuple[int, int]:
        if target not in self._media_sizes:
            size = (0, 0)
            try:
                from PIL import Image

                with Image.open(io.BytesIO(self.read(target) or b"")) as img:
                    size = img.size
            except Exception:  # EMF/WMF/SVG or a broken picture: size unknown, not fatal
                size = (0, 0)
            self._media_sizes[target] = size
        return self._media_sizes[target]
