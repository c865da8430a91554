"""CLI contract: exit codes, JSON shape (validated against the shipped schema), masking."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from factories import make_id_number
from sarif_check import validate_sarif

from pubguard.report import load_schema

NOTICE = (
    "关于开展2024年度城乡居民医疗保险集中参保工作的通知\n"
    "各乡镇人民政府，县直各有关单位：\n"
    "为做好2024年度城乡居民基本医疗保险参保缴费工作，现将有关事项通知如下。\n"
    "一、参保范围。本县户籍居民及持有居住证的常住人口均可参保。\n"
    "二、工作要求。各单位要严格执行保密制度，涉及国家秘密的信息不得公开。\n"
    "（此件公开发布）\n"
)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pubguard.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    folder = tmp_path / "drafts"
    (folder / "sub").mkdir(parents=True)
    (folder / "clean.txt").write_text(NOTICE, encoding="utf-8")
    secret = "秘密★1年\n" + NOTICE + f"联系人：王建国，身份证号：{make_id_number()}\n"
    (folder / "sub" / "secret.txt").write_text(secret, encoding="utf-8")
    return folder


def test_json_report_matches_schema_and_masks(drafts: Path) -> None:
    proc = run_cli("scan", str(drafts), "--format", "json", "--no-ocr")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, load_schema())
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert set(by_name) == {"clean.txt", "secret.txt"}
    secret = by_name["secret.txt"]
    rules = {(f["category"], f["rule"]) for f in secret["findings"]}
    assert ("classification_mark", "secret_level") in rules
    assert ("personal_data", "id_card") in rules
    assert secret["disclosure"]["suggested"] == "不予公开"
    assert make_id_number() not in proc.stdout and make_id_number() not in proc.stderr
    id_finding = next(f for f in secret["findings"] if f["rule"] == "id_card")
    assert id_finding["evidence"].endswith(make_id_number()[-4:])
    assert "*" in id_finding["evidence"]
    assert report["summary"]["files"] == 2
    assert report["summary"]["errors"] == 0


def test_clean_file_exits_zero(drafts: Path) -> None:
    proc = run_cli("scan", str(drafts / "clean.txt"), "--format", "json")
    report = json.loads(proc.stdout)
    blocking = [f for f in report["files"][0]["findings"] if f["severity"] in ("high", "blocker")]
    assert blocking == []
    assert proc.returncode == 0, proc.stdout


def test_fail_on_threshold(drafts: Path) -> None:
    proc = run_cli("scan", str(drafts / "sub" / "secret.txt"), "--fail-on", "blocker", "--format", "json")
    assert proc.returncode == 1  # 秘密★1年 is a blocker
    clean = run_cli("scan", str(drafts / "clean.txt"), "--fail-on", "blocker")
    assert clean.returncode == 0


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli("scan", str(tmp_path / "nope.pdf"))
    assert proc.returncode == 2
    assert "路径不存在" in proc.stderr


def test_bad_option_is_usage_error(drafts: Path) -> None:
    assert run_cli("scan", str(drafts), "--format", "yaml").returncode == 2


def test_partial_scan_exit_3_and_batch_continues(drafts: Path) -> None:
    (drafts / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage that is not a pdf")
    (drafts / "empty.docx").write_bytes(b"")
    (drafts / "sub" / "secret.txt").unlink()
    proc = run_cli("scan", str(drafts), "--format", "json")
    assert proc.returncode == 3, proc.stdout
    report = json.loads(proc.stdout)
    jsonschema.validate(report, load_schema())
    status = {Path(f["path"]).name: f for f in report["files"]}
    assert status["clean.txt"]["status"] == "ok"
    assert status["broken.pdf"]["status"] == "error" and status["broken.pdf"]["error"]
    assert status["empty.docx"]["status"] == "error" and "空" in status["empty.docx"]["error"]
    assert report["summary"]["errors"] == 2


def test_no_readable_file_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"\x00\x01\x02 not a document")
    assert run_cli("scan", str(tmp_path)).returncode == 2


def test_sarif_and_csv(drafts: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.sarif"
    proc = run_cli("scan", str(drafts), "--format", "sarif", "--output", str(out))
    assert proc.returncode == 1
    sarif = json.loads(out.read_text(encoding="utf-8"))
    validate_sarif(sarif)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert "personal_data/id_card" in rule_ids
    for res in run["results"]:
        assert res["ruleId"] in rule_ids
        assert res["partialFingerprints"]["pubguardFingerprint/v1"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("file:///")  # absolute paths on the command line
    csv_proc = run_cli("scan", str(drafts), "--format", "csv")
    assert csv_proc.stdout.lstrip("\ufeff").startswith("path,status,category")
    assert make_id_number() not in csv_proc.stdout


def test_wordlist_option(drafts: Path, tmp_path: Path) -> None:
    wl = tmp_path / "mine.txt"
    wl.write_text("# 本单位自定义词表\n参保缴费\n", encoding="utf-8")
    proc = run_cli("scan", str(drafts / "clean.txt"), "--wordlist", str(wl), "--format", "json")
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    assert any(f["category"] == "sensitive_term" and f["evidence"] == "参保缴费" for f in findings)
    assert run_cli("scan", str(drafts), "--wordlist", str(tmp_path / "none.txt")).returncode == 2


def test_fingerprint_stable_when_text_is_inserted_above(tmp_path: Path) -> None:
    body = f"联系人：王建国，身份证号：{make_id_number()}\n"
    a, b = tmp_path / "v1", tmp_path / "v2"
    a.mkdir(), b.mkdir()
    (a / "d.txt").write_text(NOTICE + body, encoding="utf-8")
    (b / "d.txt").write_text("新增一段说明文字。\n" * 3 + NOTICE + body, encoding="utf-8")

    def fps(folder: Path) -> set[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "pubguard.cli", "scan", "d.txt", "--format", "json"],
            capture_output=True, text=True, cwd=folder, timeout=120,
        )  # fmt: skip
        return {
            f["fingerprint"]
            for f in json.loads(proc.stdout)["files"][0]["findings"]
            if f["rule"] == "id_card"
        }

    first, second = fps(a), fps(b)
    assert first and first == second


# Modules `pubguard scan` of a text file must not load: the web service, the database layer,
# Dask, OCR, and jieba's part-of-speech tagger (≈1 s of start-up each, and none is needed).
NOT_FOR_SCAN = (
    "pubguard.api",
    "pubguard.review",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "distributed",
    "dask",
    "rapidocr",
    "rapidocr_onnxruntime",
    "onnxruntime",
    "jieba.posseg",
)

_PROBE = """
import json, sys
import pubguard.cli
try:
    pubguard.cli.app(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(  # a lazy stand-in (pubguard.lazy) that was never touched is not loaded
    m for m, mod in sys.modules.items()
    if m.split('.')[0] in {n.split('.')[0] for n in NAMES} and type(mod).__name__ != '_LazyModule'
)
print(json.dumps(loaded), file=sys.stderr)
"""


def _modules_loaded_by(*args: str) -> set[str]:
    probe = f"NAMES = {NOT_FOR_SCAN!r}\n" + _PROBE
    res = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120)
    return set(json.loads(res.stderr.strip().splitlines()[-1]))


def test_scan_of_text_does_not_load_web_database_dask_or_ocr(drafts: Path) -> None:
    loaded = _modules_loaded_by("scan", str(drafts), "--format", "json", "--workers", "1")
    assert not {m for m in loaded if m in NOT_FOR_SCAN or m.startswith(("pubguard.api.", "pubguard.review."))}
    # the probe sees what it is asked about: the review command loads the database layer
    assert "sqlalchemy" in _modules_loaded_by("review", "--help")


def test_cli_parent_leaves_the_scan_stack_to_the_isolated_child(drafts: Path) -> None:
    """Files are scanned in the supervised child (pubguard.isolate): the parent itself loads
    neither numpy, PyMuPDF, OpenCV nor jieba (each would be start-up time paid twice)."""
    probe = "NAMES = ('numpy', 'pymupdf', 'cv2', 'jieba')\n" + _PROBE
    args = ["scan", str(drafts / "sub" / "secret.txt"), "--format", "json"]
    res = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120)
    loaded = set(json.loads(res.stderr.strip().splitlines()[-1]))
    assert '"id_card"' in res.stdout  # the child did scan the file
    assert not loaded & {"numpy", "pymupdf", "cv2", "jieba"}


def test_help_lists_the_lazily_loaded_commands() -> None:
    out = run_cli("--help").stdout
    for name in ("scan", "clean", "annotate", "serve", "worker", "user", "review", "audit"):
        assert name in out
