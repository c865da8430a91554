"""Shared helpers for the clean/annotate tests: synthetic personal data (valid checksums, made-up
people) and small document builders."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pubguard.config import ScanConfig

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(area: str, birth: str, seq: str) -> str:
    body = area + birth + seq
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


PEOPLE = [
    ("张伟民", id_number("450102", "19680415", "213"), "13877120456"),
    ("李秀兰", id_number("450103", "19751102", "128"), "13607713389"),
    ("黄志强", id_number("450105", "19820923", "357"), "18977165502"),
    ("覃桂芳", id_number("450107", "19590617", "046"), "15907781234"),
]


@pytest.fixture
def config() -> ScanConfig:
    return ScanConfig(ocr=False)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def docx_bytes(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def rules(findings) -> set[str]:
    return {
        f"{f['category']}/{f['rule']}" if isinstance(f, dict) else f"{f.category}/{f.rule}" for f in findings
    }
