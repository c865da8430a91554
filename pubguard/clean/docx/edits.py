"""Character edits inside w:t elements, collected per element and applied at once, and the
map from `Document.text` offsets to the run text that holds them (`Piece`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from pubguard.clean.docx.tree import remove
from pubguard.extract.docx import w

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class TextEdits:
    """Character edits collected per element and applied at once, so offsets stay valid while
    findings are processed."""

    def __init__(self) -> None:
        self.chars: dict[etree._Element, list[str]] = {}
        self.deleted: dict[etree._Element, set[int]] = {}
        self.drop_elements: set[etree._Element] = set()

    def _chars(self, el: etree._Element) -> list[str]:
        if el not in self.chars:
            self.chars[el] = list(el.text or "")
        return self.chars[el]

    def replace(self, el: etree._Element, i: int, ch: str) -> None:
        chars = self._chars(el)
        if 0 <= i < len(chars):
            chars[i] = ch

    def delete(self, el: etree._Element, lo: int, hi: int) -> None:
        if el.tag in (w("t"), w("delText")):
            self._chars(el)
            self.deleted.setdefault(el, set()).update(range(lo, hi))
        else:  # a tab, break or symbol standing for one character
            self.drop_elements.add(el)

    def touched(self) -> set[etree._Element]:
        return set(self.chars) | self.drop_elements

    def apply(self) -> None:
        for el, chars in self.chars.items():
            gone = self.deleted.get(el, set())
            el.text = "".join(c for i, c in enumerate(chars) if i not in gone)
            el.set(XML_SPACE, "preserve")
        for el in self.drop_elements:
            remove(el)


@dataclass
class Piece:
    start: int  # offset in doc.text
    length: int
    el: etree._Element
    part: str
    block: int
