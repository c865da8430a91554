"""DOCX (and DOCM/DOTX) -> `Document`.

The package is read with `zipfile` + a hardened lxml parser rather than through python-docx's
object model: python-docx refuses macro-enabled files (content type check), repeats merged table
cells, hides text boxes, revisions, comment anchors and style inheritance of w:vanish / w:jc /
w:pBdr — exactly what a publication check needs. So we walk the WordprocessingML ourselves, in
document order, and resolve styles (docDefaults -> paragraph style chain -> character style
chain -> direct formatting) the way Word does for the properties we report.

Block order in `Document.blocks`: body (tables in place, text boxes right after the paragraph
that anchors them), footnotes/endnotes, headers, footers, comments, metadata.

The reader is a small package behind this one public surface (`extract_docx`, `trace_docx`,
`DocxTrace`, the namespace constants and `w`):
- `ns`: namespaces, units, shared tree helpers;
- `package`: the zip, hardened XML parsing, relationships;
- `styles`: theme, style chain, run / paragraph properties;
- `output`: the `Document` under construction and `emit`;
- `body`: paragraphs, runs, revisions, tables;
- `drawing`: pictures, shapes, WordArt, text boxes;
- `parts`: notes, headers / footers, comments, properties, embeddings.
"""

from __future__ import annotations

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document
from pubguard.errors import CorruptFile
from pubguard.extract.docx.body import BodyReader
from pubguard.extract.docx.ns import (
    CP,
    CUSTOM,
    DC,
    DCTERMS,
    EP,
    MC,
    PKG_REL,
    VO,
    WP,
    WPS,
    A,
    M,
    R,
    V,
    W,
    w,
)
from pubguard.extract.docx.output import Ctx, DocxTrace, Output
from pubguard.extract.docx.package import Package
from pubguard.extract.docx.parts import PartsReader
from pubguard.extract.docx.styles import Styles
from pubguard.extract.sniff import check_zip_limits


class _Reader:
    """Wires the readers together over one package and runs them in block order."""

    def __init__(self, data: bytes, name: str, config: ScanConfig, trace: DocxTrace | None = None):
        self.config = config
        self.name = name
        doc = Document(name=name, format="docx")
        self.pkg = Package(data, doc.warnings, trace.parts if trace is not None else None)
        self.out = Output(doc, trace)
        self.styles = Styles(self.pkg)
        self.body = BodyReader(self.pkg, self.styles, self.out)
        self.parts = PartsReader(self.pkg, self.out, self.body)

    def run_all(self) -> Document:
        pkg, out, parts = self.pkg, self.out, self.parts
        main_name = pkg.main_part_name()
        if main_name not in pkg.names:
            raise CorruptFile("文件已损坏：缺少 Word 正文部件（word/document.xml）。")
        main = pkg.load_part(main_name, required=True)
        assert main is not None
        parts.main = main
        body = main.root.find(w("body"))
        if body is None:
            raise CorruptFile("文件已损坏：Word 正文部件中没有 w:body。")
        self.styles.load_theme(main)
        self.styles.load_styles(main)
        parts.page_setup(body)
        self.body.walk_blocks(body, Ctx(part=main))
        parts.notes()
        for kind, target in parts.headers_footers():
            part = pkg.load_part(target)
            if part is None:
                continue
            block_kind = BlockKind.HEADER if kind == "header" else BlockKind.FOOTER
            self.body.walk_blocks(part.root, Ctx(part=part, kind=block_kind, source=f"w:{kind}:{target}"))
        n_blocks_before_comments = len(out.doc.blocks)
        parts.comments()
        parts.metadata()
        parts.package_extras()
        out.doc.finalize()
        parts.anchor_ranges(n_blocks_before_comments)
        return out.doc


def extract_docx(data: bytes, name: str, config: ScanConfig) -> Document:
    """Read a DOCX/DOCM/DOTX package into a finalized `Document` (see module docstring)."""
    check_zip_limits(data, config.limits)
    return _Reader(data, name, config).run_all()


def trace_docx(data: bytes, name: str, config: ScanConfig) -> tuple[Document, DocxTrace]:
    """`extract_docx` plus the back-references of `DocxTrace` (for pubguard.clean)."""
    check_zip_limits(data, config.limits)
    trace = DocxTrace()
    doc = _Reader(data, name, config, trace).run_all()
    return doc, trace


__all__ = [
    "extract_docx",
    "trace_docx",
    "DocxTrace",
    "w",
    "A",
    "CP",
    "CUSTOM",
    "DC",
    "DCTERMS",
    "EP",
    "M",
    "MC",
    "PKG_REL",
    "R",
    "V",
    "VO",
    "W",
    "WP",
    "WPS",
]
