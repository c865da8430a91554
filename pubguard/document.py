"""The layout-aware `Document`: the only thing detectors see.

Every extractor (PDF, DOCX, image/OCR, HTML, text, spreadsheet) fills the same model, so a
detector written once works on every format. Text lives in `TextBlock`s (one block = a run of
uniform style: a PDF span, a DOCX run, an OCR line, a table cell ...). `Document.text` is the
concatenation of all blocks; each block knows its `[start, end)` slice of it, so a match in the
text maps back to page and bbox (`Document.locate`).

Coordinates: each page has its own unit, stated by `Page.unit` ("pt" for PDF/DOCX, "px" for
images and OCR'd scans), origin top-left, y grows downwards. Bboxes are (x0, y0, x1, y1).
"""

from __future__ import annotations

import bisect
import io
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pubguard.progress import report_analysed

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

BBox = tuple[float, float, float, float]
# Colour rules live in pubguard.colour; re-exported here for the many callers that import them
# with the document types.
from pubguard.colour import RGB, hsv, is_dark, is_red, is_white  # noqa: E402, F401


class BlockKind(StrEnum):
    """Where a piece of text sits in the document; detectors weigh evidence by it."""

    BODY = "body"
    TABLE_CELL = "table_cell"
    HEADER = "header"  # page header (DOCX header part, running head)
    FOOTER = "footer"
    TEXT_BOX = "text_box"
    COMMENT = "comment"  # Word comment, PDF annotation note, HTML comment
    REVISION_INSERT = "revision_insert"  # tracked insertion (w:ins)
    REVISION_DELETE = "revision_delete"  # tracked deletion (w:del): still inside the file
    METADATA = "metadata"  # core properties / PDF info, one block per field
    ANNOTATION = "annotation"  # PDF annotation contents other than comments
    OCR = "ocr"  # text recognised from pixels (scans, images)
    ALT_TEXT = "alt_text"  # HTML alt/title attributes, image descriptions


# Block kinds whose text is not part of what a reader sees on the page.
NON_VISIBLE_KINDS = frozenset(
    {BlockKind.COMMENT, BlockKind.REVISION_DELETE, BlockKind.METADATA, BlockKind.ANNOTATION}
)


@dataclass(slots=True)
class TextBlock:
    text: str
    page: int  # 1-based; 0 for content not on any page (metadata)
    kind: BlockKind = BlockKind.BODY
    bbox: BBox | None = None
    font_size: float | None = None  # points
    color: RGB | None = None  # text colour; None = automatic/black
    bold: bool = False
    hidden: bool = False  # w:vanish, PDF render mode 3, display:none ...
    alignment: str | None = None  # "left" | "center" | "right" | "justify"
    paragraph: int = -1  # blocks with the same paragraph id are joined without a separator
    author: str | None = None  # comments, revisions
    date: str | None = None
    field_name: str | None = None  # metadata field ("author", "creator" ...), table header ...
    row: int | None = None  # table position, for rosters
    col: int | None = None
    table: int | None = None
    char_boxes: list[BBox] | None = None  # per-character boxes (OCR) when known
    highlight: RGB | None = None  # background / shading colour behind the text
    confidence: float | None = None  # OCR confidence 0..1
    source: str | None = None  # free-form hint: "ocr", "w:txbxContent", "html:display:none" ...
    start: int = 0  # offsets into Document.text, set by Document.finalize()
    end: int = 0
    # PDF paint order on the page (content-stream sequence number, as Drawing.order); -1 when
    # unknown. Set only where it decides something (spans that meet a dark fill).
    order: int = -1

    @property
    def is_red(self) -> bool:
        return self.color is not None and is_red(self.color)


@dataclass(slots=True)
class ImageItem:
    """An embedded picture or a page scan; pixels are loaded only when a detector asks."""

    page: int
    bbox: BBox | None
    width: int  # pixels
    height: int
    name: str = ""
    kind: str = "embedded"  # "embedded" | "page_scan" | "inline" | "anchored"
    loader: Callable[[], bytes] | None = field(default=None, repr=False)
    description: str | None = None  # alt text / docPr descr
    xref: int | None = None  # PDF xref, DOCX relationship id kept in `name`
    # Formats without fixed layout (DOCX, HTML) anchor items to the paragraph id of the
    # nearest TextBlock instead of a bbox.
    paragraph: int = -1

    def load_bytes(self) -> bytes:
        if self.loader is None:
            raise ValueError("no pixels available for this image")
        report_analysed(self.page)  # progress of a long file: its pixels are being looked at
        return self.loader()

    def load(self) -> PILImage.Image:
        from PIL import Image

        img = Image.open(io.BytesIO(self.load_bytes()))
        img.load()
        return img


