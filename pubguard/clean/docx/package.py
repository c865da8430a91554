"""The zip package of the clean copy: original members, parts replaced or dropped, XML parsed
once and serialised back on build; relationship part names.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from posixpath import basename, dirname, join, normpath

from lxml import etree

from pubguard.errors import CorruptFile

CT = "http://schemas.openxmlformats.org/package/2006/content-types"


COMMENT_REL_TYPES = ("comments", "commentsExtended", "commentsIds", "commentsExtensible", "people")


MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_pis=False)


@dataclass
class Package:
    """The zip package: original entries, parts to replace, parts to drop."""

    data: bytes
    zf: zipfile.ZipFile = field(init=False)
    replaced: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    xml_cache: dict[str, etree._Element] = field(default_factory=dict)
    dirty_xml: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(self.data))
        except zipfile.BadZipFile as exc:
            raise CorruptFile("文件已损坏：Word 文档的压缩包结构无法读取。") from exc
        self.names = [i.filename for i in self.zf.infolist()]

    def exists(self, name: str) -> bool:
        return name in self.names and name not in self.removed

    def xml(self, name: str) -> etree._Element | None:
        if name in self.xml_cache:
            return self.xml_cache[name]
        if not self.exists(name):
            return None
        raw = self.zf.read(name)
        if b"<!ENTITY" in raw:
            return None
        try:
            root = etree.fromstring(raw, PARSER)
        except etree.XMLSyntaxError:
            return None
        self.xml_cache[name] = root
        return root

    def touch(self, name: str) -> None:
        self.dirty_xml.add(name)

    def remove(self, name: str) -> None:
        self.removed.add(name)

    def read(self, name: str) -> bytes:
        if name in self.replaced:
            return self.replaced[name]
        if name in self.dirty_xml and name in self.xml_cache:
            return serialise(self.xml_cache[name])
        return self.zf.read(name)

    def build(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in self.zf.infolist():
                if info.filename in self.removed:
                    continue
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zi, self.read(info.filename))
        return out.getvalue()


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_part_name(part: str) -> str:
    return join(dirname(part), "_rels", basename(part) + ".rels")


def rel_target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return normpath(join(dirname(source), target))
