"""The registered detector: runs the checks in a fixed order."""

from __future__ import annotations

from collections.abc import Iterable

from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.detectors.hidden_content import (
    _comments,
    _embedded,
    _fake_redaction,
    _hidden_text,
    _html_comments,
    _metadata,
    _revisions,
    _scripts,
    _white_text,
)
from pubguard.detectors.hidden_content._shared import CATEGORY
from pubguard.document import Document
from pubguard.finding import Finding


# -- the detector -------------------------------------------------------------------------------
@register
class HiddenContentDetector(Detector):
    name = "hidden_content"
    category = CATEGORY
    rules = {
        "comment": "批注/注释：Word 批注或 PDF 注释随文件公开，常含审稿意见、联系人等过程信息",
        "tracked_change": "修订痕迹：未接受的修订，被删除的文字仍保存在文件中",
        "hidden_text": "隐藏文字：Word 隐藏格式、PDF 不可见文字、网页隐藏元素中的文字",
        "white_text": "白色文字：与背景同色、肉眼看不见但可复制检索的文字",
        "fake_redaction": "假涂黑：用黑框或底纹遮盖的文字仍可复制提取",
        "metadata_person": "文档属性含个人姓名（作者、最后修改者等）",
        "embedded_file": "嵌入文件/对象：文件中夹带的附件或 OLE 对象",
        "javascript": "脚本或宏：PDF JavaScript、Office 宏代码",
        "html_comment": "网页源代码注释中含有说明、联系人等文字",
    }

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        findings: list[Finding] = []
        findings += self.comments(doc, ctx)
        findings += self.revisions(doc, ctx)
        findings += self.hidden_text(doc, ctx)
        findings += self.white_text(doc, ctx)
        findings += self.fake_redactions(doc, ctx)
        findings += self.metadata_people(doc, ctx)
        findings += self.embedded(doc, ctx)
        findings += self.scripts(doc, ctx)
        findings += self.html_comments(doc, ctx)
        return findings

    def comments(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _comments.comments(doc, ctx)

    def revisions(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _revisions.revisions(doc, ctx)

    def hidden_text(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _hidden_text.hidden_text(doc, ctx)

    def white_text(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _white_text.white_text(doc, ctx)

    def fake_redactions(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _fake_redaction.fake_redactions(doc, ctx)

    def metadata_people(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _metadata.metadata_people(doc, ctx)

    def embedded(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _embedded.embedded(doc, ctx)

    def scripts(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _scripts.scripts(doc, ctx)

    def html_comments(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        return _html_comments.html_comments(doc, ctx)