@dataclass(slots=True)
class Drawing:
    """A vector element: line, rectangle, ellipse or path, with its colours."""

    page: int
    kind: str  # "line" | "rect" | "ellipse" | "path" | "border" (paragraph border) | "shape"
    bbox: BBox
    stroke: RGB | None = None
    fill: RGB | None = None
    width: float = 0.0  # stroke width
    fill_opacity: float = 1.0
    items: list[Any] = field(default_factory=list, repr=False)  # raw path items when useful
    source: str | None = None
    paragraph: int = -1  # DOCX: paragraph id the border/shape belongs to (bbox then approximate)
    # PDF: paint order on the page (PyMuPDF seqno; what is painted later lies on top); -1 unknown.
    # bbox is then the painted area: the path's box cut to the clip in force when it was painted.
    order: int = -1


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    unit: str = "pt"  # "pt" or "px"
    has_text_layer: bool = True
    ocr_applied: bool = False
    # Renders the page to a PIL image at the given dpi (PDF, images). None when the format has
    # no fixed layout (DOCX without a converter, HTML, text).
    renderer: Callable[[int], PILImage.Image] | None = field(default=None, repr=False)
    # Text-area margins when the format states them (DOCX sectPr), in the page unit.
    margins: BBox | None = None  # (left, top, right, bottom)

    def render(self, dpi: int = 150) -> PILImage.Image:
        if self.renderer is None:
            raise ValueError("this page cannot be rendered")
        report_analysed(self.number)
        return self.renderer(dpi)

    @property
    def text_area(self) -> BBox:
        """The body column (x0, y0, x1, y1): page minus margins (A4 GB/T 9704 defaults)."""
        if self.margins:
            left, top, right, bottom = self.margins
        else:
            # GB/T 9704: 天头 37 mm, 订口 28 mm, text area 156 x 225 mm on A4 (210 x 297 mm).
            sx, sy = self.width / 210.0, self.height / 297.0
            left, top, right, bottom = 28 * sx, 37 * sy, 26 * sx, 35 * sy
        return (left, top, self.width - right, self.height - bottom)


@dataclass(slots=True)
class Link:
    url: str
    text: str = ""
    page: int = 1
    is_attachment: bool = False


@dataclass(slots=True)
class Signature:
    """An electronic seal or digital signature the file carries (OFD Signs/, PDF signatures):
    a fact from the file's structure, not a guess from pixels."""

    page: int | None  # 1-based page of the visible stamp; None when it has no appearance
    bbox: BBox | None
    kind: str = "seal"  # "seal" (电子印章/签章) | "sign" (digital signature without a seal)
    provider: str | None = None  # signing software / vendor
    signed_at: str | None = None
    seal_name: str | None = None  # the seal's name when the file states it
    source: str = ""  # "ofd:Signs/Sign_0/Signature.xml" ...


@dataclass(slots=True)
class Attachment:
    """An embedded file: its name inside the container and a loader for its bytes."""

    name: str
    size: int  # declared uncompressed size in bytes (-1 when unknown)
    loader: Callable[[], bytes] = field(repr=False)
    source: str = ""  # "pdf:embedded_file", "docx:oleObject", "xlsx:embedding" ...


@dataclass(slots=True)
class TextLine:
    """One non-blank line of `Document.text` and the (non-empty) blocks printing it."""

    start: int
    end: int
    text: str
    blocks: list[TextBlock]


