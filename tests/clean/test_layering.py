"""clean/ consumes findings (their typed targets) and never imports detector internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pubguard.clean

CLEAN = Path(pubguard.clean.__file__).parent


def test_clean_does_not_import_detectors() -> None:
    offenders = []
    for path in sorted(CLEAN.rglob("*.py")):  # clean/docx/ is a package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{path.relative_to(CLEAN)}: {n}" for n in names if n.startswith("pubguard.detectors")
            ]
    assert offenders == []


def test_the_walk_sees_the_docx_package() -> None:
    seen = {p.relative_to(CLEAN).as_posix() for p in CLEAN.rglob("*.py")}
    assert {"docx/seal.py", "docx/personal.py", "docx/text.py", "docx/header.py"} <= seen
