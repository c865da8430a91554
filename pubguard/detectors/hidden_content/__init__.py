"""隐藏内容检测：批注、修订痕迹、隐藏/白色文字、假涂黑、元数据中的个人姓名、嵌入文件与脚本、网页注释。

What a reader does not see on the page still travels with the file: Word comments and tracked
deletions, w:vanish text, white text, black boxes drawn over text that can still be copied, the
author's name in the properties. The detector works on the `Document` model only, so DOCX, PDF
and HTML are covered by the same rules; what differs per format is read from block kinds,
colours, bboxes and drawings, never by reopening the file.

Precision choices:
- invisible PDF text lying on an image is an OCR text layer (searchable scan), not hidden text;
- HTML hides menus and tabs all the time, so hidden HTML text is reported only when it carries
  draft/internal wording, contact numbers or whole sentences;
- white text counts only when nothing dark lies under it (a black table header with white text
  is ordinary layout), and DOCX "automatic" colour is never white text (Word adapts it);
- a dark box is a fake redaction only when it covers >= 60 % of characters' boxes, is opaque,
  and the text under it is dark too (white-on-black labels are visible).

Layout: one private module per check (`_comments`, `_revisions`, `_hidden_text`, `_white_text`,
`_fake_redaction`, `_metadata`, `_embedded`, `_scripts`, `_html_comments`), shared helpers in
`_shared` (limits, wording, grouping, finding builders), `_person` (is this a person's
name), `_masker` (personal-data patterns and the masked preview),
`_geometry` (boxes, fills behind text) and `_html_text` (what hidden HTML says); the detector
that runs them in `_detector`. Import from here; the private modules may move.
"""

from __future__ import annotations

from pubguard.detectors.hidden_content._detector import HiddenContentDetector as HiddenContentDetector
from pubguard.detectors.hidden_content._geometry import char_boxes as char_boxes
from pubguard.detectors.hidden_content._html_text import shown_elsewhere as shown_elsewhere
from pubguard.detectors.hidden_content._masker import mask_personal as mask_personal
from pubguard.detectors.hidden_content._masker import preview as preview
from pubguard.detectors.hidden_content._metadata import CUSTOM_PERSON_HINT as CUSTOM_PERSON_HINT
from pubguard.detectors.hidden_content._metadata import PERSON_FIELD_LABELS as PERSON_FIELD_LABELS
from pubguard.detectors.hidden_content._metadata import PERSON_FIELDS as PERSON_FIELDS
from pubguard.detectors.hidden_content._person import looks_like_person as looks_like_person
from pubguard.detectors.hidden_content._shared import Group as Group
from pubguard.detectors.hidden_content._shared import group_consecutive as group_consecutive
from pubguard.detectors.hidden_content._shared import substantive as substantive

__all__ = ["HiddenContentDetector", "looks_like_person", "mask_personal", "preview"]
