"""Spreadsheets (XLSX, CSV/TSV) -> `Document`: rosters are where personal data leaks most.

Layout: one Page per sheet (CSV: one Page). Page k starts with a BODY block holding the sheet
name (field_name "sheet_name": tab names such as "涉密人员名单" are published too), then every
non-empty cell is its own TABLE_CELL block (own paragraph) with table = 0-based sheet index,
row / col = 1-based Excel row and column numbers (so C5 is row=5, col=3), field_name = the
header text of its column when a header row is found (the first row among the first 5
non-empty rows whose cells are mostly non-numeric text; a header row under a row of merged group
titles wins). Cell comments -> COMMENT blocks (author, row, col); print headers/footers
(`&C内部资料`) -> HEADER / FOOTER blocks; core properties -> doc.metadata + METADATA blocks.

Hidden content stays in the text with hidden=True and source:
  xlsx:hidden_sheet (hidden and very hidden sheets), xlsx:hidden_row, xlsx:hidden_col,
  xlsx:hidden_format (number format ";;;"), xlsx:white_text (white font, no dark fill).
openpyxl's read-only mode (needed for speed and memory on big rosters) does not expose row and
column dimensions, so hidden rows/columns and headers/footers are read from the sheet XML with
a regex pass over the part, and comments from the comments part; this costs a few ms per MB.

Numbers: ints are rendered without ".0"; floats with Excel's 15 significant digits. An 18-digit
ID typed into a number cell has already lost its last digits inside the file (Excel keeps 15
significant digits): such cells are rendered as Excel shows them (110101199001011000), get
source "xlsx:number_precision_lost" (so a detector may relax the check digit) and the column is
reported in doc.warnings.

Engine: openpyxl (read_only=True, data_only=True). python-calamine parsed a 20,000-row x
6-column roster in 0.23 s against 1.13 s here, but it exposes no styles (needed for ";;;" and
white-font cells), no comments, and turns every integer into a float; the 0.9 s gain per such
file did not justify a second engine plus a separate styles parser.
"""

from __future__ import annotations

import csv
import html
import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.errors import CorruptFile, PubGuardError
from pubguard.extract.text import decode_text

# Safety caps (module constants: config.Limits has no spreadsheet fields). Beyond them the rest
# of the workbook is skipped with a Chinese warning rather than exhausting memory.
MAX_CELLS = 1_000_000  # non-empty cells per workbook / CSV
MAX_SCANNED = 30_000_000  # cells walked, empty ones included (rows x used columns)
HEADER_SCAN_ROWS = 5
LONG_NUMBER = 10**14  # 15+ digits

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROW_RE = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_COL_RE = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_HF_RE = re.compile(rb"<(?:\w+:)?(odd|even|first)(Header|Footer)\b[^>]*>(.*?)</(?:\w+:)?\1\2>", re.S)
_ATTR_RE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_NUMERIC_RE = re.compile(r"^[\s+\-]*[¥￥$]?\s*\d[\d,]*(\.\d+)?\s*(%|元|万元)?\s*$")
_SCI_RE = re.compile(r"^\s*\d(\.\d+)?[eE]\+?(\d+)\s*$")


@dataclass(slots=True)
class _Cell:
    row: int
    col: int
    text: str
    textual: bool  # a string that is not a number: header candidates
    hidden: str | None
    long_number: bool = False  # 15+ digit number stored as a number


# -- shared layout ----------------------------------------------------------------------------


def _clean_header(text: str) -> str:
    return re.sub(r"\s+", "", text) if re.search(r"[\u4e00-\u9fff]", text) else " ".join(text.split())


def detect_header(cells: list[_Cell]) -> tuple[int | None, dict[int, str]]:
    """(header row, {col: header text}) from the first non-empty rows, or (None, {})."""
    rows: dict[int, list[_Cell]] = {}
    for c in cells:
        if c.row not in rows:
            if len(rows) >= HEADER_SCAN_ROWS + 1:
                break
            rows[c.row] = []
        rows[c.row].append(c)
    ordered = sorted(rows)
    max_cols = max((len(v) for v in rows.values()), default=0)

    def header_like(r: int) -> bool:
        row = rows[r]
        texts = [c.text.strip() for c in row]
        if len(row) < min(2, max_cols):
            return False
        textual = sum(1 for c in row if c.textual)
        return textual >= 0.6 * len(row) and len(set(texts)) == len(texts)

    for i, r in enumerate(ordered[:HEADER_SCAN_ROWS]):
        if not header_like(r):
            continue
        headers = {c.col: _clean_header(c.text) for c in rows[r]}
        # Two-level header: merged group titles above the real column names.
        if i + 1 < len(ordered):
            nxt = ordered[i + 1]
            if nxt == r + 1 and len(rows[nxt]) > len(rows[r]) and header_like(nxt):
                merged = dict(headers)
                merged.update({c.col: _clean_header(c.text) for c in rows[nxt]})
                return nxt, merged
        return r, headers
    return None, {}


