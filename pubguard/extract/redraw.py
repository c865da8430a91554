"""Draw a `Document` with fixed layout (boxes in pt) again: page images for the review UI and
`--annotate` (OFD pages, PPTX slides), and a PDF for `pubguard clean` of OFD files.

Formats without a renderer of their own get pictures of what the detectors read: text at its
boxes in its colours and sizes (built-in CJK font), pictures at their boxes, lines, rings and
rectangles. It is an approximation of the original rendering, good enough to place findings."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from pubguard.document import Document


def render_pdf(doc: Document) -> bytes:
    """A PDF drawn from a `Document` with fixed layout (OFD, slides): text at its boxes in its colours and sizes, pictures
    and paths. Fonts are replaced by the built-in CJK font; embedded-font glyph codes and
    vector details beyond lines/rings are approximated. Electronic signatures are not carried
    over (a PDF cannot hold an OFD signature)."""
    import pymupdf

    pdf = pymupdf.open()
    for page in doc.pages:
        pdf.new_page(width=page.width or 595.3, height=page.height or 841.9)
    for d in doc.drawings:
        if not 1 <= d.page <= len(pdf):
            continue
        pg = pdf[d.page - 1]
        color = tuple(c / 255 for c in (d.stroke or d.fill or (0, 0, 0)))
        fill = tuple(c / 255 for c in d.fill) if d.fill else None
        x0, y0, x1, y1 = d.bbox
        if d.kind == "line":
            y = (y0 + y1) / 2 if (x1 - x0) >= (y1 - y0) else None
            p1, p2 = ((x0, y), (x1, y)) if y is not None else (((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1))
            pg.draw_line(p1, p2, color=color, width=max(d.width, 0.5))
        elif d.kind == "ellipse":
            pg.draw_oval(pymupdf.Rect(x0, y0, x1, y1), color=color, fill=fill, width=max(d.width, 0.5))
        else:
            pg.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=color, fill=fill, width=max(d.width, 0.5))
    for im in doc.images:
        if not 1 <= im.page <= len(pdf) or im.bbox is None or im.loader is None:
            continue
        with contextlib.suppress(Exception):  # a picture PyMuPDF cannot place is left out
            pdf[im.page - 1].insert_image(
                pymupdf.Rect(*im.bbox), stream=im.load_bytes(), keep_proportion=False
            )
    for b in doc.blocks:
        if b.bbox is None or not 1 <= b.page <= len(pdf) or b.hidden or not b.text.strip():
            continue
        size = b.font_size or 10.5
        color = tuple(c / 255 for c in b.color) if b.color else (0, 0, 0)
        with contextlib.suppress(Exception):
            pdf[b.page - 1].insert_text(
                (b.bbox[0], b.bbox[1] + size * 0.88), b.text, fontsize=size, fontname="china-s", color=color
            )
    meta = {
        k: v for k, v in (("title", doc.metadata.get("title")), ("author", doc.metadata.get("author"))) if v
    }
    meta["creator"] = f"PubGuard ({doc.source_format or doc.format})"
    pdf.set_metadata(meta)
    out = pdf.tobytes(garbage=3, deflate=True)
    pdf.close()
    return out


def attach_renderers(doc: Document) -> None:
    """Page images for the review UI and `--annotate`, drawn once per document on demand."""
    state: dict[str, object] = {}

    def renderer(number: int) -> Callable[[int], object]:
        def render(dpi: int):  # noqa: ANN202 - PIL image
            import pymupdf
            from PIL import Image

            if "pdf" not in state:
                state["pdf"] = pymupdf.open(stream=render_pdf(doc), filetype="pdf")
            pix = state["pdf"][number - 1].get_pixmap(dpi=dpi)  # type: ignore[index]
            return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)

        return render

    for page in doc.pages:
        page.renderer = renderer(page.number)  # type: ignore[assignment]
