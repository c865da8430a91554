"""XML namespaces, units and the small tree helpers every part of the DOCX reader shares.

Kept apart so `styles`, `body`, `drawing` and `parts` depend on this module and not on each other
for the vocabulary of WordprocessingML.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

# -- namespaces -----------------------------------------------------------------------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V = "urn:schemas-microsoft-com:vml"
VO = "urn:schemas-microsoft-com:office:office"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# ISO/IEC 29500 "strict" namespaces -> transitional, so one walker reads both.
STRICT_TO_TRANSITIONAL = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": W.encode(),
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": R.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": WP.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/main": A.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/picture": PIC.encode(),
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


EMU_PER_PT = 12700.0
# Stands for a paragraph mark whose insertion/deletion is tracked (no text of its own).
PARAGRAPH_MARK_TEXT = "（段落标记）"
TWIPS_PER_PT = 20.0
A4 = (595.3, 841.9)


def to_int(value: str | None, default: int = 0) -> int:
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def alternate_branch(alt: etree._Element) -> etree._Element | None:
    """One branch of mc:AlternateContent: the first Choice (Word writes the modern wps/wpg
    form there and a VML copy in Fallback), Fallback only when there is no Choice — never
    both, or every text box would be read twice."""
    choice = alt.find(f"{{{MC}}}Choice")
    if choice is not None:
        return choice
    return alt.find(f"{{{MC}}}Fallback")


def own_nodes(root: etree._Element) -> Iterator[etree._Element]:
    """Descendants of `root` in document order, not descending into w:txbxContent (yielded
    itself, its content belongs to the text box) nor into the unused branch of
    mc:AlternateContent."""
    for child in root:
        if not isinstance(child.tag, str):
            continue
        yield child
        if child.tag == w("txbxContent"):
            continue
        if child.tag == f"{{{MC}}}AlternateContent":
            choice = child.find(f"{{{MC}}}Choice")
            branch = choice if choice is not None else child.find(f"{{{MC}}}Fallback")
            if branch is not None:
                yield from own_nodes(branch)
            continue
        yield from own_nodes(child)
