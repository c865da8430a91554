"""The distribution as a user gets it: `python -m build` makes a wheel and an sdist, the wheel
installs into a fresh venv with only the core and the [ocr] extra, and that install scans.

Slow (a venv and a pip install from the package index or pip's cache, ~1-2 min), so one test
does it all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


@pytest.mark.slow
def test_wheel_and_sdist_install_and_scan(tmp_path: Path) -> None:
    # Build from a copy of the tracked files: nothing is written into the work tree (build/,
    # *.egg-info) while other tests import the package, and untracked files cannot leak in.
    src = tmp_path / "src"
    tracked = run(["git", "-C", str(ROOT), "ls-files", "-z"], timeout=60).stdout.split("\0")
    for rel in filter(None, tracked):
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    dist = tmp_path / "dist"
    build = run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)], timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    wheel = next(dist.glob("pubguard-*.whl"))
    sdist = next(dist.glob("pubguard-*.tar.gz"))
    names = zipfile.ZipFile(wheel).namelist()
    for data in (
        "pubguard/report/schema.json",
        "pubguard/lexicon/names.toml",
        "pubguard/api/static/htmx.min.js",
    ):
        assert data in names, data
    assert not any(n.startswith(("tests/", "samples/")) for n in names)
    with tarfile.open(sdist) as tar:
        members = tar.getnames()
    assert any(m.endswith("pubguard/wordlists/confidential.toml") for m in members)

    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], timeout=120).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    inst = run([*pip, f"{wheel}[ocr]"], timeout=900)
    assert inst.returncode == 0, inst.stderr[-3000:]
    listed = run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"], timeout=120)
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"pymupdf", "rapidocr", "onnxruntime", "opencv-python-headless"} <= installed
    # the core does not drag in the web stack, the database layer, Dask or a GUI OpenCV
    assert not installed & {"fastapi", "sqlalchemy", "uvicorn", "distributed", "psycopg", "opencv-python"}

    pubguard = str(venv / "bin" / "pubguard")
    out = run([pubguard, "scan", str(SAMPLES / "red_header_seal.pdf"), str(SAMPLES / "scan_red_header_seal.jpg"),
               "--format", "json"], timeout=600, cwd=tmp_path)  # fmt: skip
    assert out.returncode == 1, out.stdout[-1000:] + out.stderr[-2000:]
    files = {Path(f["path"]).name: f for f in json.loads(out.stdout)["files"]}
    rules = {f["rule"] for f in files["red_header_seal.pdf"]["findings"]}
    assert {"red_header", "official_seal"} <= rules
    scan = files["scan_red_header_seal.jpg"]
    assert scan["status"] == "ok" and not any("OCR" in w for w in scan.get("warnings", []))
    assert any(f["category"] == "red_header" for f in scan["findings"])  # read by rapidocr 3.x

    web = run([pubguard, "serve"], timeout=120, cwd=tmp_path)
    assert web.returncode == 2 and "pubguard[web]" in web.stderr
    review = run([pubguard, "review", "list"], timeout=120, cwd=tmp_path)
    assert review.returncode == 2 and "pubguard[web]" in review.stderr