@dataclass
class Document:
    name: str
    format: str  # "pdf" | "docx" | "png" | "jpeg" | "tiff" | "html" | "txt" | "xlsx" | "csv"
    pages: list[Page] = field(default_factory=list)
    blocks: list[TextBlock] = field(default_factory=list)
    images: list[ImageItem] = field(default_factory=list)
    drawings: list[Drawing] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    embedded_files: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # PDF JavaScript, HTML <script> with text
    warnings: list[str] = field(default_factory=list)  # Chinese, shown to users
    # Converted files (.doc/.wps/.rtf via LibreOffice -> DOCX ...): `format` names the layout
    # model the detectors read ("docx"), `source_format` the file's own format ("doc").
    source_format: str | None = None
    converted_by: str | None = None  # e.g. "LibreOffice (warm)"
    # Files inside this one (PDF attachments, OLE objects, archive members): scanned by
    # `pubguard.scan` as members under the same limits, named `outer!/inner`.
    attachments: list[Attachment] = field(default_factory=list, repr=False)
    signatures: list[Signature] = field(default_factory=list)
    text: str = ""
    _starts: list[int] = field(default_factory=list, repr=False)
    # Derived data shared by detectors (line index ...), see `cached`; cleared by finalize().
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # Set by finalize(): (stamp, first block of each line) when every line of `text` is a run
    # of whole blocks; None otherwise.
    _runs: tuple[tuple[int, int, int], array[int]] | None = field(default=None, repr=False, compare=False)

    # -- building -------------------------------------------------------------------------
    def finalize(self) -> Document:
        """Assign offsets and build `text`. Blocks of one paragraph join with no separator;
        paragraphs (and blocks without a paragraph id) are separated by a newline."""
        parts: list[str] = []
        pos = 0
        prev_par: tuple[int, int, str] | None = None
        runs = array("l")  # index of the first block of each line of `text` (see text_lines)
        for k, block in enumerate(self.blocks):
            key = (block.page, block.paragraph, block.kind)
            if parts and not (block.paragraph >= 0 and key == prev_par):
                parts.append("\n")
                pos += 1
                runs.append(k)
            block.start = pos
            parts.append(block.text)
            pos += len(block.text)
            block.end = pos
            prev_par = key
        self.text = "".join(parts)
        self._starts = [b.start for b in self.blocks]
        self._cache = {}
        # The runs are the lines exactly when no block holds a newline of its own.
        if self.blocks and self.text.count("\n") == len(runs):
            runs.insert(0, 0)
            self._runs = (self._stamp(), runs)
        else:
            self._runs = None
        return self

    def _stamp(self) -> tuple[int, int, int]:
        return (id(self.text), len(self.text), len(self.blocks))

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """Per-document memo for derived data several detectors need (built once per scan).

        Values depend on `text` and `blocks` only: they are rebuilt when either changes (a new
        finalize(), blocks added). Callers must treat the value as read-only."""
        stamp = self._stamp()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = build()
        self._cache[key] = (stamp, value)
        return value

    # -- queries --------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page(self, number: int) -> Page | None:
        if 1 <= number <= len(self.pages):
            return self.pages[number - 1]
        return None

    def blocks_in(self, start: int, end: int) -> list[TextBlock]:
        """Blocks overlapping the text range [start, end)."""
        import bisect

        if not self._starts:
            return []
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        out = []
        while i < len(self.blocks) and self.blocks[i].start < max(end, start + 1):
            b = self.blocks[i]
            if b.end > start or (b.start == b.end == start):
                out.append(b)
            i += 1
        return out

    def block_at(self, offset: int) -> TextBlock | None:
        found = self.blocks_in(offset, offset + 1)
        return found[0] if found else None

    def locate(self, start: int, end: int) -> tuple[int | None, BBox | None]:
        """Page and bbox of the text range, on the page where it starts."""
        blocks = self.blocks_in(start, end)
        if not blocks:
            return None, None
        page = blocks[0].page
        boxes = []
        for b in blocks:
            if b.page != page or b.bbox is None:
                continue
            boxes.append(_sub_bbox(b, max(start, b.start) - b.start, min(end, b.end) - b.start))
        if len(boxes) <= 1:  # text formats have no boxes; most ranges sit in one block
            return (page or None), (boxes[0] if boxes else None)
        return (page or None), union_bbox(boxes)

    def locate_many(self, spans: list[tuple[int, int]]) -> list[tuple[int | None, BBox | None]]:
        """`[locate(s, e) for s, e in spans]` for spans in ascending order (a repeated finding's
        thousands of occurrences): one walk over the blocks instead of a search per span."""
        if any(spans[k][0] < spans[k - 1][0] for k in range(1, len(spans))):
            return [self.locate(s, e) for s, e in spans]
        out: list[tuple[int | None, BBox | None]] = []
        blocks, n = self.blocks, len(self.blocks)
        i = 0
        for start, end in spans:
            while i < n and blocks[i].end <= start:
                i += 1
            b = blocks[i] if i < n else None
            if b is not None and b.start <= start and end <= b.end and end > start:
                box = None if b.bbox is None else _sub_bbox(b, start - b.start, end - b.start)
                out.append((b.page or None, box))
            else:
                out.append(self.locate(start, end))
        return out

    def iter_lines(self) -> Iterator[tuple[int, int, str]]:
        """(start, end, line) for every line of `text`."""
        pos = 0
        for line in self.text.split("\n"):
            yield pos, pos + len(line), line
            pos += len(line) + 1

    def text_lines(self) -> list[TextLine]:
        """The non-blank lines of `text` with the non-empty blocks overlapping each (the same
        blocks as `blocks_in(start, end)` minus empty ones), built once per document in one
        pass over lines and blocks: detectors that work line by line share it."""
        return self.cached("text_lines", self._build_text_lines)

    def _build_text_lines(self) -> list[TextLine]:
        if self._runs is not None and self._runs[0] == self._stamp():
            return self._text_lines_from_runs(self._runs[1])
        blocks = [b for b in self.blocks if b.text]
        n = len(blocks)
        out: list[TextLine] = []
        bi = 0
        pos = 0
        for text in self.text.split("\n"):
            start, end = pos, pos + len(text)
            pos = end + 1
            if not text or text.isspace():
                continue
            while bi < n and blocks[bi].end <= start:
                bi += 1
            j = bi
            found: list[TextBlock] = []
            while j < n and blocks[j].start < end:
                found.append(blocks[j])
                j += 1
            if found:
                out.append(TextLine(start, end, text, found))
        return out

    def _text_lines_from_runs(self, runs: array[int]) -> list[TextLine]:
        """`_build_text_lines` when each line of `text` is a run of whole blocks (finalize()
        saw no newline inside a block): a line's blocks are its run's non-empty ones, and a
        line of one block shares the block's string."""
        blocks = self.blocks
        text = self.text
        out: list[TextLine] = []
        bounds = list(runs)
        bounds.append(len(blocks))
        for k in range(len(bounds) - 1):
            i, j = bounds[k], bounds[k + 1]
            if j - i == 1:
                b = blocks[i]
                line = b.text
                if not line or line.isspace():
                    continue
                out.append(TextLine(b.start, b.end, line, [b]))
                continue
            start, end = blocks[i].start, blocks[j - 1].end
            line = text[start:end]
            if not line or line.isspace():
                continue
            out.append(TextLine(start, end, line, [b for b in blocks[i:j] if b.text]))
        return out

    def visible_blocks(self) -> Iterable[TextBlock]:
        return (b for b in self.blocks if not b.hidden and b.kind not in NON_VISIBLE_KINDS)


