"""The masked preview of a snippet: ID numbers, long digit runs (phones, cards), e-mails and
labelled or addressed names masked with pubguard.masking's helpers."""

from __future__ import annotations

import re

from pubguard import lexicon
from pubguard.masking import MaskingConfig, mask_email, mask_name, mask_value

PREVIEW_CHARS = 10

# -- masking inside previews ----------------------------------------------------------------
# The personal-data patterns of pubguard/lexicon/personal.toml (one home with personal_data).
ID_RE = lexicon.pattern("personal", "id18")
DIGITS_RE = re.compile(r"(?<![0-9])[0-9](?:[0-9]|[ \-](?=[0-9])){6,}(?![0-9])")
MOBILE_RE = lexicon.pattern("personal", "mobile")
EMAIL_RE = lexicon.pattern("personal", "email")
RE_BANK_CARD = lexicon.pattern("personal", "bank_card")
LABELLED_NAME_RE = re.compile(
    r"(?P<label>联系人|经办人|审核人|负责人|申请人|填报人|起草人|承办人|整理人|姓名|由)[:：\s]*"
    r"(?P<name>[\u4e00-\u9fff]{2,3}?)(?=[，,。；;：:\s（(]|[0-9]|同志|整理|起草|核|$)"
)


def mask_personal(text: str, config: MaskingConfig | None = None) -> str:
    """Mask ID numbers, long digit runs (phones, cards), e-mails and labelled names in a snippet."""
    text = ID_RE.sub(lambda m: mask_value(m.group(0), "id_card", config), text)

    def digits(m: re.Match[str]) -> str:
        raw = m.group(0)
        plain = re.sub(r"[ \-]", "", raw)
        if "*" in raw:
            return raw
        kind = "mobile" if MOBILE_RE.fullmatch(plain) else "default"
        return mask_value(raw, kind, config)

    text = DIGITS_RE.sub(digits, text)
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    style = config.name_style if config else "surname"
    text = LABELLED_NAME_RE.sub(lambda m: m.group("label") + mask_name(m.group("name"), style), text)
    # "郭敏明同志意见…": a name before a form of address is a person, whatever the label.
    return ADDRESSED_NAME_RE.sub(lambda m: mask_name(m.group("name"), style) + m.group("title"), text)


ADDRESSED_NAME_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,3})(?P<title>同志|先生|女士|老师)")


def preview(text: str, config: MaskingConfig | None = None, limit: int = PREVIEW_CHARS) -> str:
    """Short masked preview: whitespace collapsed, personal data masked, first `limit` chars + …"""
    flat = re.sub(r"\s+", " ", text).strip()
    masked = mask_personal(flat, config)
    return masked if len(masked) <= limit else masked[:limit] + "…"