def _emit_cells(
    doc: Document, cells: list[_Cell], page: int, table: int, sheet_hidden: str | None, comments: dict
) -> dict[int, int]:
    """Append TABLE_CELL blocks (+ comments right after their cell); return {col: long numbers}."""
    header_row, headers = detect_header(cells)
    long_cols: dict[int, int] = {}
    for c in cells:
        hidden = sheet_hidden or c.hidden
        source = f"xlsx:{hidden}" if hidden else None
        if c.long_number:
            long_cols[c.col] = long_cols.get(c.col, 0) + 1
            source = source or "xlsx:number_precision_lost"
        field_name = headers.get(c.col) if header_row is not None and c.row > header_row else None
        doc.blocks.append(
            TextBlock(
                text=c.text,
                page=page,
                kind=BlockKind.TABLE_CELL,
                hidden=hidden is not None,
                paragraph=len(doc.blocks),
                field_name=field_name or None,
                row=c.row,
                col=c.col,
                table=table,
                source=source,
            )
        )
        for author, text in comments.pop((c.row, c.col), ()):
            _append_comment(doc, page, table, c.row, c.col, author, text, field_name)
    for (row, col), items in sorted(comments.items()):
        for author, text in items:
            _append_comment(doc, page, table, row, col, author, text, headers.get(col))
    return long_cols


def _append_comment(
    doc: Document, page: int, table: int, row: int, col: int, author: str | None, text: str, field: str | None
) -> None:
    text = text.strip()
    if text:
        doc.blocks.append(
            TextBlock(
                text=text,
                page=page,
                kind=BlockKind.COMMENT,
                paragraph=len(doc.blocks),
                author=author or None,
                row=row,
                col=col,
                table=table,
                field_name=field,
                source="xlsx:comment",
            )
        )


def _col_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _long_number_warning(sheet: str, col: int, header: str | None, count: int) -> str:
    label = f"第 {_col_letter(col)} 列" + (f"（{header}）" if header else "")
    return (
        f"工作表“{sheet}”{label}有 {count} 个单元格以数值形式保存了 15 位以上的数字。"
        "Excel 只保留 15 位有效数字，18 位身份证号等长号码的末尾几位可能已变为 0，"
        "请核对原始数据，并将该列设为文本格式后再发布或处理。"
    )


# -- XLSX -------------------------------------------------------------------------------------


def _format_number(value: int | float, number_format: str) -> tuple[str, bool]:
    """Render like Excel's display; second item: a 15+ digit number stored as a number."""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int):
        return str(value), abs(value) >= LONG_NUMBER
    if value != value or value in (float("inf"), float("-inf")):
        return "#NUM!", False
    if value.is_integer():
        if abs(value) >= 1e15:
            # Beyond 15 significant digits the file holds only an approximation: show what
            # Excel shows (trailing zeros), not float noise like ...011008.
            return format(Decimal(f"{value:.15g}"), "f"), True
        return str(int(value)), abs(value) >= LONG_NUMBER
    if "%" in number_format and "\\%" not in number_format:
        return f"{value * 100:.15g}%", False
    return f"{value:.15g}", False


