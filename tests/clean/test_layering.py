"""clean/ consumes findings (their typed targets) and never imports detector internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pubguard.clean

CLEAN = Path(pubguard.clean.__file__).parent


def test_clean_does_not_import_detectors() -> None:
    offenders = []
    for path in sorted(CLEAN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("pubguard.detectors")]
    assert offenders == []
