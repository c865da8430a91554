"""Test files made with the real LibreOffice (the converter PubGuard itself uses).

`make test` installs LibreOffice (scripts/ensure-libreoffice.sh); on a machine without it the
tests that need it are skipped with that reason. All conversions in a test process share one
warm converter (`pubguard.extract.convert.engine()`), so each costs tens of milliseconds.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from pubguard.extract import convert

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

needs_libreoffice = pytest.mark.skipif(
    not convert.available(),
    reason="LibreOffice (soffice) 未安装：运行 sh scripts/ensure-libreoffice.sh（make test 会自动安装）",
)


@functools.lru_cache(maxsize=64)
def lo_convert(data: bytes, suffix: str, target: str) -> bytes:
    """`data` (a file of type `suffix`) saved by LibreOffice as `target` (doc, rtf, xls, docx ...)."""
    return convert.convert(data, suffix, target)


def sample_as(name: str, target: str) -> bytes:
    path = SAMPLES / name
    return lo_convert(path.read_bytes(), path.suffix, target)


@functools.lru_cache(maxsize=1)
def generate():  # noqa: ANN201 - the samples/generate.py module (seal images, red headers ...)
    import importlib.util

    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
