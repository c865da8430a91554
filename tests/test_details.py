"""Typed finding details (pubguard.details): each model writes exactly the JSON the detectors
wrote as dicts, reads it back, and stored data of any age loads without crashing."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from pubguard import details as d
from pubguard.config import ScanConfig
from pubguard.details import Details, RawDetails, details_from_json, details_model
from pubguard.finding import Finding, Severity
from pubguard.scan import scan_path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_OCR = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}

# One realistic instance per model, with the JSON the detector wrote for it (key order included).
CASES: list[tuple[str, str, Details, dict]] = [
    (
        "red_header",
        "red_header",
        d.RedHeaderDetails(
            signals=("organ_mark", "red_rule", "doc_number"),
            sources={"organ_mark": "text", "red_rule": "docx:border", "doc_number": "text"},
            organ_mark="某某市人民政府文件",
            doc_number="某政发〔2023〕5号",
        ),
        {
            "signals": ["organ_mark", "red_rule", "doc_number"],
            "sources": {"organ_mark": "text", "red_rule": "docx:border", "doc_number": "text"},
            "organ_mark": "某某市人民政府文件",
            "doc_number": "某政发〔2023〕5号",
        },
    ),
    (
        "red_header",
        "red_organ_mark",
        d.RedHeaderDetails(
            signals=("organ_mark",), sources={"organ_mark": "image"}, organ_mark="某某县教育局"
        ),
        {"signals": ["organ_mark"], "sources": {"organ_mark": "image"}, "organ_mark": "某某县教育局"},
    ),
    (
        "seal",
        "official_seal",
        d.SealDetails(
            source="image",
            shape="round",
            ring_coverage=0.93,
            star=True,
            rim_text=True,
            diameter_px=180.5,
            image_pixel_bbox=(12, 8, 196, 190),
            image="rId7",
            paragraph=31,
        ),
        {
            "source": "image",
            "shape": "round",
            "ring_coverage": 0.93,
            "star": True,
            "rim_text": True,
            "diameter_px": 180.5,
            "image_pixel_bbox": [12, 8, 196, 190],
            "image": "rId7",
            "paragraph": 31,
        },
    ),
    (
        "seal",
        "personal_seal",
        d.SealDetails(source="vector", shape="square", side_mm=18.0),
        {"source": "vector", "shape": "square", "side_mm": 18.0},
    ),
    (
        "seal",
        "electronic_seal",
        d.ElectronicSealDetails(
            kind="seal",
            signature_source="ofd:Signs/Sign_0/Signature.xml",
            signed_at="2024-03-01",
            seal_name="某某局",
        ),
        {
            "source": "electronic",
            "kind": "seal",
            "signature_source": "ofd:Signs/Sign_0/Signature.xml",
            "signed_at": "2024-03-01",
            "seal_name": "某某局",
        },
    ),
    (
        "seal",
        "signature",
        d.SignatureDetails(
            ink="blue", strokes=4, stroke_px=2.1, straight_fraction=0.12, image_pixel_bbox=(3, 4, 150, 60)
        ),
        {
            "source": "image",
            "ink": "blue",
            "strokes": 4,
            "stroke_px": 2.1,
            "straight_fraction": 0.12,
            "image_pixel_bbox": [3, 4, 150, 60],
        },
    ),
    (
        "classification_mark",
        "secret_level",
        d.SecretLevelDetails(
            level="秘密", term=None, position="top", fen_hao=True, pages=(1, 2), occurrences=2
        ),
        {
            "level": "秘密",
            "term": None,
            "position": "top",
            "fen_hao": True,
            "pages": [1, 2],
            "occurrences": 2,
        },
    ),
    (
        "classification_mark",
        "internal_marking",
        d.MarkDetails(mark="内部资料 注意保存", position="header", pages=(1,)),
        {"mark": "内部资料 注意保存", "position": "header", "pages": [1], "occurrences": 1},
    ),
    (
        "classification_mark",
        "telegram_header",
        d.TelegramDetails(word=None, fields=("发电单位", "等级"), red=True),
        {"word": None, "fields": ["发电单位", "等级"], "red": True},
    ),
    (
        "leader_annotation",
        "instruction",
        d.AnnotationDetails(form="拟同意", evidence=("ink", "signed"), signer="王某"),
        {"form": "拟同意", "evidence": ["ink", "signed"], "signer": "王某"},
    ),
    (
        "personal_data",
        "id_card",
        d.PersonalDataDetails(recognizer="身份证号", checks=("校验位正确",), column="身份证号码"),
        {"recognizer": "身份证号", "checks": ["校验位正确"], "column": "身份证号码"},
    ),
    (
        "personal_data",
        "roster",
        d.RosterDetails(rows_with_id=12, scope="table"),
        {"rows_with_id": 12, "scope": "table"},
    ),
    (
        "hidden_content",
        "hidden_text",
        d.HiddenContentDetails(count=25, offsets=((10, 20), (40, 48))),
        {"count": 25, "offsets": [[10, 20], [40, 48]]},
    ),
    (
        "hidden_content",
        "fake_redaction",
        d.HiddenContentDetails(method="dark_box", ranges=((100, 118),)),
        {"method": "dark_box", "ranges": [[100, 118]]},
    ),
    (
        "hidden_content",
        "metadata_person",
        d.HiddenContentDetails(fields=("author", "last_modified_by")),
        {"fields": ["author", "last_modified_by"]},
    ),
    (
        "sensitive_term",
        "process_draft",
        d.SensitiveTermDetails(
            rule_id="drafts.draft",
            title="过程稿",
            list="drafts",
            list_label="过程稿用语",
            term="征求意见稿",
            hidden=True,
        ),
        {
            "rule_id": "drafts.draft",
            "title": "过程稿",
            "list": "drafts",
            "list_label": "过程稿用语",
            "term": "征求意见稿",
            "hidden": True,
        },
    ),
    (
        "proofreading",
        "mixed_punctuation",
        d.ProofreadingDetails(marks={",": 2, ";": 1}),
        {"marks": {",": 2, ";": 1}},
    ),
    ("proofreading", "repeated_char", d.ProofreadingDetails(), {}),
]


@pytest.mark.parametrize(
    ("category", "rule", "model", "expected"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES]
)
def test_model_writes_the_detector_json_and_reads_it_back(
    category: str, rule: str, model: Details, expected: dict
) -> None:
    data = model.to_json()
    assert list(data.items()) == list(expected.items())  # the same keys in the same order
    text = json.dumps(data, ensure_ascii=False)
    back = details_from_json(category, rule, json.loads(text))
    assert type(back) is type(model) is details_model(category, rule)
    assert back == model and not back.extra
    assert pickle.loads(pickle.dumps(model)) == model  # child processes, Dask


def test_every_model_has_a_case() -> None:
    models = {m for m in vars(d).values() if isinstance(m, type) and issubclass(m, Details)}
    assert models - {Details, RawDetails} == {type(c[2]) for c in CASES}


def test_a_model_reads_as_its_json() -> None:
    model = CASES[0][2]
    assert model["signals"] == ["organ_mark", "red_rule", "doc_number"]
    assert "organ_mark" in model and "boilerplate" not in model
    assert dict(model) == model.to_json() and len(model) == 4


# -- real scans -----------------------------------------------------------------------------------
def _sample(name: str):
    marks = [pytest.mark.ocr] if Path(name).suffix.lower() in _OCR else []
    return pytest.param(name, id=name, marks=marks)


SAMPLE_FILES = sorted(
    p.name for p in SAMPLES.iterdir() if p.is_file() and p.name not in {"manifest.json", "generate.py"}
)


@pytest.mark.parametrize("name", [_sample(n) for n in SAMPLE_FILES])
def test_a_real_scan_writes_json_its_model_reads_back(name: str) -> None:
    result = scan_path(SAMPLES / name, ScanConfig(), display=name)
    for f in result.findings:
        assert type(f.details) is details_model(f.category, f.rule), (f.category, f.rule)
        assert not f.details.extra, (f.rule, f.details.extra)  # every key is a typed field
        stored = json.loads(json.dumps(f.to_dict(), ensure_ascii=False))
        back = Finding.from_dict(stored)
        assert back.details == f.details
        assert back.to_dict().get("details") == stored.get("details")


def test_the_samples_exercise_the_models() -> None:
    """The detectors really construct these models on real files (not only the unit cases)."""
    seen: set[type] = set()
    for name in (
        "red_header_seal.pdf",
        "personal_seal.pdf",
        "ofd_red_header_seal.ofd",
        "secret_telegram.pdf",
    ):
        seen |= {type(f.details) for f in scan_path(SAMPLES / name, ScanConfig(ocr=False)).findings}
    assert {d.RedHeaderDetails, d.SealDetails, d.ElectronicSealDetails} <= seen


# -- stored data of any age -----------------------------------------------------------------------
def test_unknown_keys_and_wrong_types_from_an_old_row_are_kept_not_fatal() -> None:
    old = {"source": "image", "star": "yes", "paragraph": 3.5, "legacy_score": 0.7, "image": "rId2"}
    model = details_from_json("seal", "official_seal", old)
    assert isinstance(model, d.SealDetails)
    assert model.source == "image" and model.image == "rId2"
    assert model.star is None and model.paragraph is None  # not typed as the model says: not read
    assert model.extra == {"star": "yes", "paragraph": 3.5, "legacy_score": 0.7}
    assert model.to_json() == old  # written back as it was stored


@pytest.mark.parametrize("stored", [None, [], "text", 5, [["a", 1]], {"offsets": "1-2"}, {"offsets": [[1]]}])
def test_malformed_details_load_as_a_model(stored: object) -> None:
    model = details_from_json("hidden_content", "hidden_text", stored)
    assert isinstance(model, d.HiddenContentDetails)
    assert model.offsets is None


def test_an_old_stored_finding_loads_and_keeps_its_details() -> None:
    row = {
        "category": "classification_mark",
        "rule": "secret_level",
        "severity": "blocker",
        "message": "首页标有密级标志",
        "evidence": "秘密★1年",
        "location": {"page": 1, "bbox": None, "start": 0, "end": 6},
        "details": {"level": "秘密", "position": "top", "pages": "1", "retired_key": True},
    }
    f = Finding.from_dict(row)
    assert isinstance(f.details, d.SecretLevelDetails)
    assert f.details.level == "秘密" and f.details.pages == ()
    out = f.to_dict()["details"]
    assert out["pages"] == "1" and out["retired_key"] is True and out["level"] == "秘密"


def test_a_category_without_a_model_keeps_its_dict() -> None:
    f = Finding.from_dict(
        {
            "category": "site_plugin",
            "rule": "x",
            "severity": "low",
            "details": {"a": [1, 2], "b": {"c": None}},
        }
    )
    assert isinstance(f.details, RawDetails)
    assert f.to_dict()["details"] == {"a": [1, 2], "b": {"c": None}}


def test_a_dict_given_to_a_finding_becomes_the_model() -> None:
    f = Finding(
        "personal_data", "id_card", Severity.HIGH, "", "", details={"recognizer": "身份证号", "masked": True}
    )
    assert isinstance(f.details, d.PersonalDataDetails) and f.details.masked
    assert Finding("seal", "signature", Severity.HIGH, "", "").to_dict().get("details") is None


def test_boilerplate_is_typed_and_written_last() -> None:
    model = d.SensitiveTermDetails(rule_id="ads.first", term="第一").with_boilerplate(
        d.Boilerplate(scope="site", pages=8, scope_pages=8, examples=("/a.html", "/b.html"))
    )
    data = model.to_json()
    assert list(data)[-1] == "boilerplate"
    assert data["boilerplate"] == {
        "scope": "site",
        "pages": 8,
        "scope_pages": 8,
        "examples": ["/a.html", "/b.html"],
    }
    assert details_from_json("sensitive_term", "ad_superlative", json.loads(json.dumps(data))) == model


def test_detectors_construct_their_models_not_dicts() -> None:
    """Every detector states its details as its model: no dict literal handed over as details."""
    import re

    import pubguard.detectors as pkg

    root = Path(pkg.__file__).parent
    pattern = re.compile(r"details\s*[=:][^=\n]*[{]|details\[\s*[\"']")
    offenders = [
        f"{p.relative_to(root)}:{i}"
        for p in sorted(root.rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line.split("#")[0])
    ]
    assert offenders == []


def test_an_old_stored_scan_still_makes_every_report() -> None:
    """A version's scan as the database holds it (JSON, written by an older release): old keys,
    a value of another type, details that are not an object. Every report writer still works and
    the JSON report keeps the stored details."""
    import jsonschema

    from pubguard import report
    from pubguard.api.reports import file_result

    base = {
        "message": "m",
        "evidence": "e",
        "location": {"page": 1, "bbox": None, "start": 0, "end": 2},
        "fingerprint": "f" * 16,
    }
    scan = {
        "status": "ok",
        "format": "docx",
        "pages": 1,
        "findings": [
            {
                **base,
                "category": "seal",
                "rule": "official_seal",
                "severity": "blocker",
                "details": {"source": "image", "paragraph": "7", "score": 0.9},
            },
            {
                **base,
                "category": "red_header",
                "rule": "red_header",
                "severity": "blocker",
                "details": {"signals": "organ_mark,red_rule", "sources": {"organ_mark": 1}},
            },
            {
                **base,
                "category": "hidden_content",
                "rule": "comment",
                "severity": "high",
                "details": ["anchor"],
            },
            {**base, "category": "personal_data", "rule": "mobile", "severity": "high"},
        ],
    }
    version = {"filename": "旧稿.docx", "format": "docx", "sha256": "0" * 64}
    result = file_result(version, scan)
    assert [type(f.details) for f in result.findings] == [
        d.SealDetails,
        d.RedHeaderDetails,
        d.HiddenContentDetails,
        d.PersonalDataDetails,
    ]
    seal = result.findings[0]
    assert seal.details.paragraph is None  # a string id is not a paragraph id
    doc = json.loads(report.to_json([result]))
    jsonschema.validate(doc, report.load_schema())
    written = [f.get("details") for f in doc["files"][0]["findings"]]
    assert written[0] == {"source": "image", "paragraph": "7", "score": 0.9}
    assert written[1] == {"signals": "organ_mark,red_rule", "sources": {"organ_mark": 1}}
    assert written[2] is None  # not an object: dropped, not fatal
    for text in (report.to_sarif([result]), report.to_csv([result]), report.to_text([result])):
        assert "旧稿.docx" in text


def test_no_reader_indexes_finding_details_by_string_key() -> None:
    """clean/, the report, disclosure, the site scan and the detectors read typed attributes.
    (review/ and api/ are left out: their `details` are audit and error dicts.)"""
    import re

    import pubguard

    root = Path(pubguard.__file__).parent
    pattern = re.compile(r"""details(?:\s*or\s*\{\}\))?(?:\.get\(\s*["']|\[\s*["']|\.setdefault\(\s*["'])""")
    offenders = [
        f"{p.relative_to(root)}:{i}"
        for p in sorted(root.rglob("*.py"))
        if p.relative_to(root).parts[0] not in {"review", "api"} and p.name != "details.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line.split("#")[0]) and "`" not in line
    ]
    assert offenders == []