def indexes_matching(pattern: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    """Ascending indexes of the `texts` in which `pattern` finds a match, from searches over
    all of them joined by newlines (one C-level scan instead of a call per text). `pattern`
    must never match a newline, and the texts must hold none, so no match spans two texts."""
    joined = "\n".join(texts)
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    out: list[int] = []
    search = pattern.search
    m = search(joined)
    while m is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        out.append(k)
        if k + 1 >= len(starts):
            break
        m = search(joined, starts[k + 1])
    return out


def _sub_bbox(block: TextBlock, i0: int, i1: int) -> BBox:
    """Bbox of characters [i0, i1) of a block: exact with char boxes, else proportional."""
    assert block.bbox is not None
    n = len(block.text)
    if block.char_boxes and len(block.char_boxes) == n and i1 > i0:
        return union_bbox(block.char_boxes[i0:i1]) or block.bbox
    if n == 0 or (i0 <= 0 and i1 >= n):
        return block.bbox
    x0, y0, x1, y1 = block.bbox
    w = x1 - x0
    return (x0 + w * i0 / n, y0, x0 + w * max(i1, i0 + 1) / n, y1)


def union_bbox(boxes: Iterable[BBox | None]) -> BBox | None:
    bs = [b for b in boxes if b is not None]
    if not bs:
        return None
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


def rgb_from_int(value: int) -> RGB:
    """PyMuPDF span colours are sRGB ints 0xRRGGBB."""
    return ((value >> 16) & 255, (value >> 8) & 255, value & 255)


def rgb_from_hex(value: str | None) -> RGB | None:
    if not value or value.lower() in {"auto", "none"}:
        return None
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        return None
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return None
