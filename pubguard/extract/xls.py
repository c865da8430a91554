"""Excel 97-2003 (.xls, BIFF5/8) and Kingsoft WPS 表格 (.et) -> `Document`, the XLSX layout.

Read natively with xlrd (formatting_info=True): cell values rendered as Excel shows them,
hidden sheets / rows / columns, number format ";;;" and white-on-white text (the same `source`
tags as XLSX: xlsx:hidden_sheet, xlsx:hidden_row, xlsx:hidden_col, xlsx:hidden_format,
xlsx:white_text), cell comments, print headers/footers (HEADER/FOOTER records, which xlrd
skips, read from the Workbook stream here) and the summary properties (olefile). Rosters are
found exactly as in XLSX: `pubguard.extract.sheet` lays out the cells (header row -> field names).

Workbooks xlrd cannot read (some .et files, BIFF versions before 5, damaged streams) go through
LibreOffice into XLSX (`pubguard.extract.legacy`). Password-protected workbooks are reported as
encrypted, never guessed.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime
from typing import Any

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.errors import EncryptedFile
from pubguard.extract.sheet import (
    _NUMERIC_RE,
    MAX_CELLS,
    _Cell,
    _clean_hf,
    _emit_cells,
    _format_number,
    _long_number_warning,
    add_sheet_blocks,
    detect_header,
)
from pubguard.extract.sniff import sniff_format

_WHITE = 240


def _white(rgb: tuple[int, int, int] | None) -> bool:
    return rgb is not None and all(c >= _WHITE for c in rgb)


def _headers_footers(data: bytes) -> dict[int, list[tuple[str, str]]]:
    """{sheet index: [(header|footer, text)]} from the HEADER (0x14) / FOOTER (0x15) records."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except Exception:  # no stream: nothing to add, xlrd has read the cells already
        return {}
    out: dict[int, list[tuple[str, str]]] = {}
    pos, sheet = 0, -1  # the first BOF opens the workbook globals
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rtype == 0x0809:  # BOF
            sheet += 1
        elif rtype in (0x0014, 0x0015) and len(body) >= 3 and sheet >= 1:
            cch, flags = struct.unpack_from("<HB", body, 0)
            raw = body[3:]
            text = raw[: 2 * cch].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
            kind = "header" if rtype == 0x0014 else "footer"
            for part in _clean_hf(text):
                out.setdefault(sheet - 1, []).append((kind, part))
    return out


def _summary(data: bytes) -> dict[str, str]:
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            meta = ole.get_metadata()
    except Exception:
        return {}
    out = {}
    for attr, key in (
        ("author", "author"),
        ("last_saved_by", "last_modified_by"),
        ("title", "title"),
        ("subject", "subject"),
        ("keywords", "keywords"),
        ("comments", "description"),
        ("company", "company"),
        ("manager", "manager"),
    ):
        value = getattr(meta, attr, None)
        if isinstance(value, bytes):
            raw = value
            for enc in ("utf-8", "gb18030", "latin-1"):
                try:
                    value = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
        if isinstance(value, str) and value.strip("\x00 ").strip():
            out[key] = value.strip("\x00 ").strip()
    for attr in ("create_time", "last_saved_time"):
        value = getattr(meta, attr, None)
        if isinstance(value, datetime):
            out["created" if attr == "create_time" else "modified"] = value.isoformat(timespec="seconds")
    return out


def extract_xls(data: bytes, name: str, config: ScanConfig) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=False, logfile=io.StringIO()
        )
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise EncryptedFile("工作簿已加密（设置了打开密码），无法检查。请取消密码后再上传。") from exc
        return _via_libreoffice(data, name, config)
    except Exception:  # xlrd's struct / index errors on damaged or unusual (.et) workbooks
        return _via_libreoffice(data, name, config)
    try:
        doc = _read_book(book, data, name)
    finally:
        book.release_resources()
    fmt = sniff_format(data, name)
    if fmt != "xls":
        doc.source_format = fmt  # Kingsoft .et: same BIFF8 layout
    return doc


def _via_libreoffice(data: bytes, name: str, config: ScanConfig) -> Document:
    from pubguard.extract.legacy import extract_sheet_legacy

    return extract_sheet_legacy(data, name, config)