def _format_value(value: Any, number_format: str) -> tuple[str, bool, bool] | None:
    """(text, textual, long_number) or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        return value, not _NUMERIC_RE.match(value), False
    if isinstance(value, (bool, int, float)):
        text, long_number = _format_number(value, number_format or "General")
        return text, False, long_number
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat(), False, False
        return value.isoformat(sep=" ", timespec="seconds"), False, False
    if isinstance(value, (date, time)):
        return value.isoformat(), False, False
    if isinstance(value, timedelta):
        return str(value), False, False
    text = str(value)
    return (text, True, False) if text.strip() else None


def _is_white_color(color: Any) -> bool:
    """openpyxl Color: rgb "FFFFFFFF", theme 0 ("White, Background 1"), legacy index 1/9."""
    if color is None:
        return False
    ctype = getattr(color, "type", None)
    if ctype == "rgb":
        rgb = str(color.rgb or "")
        return len(rgb) >= 6 and all(int(rgb[i : i + 2], 16) >= 240 for i in range(len(rgb) - 6, len(rgb), 2))
    if ctype == "theme":
        return color.theme == 0 and (color.tint or 0) > -0.1
    if ctype == "indexed":
        return color.indexed in (1, 9)
    return False


def _style_hidden(cell: Any) -> str | None:
    """Hidden by style: number format ";;;" or white text on a white (unfilled) cell."""
    fmt = cell.number_format or ""
    if fmt and re.fullmatch(r"(;\s*){2,3}", fmt.replace('""', "")):
        return "hidden_format"
    font = cell.font
    if font is not None and _is_white_color(font.color):
        fill = cell.fill
        if fill is None or fill.patternType in (None, "none") or _is_white_color(fill.fgColor):
            return "white_text"
    return None


@dataclass
class _SheetXml:
    hidden_rows: set[int]
    hidden_cols: set[int]
    headers_footers: list[tuple[str, str]]  # (kind, text)
    comments: dict[tuple[int, int], list[tuple[str | None, str]]]


def _xml_attrs(raw: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR_RE.findall(raw)}


def _truthy(v: str | None) -> bool:
    return v in ("1", "true")


def _clean_hf(text: str) -> list[str]:
    """Excel header/footer codes (&L &C &R sections, &P page, &"font", &12 size) -> texts."""
    sections = re.split(r"&[LCR]", text)
    out = []
    for s in sections:
        s = re.sub(r'&"[^"]*"', "", s)
        s = re.sub(r"&K(?:[0-9A-Fa-f]{6}|\d\d[+-]\d{3})", "", s)
        s = re.sub(r"&\d+", "", s)
        s = re.sub(r"&[PNDTFAZGBIUESXYH]", "", s)
        s = s.replace("&&", "&").strip()
        if s:
            out.append(s)
    return out


def _parse_sheet_xml(zf: zipfile.ZipFile, path: str) -> _SheetXml:
    info = _SheetXml(set(), set(), [], {})
    try:
        raw = zf.read(path)
    except KeyError:
        return info
    counter = 0
    for m in _ROW_RE.finditer(raw):
        attrs = _xml_attrs(m.group(1))
        counter = int(attrs["r"]) if attrs.get("r", "").isdigit() else counter + 1
        zero_height = attrs.get("ht") in ("0", "0.0") and _truthy(attrs.get("customHeight"))
        if _truthy(attrs.get("hidden")) or zero_height:
            info.hidden_rows.add(counter)
    for m in _COL_RE.finditer(raw):
        attrs = _xml_attrs(m.group(1))
        zero_width = attrs.get("width") in ("0", "0.0") and _truthy(attrs.get("customWidth"))
        if (_truthy(attrs.get("hidden")) or zero_width) and attrs.get("min", "").isdigit():
            lo, hi = int(attrs["min"]), int(attrs.get("max", attrs["min"]) or attrs["min"])
            info.hidden_cols.update(range(lo, min(hi, 16384) + 1))
    for m in _HF_RE.finditer(raw):
        kind = "header" if m.group(2) == b"Header" else "footer"
        text = html.unescape(m.group(3).decode("utf-8", "replace"))
        for part in _clean_hf(text):
            info.headers_footers.append((kind, part))
    # comments part through the sheet's relationships
    rels_path = posixpath.join(posixpath.dirname(path), "_rels", posixpath.basename(path) + ".rels")
    for target in _rel_targets(zf, rels_path, path, "/comments"):
        info.comments.update(_parse_comments(zf, target))
    return info


def _rel_targets(zf: zipfile.ZipFile, rels_path: str, source: str, type_suffix: str) -> list[str]:
    try:
        root = etree.fromstring(zf.read(rels_path))
    except (KeyError, etree.XMLSyntaxError):
        return []
    out = []
    for rel in root.iter(f"{{{_NS_REL}}}Relationship"):
        if (rel.get("Type") or "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            target = rel.get("Target") or ""
            if target.startswith("/"):
                out.append(target.lstrip("/"))
            else:
                out.append(posixpath.normpath(posixpath.join(posixpath.dirname(source), target)))
    return out


def _parse_comments(zf: zipfile.ZipFile, path: str) -> dict[tuple[int, int], list[tuple[str | None, str]]]:
    try:
        root = etree.fromstring(zf.read(path))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    authors = [a.text or "" for a in root.iter(f"{{{_NS_MAIN}}}author")]
    out: dict[tuple[int, int], list[tuple[str | None, str]]] = {}
    for c in root.iter(f"{{{_NS_MAIN}}}comment"):
        ref = c.get("ref") or ""
        m = re.match(r"([A-Z]+)(\d+)", ref)
        if not m:
            continue
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        author_id = c.get("authorId")
        author = (
            authors[int(author_id)]
            if author_id and author_id.isdigit() and int(author_id) < len(authors)
            else None
        )
        text = "".join(t.text or "" for t in c.iter(f"{{{_NS_MAIN}}}t"))
        out.setdefault((int(m.group(2)), col), []).append((author, text))
    return out


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path, from the workbook relationships (same source openpyxl uses)."""
    wb_paths = _rel_targets(zf, "_rels/.rels", "", "/officeDocument") or ["xl/workbook.xml"]
    wb_path = wb_paths[0]
    try:
        root = etree.fromstring(zf.read(wb_path))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    rels_path = posixpath.join(posixpath.dirname(wb_path), "_rels", posixpath.basename(wb_path) + ".rels")
    try:
        rels = etree.fromstring(zf.read(rels_path))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    targets = {}
    for rel in rels.iter(f"{{{_NS_REL}}}Relationship"):
        target = rel.get("Target") or ""
        if target.startswith("/"):
            targets[rel.get("Id")] = target.lstrip("/")
        else:
            targets[rel.get("Id")] = posixpath.normpath(posixpath.join(posixpath.dirname(wb_path), target))
    out = {}
    for sheet in root.iter(f"{{{_NS_MAIN}}}sheet"):
        rid = sheet.get(f"{{{_NS_R}}}id")
        if rid in targets:
            out[sheet.get("name") or ""] = targets[rid]
    return out


