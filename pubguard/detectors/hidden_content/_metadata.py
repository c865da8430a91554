"""Check: a person's name in the document properties (rule metadata_person)."""

from __future__ import annotations

import re

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._person import looks_like_person
from pubguard.detectors.hidden_content._shared import (
    BASIS_METADATA,
    CATEGORY,
    SUGGEST_METADATA,
    _dup_key,
    _visible_key,
)
from pubguard.document import (
    BlockKind,
    Document,
)
from pubguard.finding import Finding, Severity
from pubguard.masking import mask_name

PERSON_FIELDS = ("author", "last_modified_by", "lastmodifiedby", "modified_by", "manager", "creator", "owner")
PERSON_FIELD_LABELS = {
    "author": "作者",
    "last_modified_by": "最后修改者",
    "lastmodifiedby": "最后修改者",
    "modified_by": "修改者",
    "manager": "经理",
    "creator": "创建者",
    "owner": "所有者",
}
CUSTOM_PERSON_HINT = re.compile(r"人|者|author|owner|editor|review|check|by", re.IGNORECASE)


# -- metadata ---------------------------------------------------------------------------------
def metadata_people(doc: Document, ctx: ScanContext) -> list[Finding]:
    fields_by_name: dict[str, list[str]] = {}
    for key, value in doc.metadata.items():
        k = key.lower()
        if k == "creator" and doc.format == "pdf":
            continue  # PDF "Creator" is the authoring application
        is_person_field = k in PERSON_FIELDS or (k.startswith("custom:") and CUSTOM_PERSON_HINT.search(k[7:]))
        if not is_person_field or not value or not looks_like_person(value):
            continue
        if doc.format == "html" and _dup_key(value) in _visible_key(doc):
            continue  # a page's author shown on the page (责任编辑：…): published, not hidden
        fields_by_name.setdefault(value.strip(), []).append(key)
    out = []
    for name, keys in fields_by_name.items():
        block = next(
            (
                b
                for b in doc.blocks
                if b.kind == BlockKind.METADATA and b.field_name in keys and b.text.strip() == name
            ),
            None,
        )
        labels = "、".join(PERSON_FIELD_LABELS.get(k.lower(), k.removeprefix("custom:")) for k in keys)
        masked = mask_name(name, ctx.config.masking.name_style)
        out.append(
            ctx.finding(
                doc,
                category=CATEGORY,
                rule="metadata_person",
                severity=Severity.MEDIUM,
                message=f"文档属性（{labels}）中含有个人姓名，下载者在“文件属性”中即可看到。",
                raw=name,
                start=block.start if block else None,
                end=block.end if block else None,
                suggestion=SUGGEST_METADATA,
                basis=BASIS_METADATA,
                evidence=f"{labels}：{masked}",
                details=HiddenContentDetails(fields=tuple(keys)),
            )
        )
    return out