def _cell_text(book: Any, cell: Any, fmt: str) -> tuple[str, bool, bool] | None:
    import xlrd

    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if ctype == xlrd.XL_CELL_TEXT:
        if not value.strip():
            return None
        return value, not _NUMERIC_RE.match(value), False
    if ctype == xlrd.XL_CELL_NUMBER:
        number = int(value) if float(value).is_integer() and abs(value) < 1e15 else value
        text, long_number = _format_number(number, fmt or "General")
        return text, False, long_number
    if ctype == xlrd.XL_CELL_DATE:
        try:
            dt = xlrd.xldate_as_datetime(value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(value), False, False
        if dt.hour == dt.minute == dt.second == 0:
            return dt.date().isoformat(), False, False
        return dt.isoformat(sep=" ", timespec="seconds"), False, False
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return ("TRUE" if value else "FALSE"), False, False
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR"), False, False
    return None


def _read_book(book: Any, data: bytes, name: str) -> Document:
    doc = Document(name=name, format="xls")
    meta = _summary(data)
    for key, value in meta.items():
        doc.metadata[key] = value
        if key not in ("created", "modified"):
            doc.blocks.append(
                TextBlock(
                    text=value,
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=len(doc.blocks),
                    source="xls:summary",
                )
            )
    hf = _headers_footers(data)
    colours = book.colour_map
    style_cache: dict[int, tuple[str, str | None]] = {}
    total = 0
    truncated = False
    for index in range(book.nsheets):
        sh = book.sheet_by_index(index)
        page = index + 1
        doc.pages.append(Page(number=page, width=0, height=0, unit="px"))
        sheet_hidden = "hidden_sheet" if sh.visibility else None
        add_sheet_blocks(doc, index, sh.name, sheet_hidden is not None, hf.get(index, []))
        hidden_rows = {r for r, info in sh.rowinfo_map.items() if info.hidden}
        hidden_cols = {c for c, info in sh.colinfo_map.items() if info.hidden}
        cells: list[_Cell] = []
        for r in range(sh.nrows):
            for c, cell in enumerate(sh.row(r)):
                xf_index = sh.cell_xf_index(r, c)
                if xf_index not in style_cache:
                    style_cache[xf_index] = _style(book, colours, xf_index)
                fmt, hidden_style = style_cache[xf_index]
                formatted = _cell_text(book, cell, fmt)
                if formatted is None:
                    continue
                text, textual, long_number = formatted
                hidden = (
                    "hidden_row" if r in hidden_rows else "hidden_col" if c in hidden_cols else hidden_style
                )
                cells.append(_Cell(r + 1, c + 1, text, textual, hidden, long_number))
            if total + len(cells) >= MAX_CELLS:
                truncated = True
                break
        total += len(cells)
        comments: dict[tuple[int, int], list[tuple[str | None, str]]] = {}
        for (r, c), note in sh.cell_note_map.items():
            comments.setdefault((r + 1, c + 1), []).append((note.author or None, note.text or ""))
        long_cols = _emit_cells(doc, cells, page, index, sheet_hidden, comments)
        if long_cols:
            _, headers = detect_header(cells)
            for col, count in sorted(long_cols.items()):
                doc.warnings.append(_long_number_warning(sh.name, col, headers.get(col), count))
        if truncated:
            doc.warnings.append(
                f"工作簿过大（超过 {MAX_CELLS} 个非空单元格），其余部分未检查，请拆分后分别上传。"
            )
            break
    return doc.finalize()


def _style(book: Any, colours: dict, xf_index: int) -> tuple[str, str | None]:
    """(number format, hidden-by-style tag) of an XF record."""
    try:
        xf = book.xf_list[xf_index]
    except (IndexError, TypeError):
        return "General", None
    fmt_obj = book.format_map.get(xf.format_key)
    fmt = fmt_obj.format_str if fmt_obj is not None else "General"
    compact = fmt.replace('""', "").replace(" ", "")
    if compact in (";;", ";;;"):
        return fmt, "hidden_format"
    try:
        font = book.font_list[xf.font_index]
    except (IndexError, TypeError):
        return fmt, None
    font_rgb = colours.get(font.colour_index)
    if _white(font_rgb):
        bg = xf.background
        pattern = getattr(bg, "fill_pattern", 0)
        fill_rgb = colours.get(getattr(bg, "pattern_colour_index", 64)) if pattern else None
        if not pattern or _white(fill_rgb):
            return fmt, "white_text"
    return fmt, None
