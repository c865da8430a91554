"""What a folder scan looks at: the default ignore list, .pubguardignore, --include/--exclude."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pubguard.site.ignore import FileFilter, default_patterns
from pubguard.site.runner import iter_jobs

PAGE = "<html><body><p>关于做好冬季供暖工作的通知。</p></body></html>"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for rel in ("index.html", "xxgk/a.html", "xxgk/名单.csv", "附件/通知.txt", "generate.py", "manifest.json",
                "static/app.js", "static/site.css", "node_modules/x/readme.txt", "drafts/old.html"):  # fmt: skip
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(PAGE if rel.endswith(".html") else "内容\n", encoding="utf-8")
    return root


def rels(root: Path, f: FileFilter | None = None) -> list[str]:
    return sorted(j.identity for j in iter_jobs([root], None, f))


def test_default_list_skips_code_and_data_not_content(site: Path) -> None:
    assert rels(site) == ["drafts/old.html", "index.html", "xxgk/a.html", "xxgk/名单.csv", "附件/通知.txt"]
    assert "*.py" in default_patterns() and "*.html" not in default_patterns()


def test_pubguardignore_excludes_and_re_includes(site: Path) -> None:
    (site / ".pubguardignore").write_text("# 旧稿不上网\ndrafts/\n!manifest.json\n", encoding="utf-8")
    assert rels(site) == ["index.html", "manifest.json", "xxgk/a.html", "xxgk/名单.csv", "附件/通知.txt"]


def test_include_and_exclude_globs(site: Path) -> None:
    assert rels(site, FileFilter(include=["*.html"])) == ["drafts/old.html", "index.html", "xxgk/a.html"]
    assert rels(site, FileFilter(exclude=["xxgk/"])) == ["drafts/old.html", "index.html", "附件/通知.txt"]
    everything = rels(site, FileFilter(use_defaults=False))
    assert "generate.py" in everything and "node_modules/x/readme.txt" in everything


def test_cli_options_and_named_files(site: Path) -> None:
    def scan(*args: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "pubguard.cli", "scan", *args, "--format", "json", "-q"],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert proc.returncode in (0, 1, 3), proc.stderr
        return sorted(Path(f["path"]).name for f in json.loads(proc.stdout)["files"])

    assert scan(str(site), "--include", "xxgk/**") == ["a.html", "名单.csv"]
    assert scan(str(site), "--exclude", "*.html", "--exclude", "附件/") == ["名单.csv"]
    assert scan(str(site / "generate.py")) == ["generate.py"]  # named on the command line
    assert "generate.py" in scan(str(site), "--no-default-ignore", "--include", "*.py")