_PROPS = (
    ("creator", "author"),
    ("lastModifiedBy", "last_modified_by"),
    ("title", "title"),
    ("subject", "subject"),
    ("description", "description"),
    ("keywords", "keywords"),
    ("category", "category"),
)


def _add_metadata(doc: Document, props: Any) -> None:
    for attr, key in _PROPS:
        value = getattr(props, attr, None)
        if isinstance(value, str) and value.strip():
            doc.metadata[key] = value.strip()
            doc.blocks.append(
                TextBlock(
                    text=value.strip(),
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=len(doc.blocks),
                    source="xlsx:core",
                )
            )
    for attr in ("created", "modified"):
        value = getattr(props, attr, None)
        if isinstance(value, datetime):
            doc.metadata[attr] = value.isoformat(timespec="seconds")


def extract_xlsx(data: bytes, name: str, config: ScanConfig) -> Document:
    """XLSX workbook -> Document (layout in the module docstring). Corrupt -> CorruptFile."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _extract_xlsx(data, name)
    except PubGuardError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, lxml errors ... on bad parts
        raise CorruptFile(f"Excel 工作簿已损坏或结构异常，无法读取（{type(exc).__name__}）。") from exc


def _extract_xlsx(data: bytes, name: str) -> Document:
    import openpyxl

    doc = Document(name=name, format="xlsx")
    zf = zipfile.ZipFile(io.BytesIO(data))
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        _add_metadata(doc, wb.properties)
        paths = _sheet_paths(zf)
        total_cells = 0
        scanned = 0
        truncated = False
        for index, ws in enumerate(wb.worksheets):
            if truncated:
                break
            page = index + 1
            doc.pages.append(Page(number=page, width=0, height=0, unit="px"))
            sheet_hidden = "hidden_sheet" if ws.sheet_state in ("hidden", "veryHidden") else None
            xml = (
                _parse_sheet_xml(zf, paths[ws.title])
                if ws.title in paths
                else _SheetXml(set(), set(), [], {})
            )
            add_sheet_blocks(doc, index, ws.title, sheet_hidden is not None, xml.headers_footers)
            cells: list[_Cell] = []
            style_cache: dict[int, str | None] = {}
            ws.reset_dimensions()  # a wrong <dimension> would silently cut rows
            for row in ws.iter_rows(min_row=1, min_col=1):
                scanned += len(row) or 1
                for cell in row:
                    value = cell.value
                    if value is None:
                        continue
                    style_id = getattr(cell, "_style_id", None)
                    if style_id is None or style_id not in style_cache:
                        hidden_style = _style_hidden(cell) if getattr(cell, "has_style", True) else None
                        if style_id is not None:
                            style_cache[style_id] = hidden_style
                    else:
                        hidden_style = style_cache[style_id]
                    fmt = cell.number_format if isinstance(value, float) else "General"
                    formatted = _format_value(value, fmt)
                    if formatted is None:
                        continue
                    text, textual, long_number = formatted
                    hidden = (
                        "hidden_row"
                        if cell.row in xml.hidden_rows
                        else "hidden_col"
                        if cell.column in xml.hidden_cols
                        else hidden_style
                    )
                    cells.append(_Cell(cell.row, cell.column, text, textual, hidden, long_number))
                if total_cells + len(cells) >= MAX_CELLS or scanned >= MAX_SCANNED:
                    truncated = True
                    break
            total_cells += len(cells)
            long_cols = _emit_cells(doc, cells, page, index, sheet_hidden, xml.comments)
            if long_cols:
                _, headers = detect_header(cells)
                for col, count in sorted(long_cols.items()):
                    doc.warnings.append(_long_number_warning(ws.title, col, headers.get(col), count))
        if truncated:
            doc.warnings.append(
                f"工作簿过大（超过 {MAX_CELLS} 个非空单元格或 {MAX_SCANNED} 个单元格），"
                "其余部分未检查，请拆分后分别上传。"
            )
    finally:
        wb.close()
        zf.close()
    if not doc.pages:
        raise CorruptFile("Excel 工作簿中没有工作表，文件可能已损坏。")
    return doc.finalize()


# -- CSV --------------------------------------------------------------------------------------


def _sniff_delimiter(text: str, name: str) -> str:
    sample = text[:20000]
    first_line = sample.split("\n", 1)[0]
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        if delim in first_line:
            return delim
    except csv.Error:
        pass
    if name.lower().endswith(".tsv") or first_line.count("\t") > first_line.count(","):
        return "\t"
    return ","


def extract_csv(data: bytes, name: str, config: ScanConfig) -> Document:
    """CSV/TSV -> one Page of TABLE_CELL blocks (row/col 1-based), header field names."""
    text, encoding = decode_text(data)
    delimiter = _sniff_delimiter(text, name)
    doc = Document(name=name, format="csv")
    doc.pages.append(Page(number=1, width=0, height=0, unit="px"))
    doc.metadata["encoding"] = encoding
    doc.metadata["delimiter"] = delimiter
    cells: list[_Cell] = []
    sci_cols: dict[int, int] = {}
    truncated = False
    try:
        for r, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            for c, value in enumerate(record, start=1):
                if not value.strip():
                    continue
                if _SCI_RE.match(value) and int(_SCI_RE.match(value).group(2)) >= 14:  # type: ignore[union-attr]
                    sci_cols[c] = sci_cols.get(c, 0) + 1
                cells.append(_Cell(r, c, value, not _NUMERIC_RE.match(value), None))
            if len(cells) >= MAX_CELLS:
                truncated = True
                break
    except csv.Error as exc:
        raise CorruptFile(f"CSV 文件格式错误，无法解析（{exc}）。") from exc
    _emit_cells(doc, cells, 1, 0, None, {})
    if sci_cols:
        _, headers = detect_header(cells)
        for col, count in sorted(sci_cols.items()):
            label = f"第 {col} 列" + (f"（{headers[col]}）" if col in headers else "")
            doc.warnings.append(
                f"CSV {label}有 {count} 个单元格是科学计数法形式的长数字（如 1.1E+17），"
                "多为 Excel 将身份证号等长号码按数值保存后导出，原号码已无法还原，请核对原始数据。"
            )
    if truncated:
        doc.warnings.append(
            f"CSV 文件过大（超过 {MAX_CELLS} 个非空单元格），其余部分未检查，请拆分后分别上传。"
        )
    return doc.finalize()


def add_sheet_blocks(
    doc: Document, index: int, name: str, hidden: bool, headers_footers: Iterable[tuple[str, str]]
) -> None:
    """The sheet-name block and the print header/footer blocks of sheet `index` (page index+1):
    shared by the XLSX and the XLS readers, so both report a hidden sheet the same way."""
    page = index + 1
    doc.blocks.append(
        TextBlock(
            text=name,
            page=page,
            kind=BlockKind.BODY,
            hidden=hidden,
            paragraph=len(doc.blocks),
            field_name="sheet_name",
            table=index,
            source="xlsx:hidden_sheet" if hidden else "xlsx:sheet_name",
        )
    )
    for kind, text in headers_footers:
        doc.blocks.append(
            TextBlock(
                text=text,
                page=page,
                kind=BlockKind.HEADER if kind == "header" else BlockKind.FOOTER,
                hidden=hidden,
                paragraph=len(doc.blocks),
                table=index,
                source="xlsx:hidden_sheet" if hidden else "xlsx:header_footer",
            )
        )
