"""Findings carry typed targets (pubguard.targets) for seals, hidden content, leader annotations
and personal data; the cleaners act on them and never locate the finding again. An emptied
target makes the cleaner leave the finding alone (it would otherwise still be removed)."""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import zipfile

import docx
import pytest
from docx.shared import RGBColor

from pubguard.clean.docx import clean_docx, prepare_docx
from pubguard.clean.options import CleanOptions
from pubguard.config import ScanConfig
from pubguard.targets import (
    AnnotationTarget,
    Cell,
    HiddenContentTarget,
    MarkTarget,
    PersonalDataTarget,
    ProofreadingTarget,
    RedHeaderTarget,
    SealTarget,
    merge_repeat,
)
from tests.clean.conftest import PEOPLE, docx_bytes, sample
from tests.clean.test_docx import roster_docx


def _clean(data: bytes, config: ScanConfig, empty: dict[str, object] | None = None):
    """One DOCX clean pass; findings of the categories in `empty` get that (empty) target."""
    result, trace = prepare_docx(data, "t.docx", config)
    for i, f in enumerate(result.findings):
        if empty and str(f.category) in empty:
            result.findings[i] = dataclasses.replace(f, target=empty[str(f.category)])
    opts = CleanOptions()
    return clean_docx(data, "t.docx", config, opts, opts.masking(config), result=result, trace=trace)


def _note_docx() -> bytes:
    d = docx.Document()
    for line in ("关于调整城区道路维修计划的请示", "市人民政府："):
        d.add_paragraph(line)
    note = d.add_paragraph().add_run("拟同意，请李市长审定。王建国 3.5")
    note.font.color.rgb = RGBColor(0x10, 0x30, 0xC0)
    d.add_paragraph("为保障道路安全畅通，我局拟对主干道路面进行维修。")
    white = d.add_paragraph("联系人：").add_run("内部联系人电话见附件二")
    white.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    return docx_bytes(d)


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _media(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [n for n in zf.namelist() if n.startswith("word/media/")]


# -- targets are built where the finding is made ------------------------------------------------
def test_targets_of_a_draft_are_typed_kept_in_process_and_not_in_the_report(config):
    result, _trace = prepare_docx(sample("draft_tracked.docx"), "d.docx", config)
    seals = [f for f in result.findings if str(f.category) == "seal"]
    assert seals and all(isinstance(f.target, SealTarget) for f in seals)
    assert all(f.target.image and f.target.paragraph is not None for f in seals)
    for f in result.findings:
        assert "target" not in f.to_dict()
        assert pickle.loads(pickle.dumps(f)).target == f.target
    assert "target" not in json.dumps([f.to_dict() for f in result.findings])


def test_personal_data_targets_name_span_and_table_cell(config):
    result, _trace = prepare_docx(roster_docx(), "r.docx", config)
    ids = [f for f in result.findings if f.rule == "id_card"]
    assert len(ids) == len(PEOPLE) + 1
    for f in ids:
        assert isinstance(f.target, PersonalDataTarget)
        assert f.target.span == (f.location.start, f.location.end)
    cells = [f.target.cell for f in ids if f.target.cell is not None]
    assert cells == [Cell(0, row, 1) for row in range(1, len(PEOPLE) + 1)]  # the prose one has none


def test_annotation_and_hidden_targets(config):
    result, _trace = prepare_docx(_note_docx(), "n.docx", config)
    (note,) = [f for f in result.findings if str(f.category) == "leader_annotation"]
    assert isinstance(note.target, AnnotationTarget)
    assert note.target.span is not None and "拟同意" in result.document.text[slice(*note.target.span)]
    (white,) = [f for f in result.findings if f.rule == "white_text"]
    assert isinstance(white.target, HiddenContentTarget)
    assert result.document.text[slice(*white.target.span)] == "内部联系人电话见附件二"
    assert white.target.ranges == (white.target.span,)


# -- the cleaner acts on the target, and only on it -----------------------------------------------
def test_seal_picture_removed_by_its_target_and_left_when_the_target_is_empty(config):
    data = sample("draft_tracked.docx")
    out, actions = _clean(data, config)
    assert [a for a in actions if a.category == "seal"]
    assert len(_media(out)) < len(_media(data))
    out, actions = _clean(data, config, {"seal": SealTarget()})
    assert not [a for a in actions if a.category == "seal"]
    assert len(_media(out)) == len(_media(data)) - _header_pictures_removed(actions)


def _header_pictures_removed(actions) -> int:
    return sum(1 for a in actions if a.category == "red_header" and "图片" in a.detail)


def test_personal_values_masked_by_target_and_left_when_the_target_is_empty(config):
    data = roster_docx()
    out, actions = _clean(data, config)
    assert [a for a in actions if a.action == "masked"]
    assert PEOPLE[0][1] not in _text(out)
    out, actions = _clean(data, config, {"personal_data": PersonalDataTarget()})
    assert not [a for a in actions if a.action == "masked"]
    assert PEOPLE[0][1] in _text(out)


def test_leader_note_and_white_text_cut_by_target_and_left_when_empty(config):
    data = _note_docx()
    out, actions = _clean(data, config)
    assert "拟同意" not in _text(out) and "内部联系人电话" not in _text(out)
    empty = {"leader_annotation": AnnotationTarget(), "hidden_content": HiddenContentTarget()}
    out, actions = _clean(data, config, empty)
    assert "拟同意，请李市长审定。" in _text(out) and "内部联系人电话见附件二" in _text(out)
    assert not [a for a in actions if a.category == "leader_annotation" or a.detail == "白色文字"]


@pytest.mark.parametrize(
    ("name", "category", "empty"),
    [
        ("red_header_seal.pdf", "seal", SealTarget()),
        ("leader_annotation.pdf", "leader_annotation", AnnotationTarget()),
    ],
)
def test_pdf_seal_and_note_removed_by_target_and_left_when_empty(config, name, category, empty):
    from pubguard.clean.pdf import clean_pdf, prepare_pdf

    opts = CleanOptions()
    data = sample(name)
    result = prepare_pdf(data, name, config)
    assert [f for f in result.findings if str(f.category) == category]
    _out, actions = clean_pdf(data, name, config, opts, opts.masking(config), result=result)
    assert [a for a in actions if a.category == category], name
    result = prepare_pdf(data, name, config)
    for i, f in enumerate(result.findings):
        if str(f.category) == category:
            result.findings[i] = dataclasses.replace(f, target=empty)
    _out, actions = clean_pdf(data, name, config, opts, opts.masking(config), result=result)
    assert not [a for a in actions if a.category == category], name


def _mark_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("000123")
    d.add_paragraph("秘密★1年")
    for line in (
        "关于调整城区道路维修计划的请示",
        "市人民政府：",
        "为保障道路安全畅通，我局拟对主干道路面进行维修。",
    ):
        d.add_paragraph(line)
    return docx_bytes(d)


def test_mark_line_and_fen_hao_removed_by_target_and_left_when_empty(config):
    data = _mark_docx()
    result, _trace = prepare_docx(data, "m.docx", config)
    (mark,) = [f for f in result.findings if f.rule == "secret_level"]
    assert isinstance(mark.target, MarkTarget) and mark.target.fen_hao
    assert result.document.text[slice(*mark.target.span)].startswith("秘密")
    out, _actions = _clean(data, config)
    assert "秘密" not in _text(out) and "000123" not in _text(out)
    out, actions = _clean(data, config, {"classification_mark": MarkTarget()})
    assert "秘密★1年" in _text(out) and "000123" in _text(out)
    assert not [a for a in actions if a.category == "classification_mark"]


def test_punctuation_target_lists_every_mark_and_repeats_merge(config):
    d = docx.Document()
    d.add_paragraph("各单位要高度重视,认真落实;确保实效。")
    d.add_paragraph("请各单位认真落实,确保实效。")
    data = docx_bytes(d)
    result, _trace = prepare_docx(data, "p.docx", config)
    (mixed,) = [f for f in result.findings if f.rule == "mixed_punctuation"]
    assert isinstance(mixed.target, ProofreadingTarget)
    assert [result.document.text[s:e] for s, e in mixed.target.spans] == [",", ";", ","]
    out, _actions = _clean(data, config)
    assert "," not in _text(out) and ";" not in _text(out)
    out, actions = _clean(data, config, {"proofreading": ProofreadingTarget()})
    assert _text(out).count(",") == 2 and not [a for a in actions if a.category == "proofreading"]
    a, b = ProofreadingTarget(((1, 2),)), ProofreadingTarget(((5, 6),))
    assert merge_repeat(a, b) == ProofreadingTarget(((1, 2), (5, 6)))
    assert merge_repeat(SealTarget(page=1), SealTarget(page=2)) == SealTarget(page=1)
    assert merge_repeat(None, b) is None


def test_red_header_target_carries_its_box_and_picture_flag(config):
    from pubguard.scan import scan_bytes

    result = scan_bytes(sample("scan_red_header_seal.jpg"), "s.jpg", ScanConfig(ocr=False))
    headers = [f for f in result.findings if f.rule == "red_header"]
    assert headers and all(isinstance(f.target, RedHeaderTarget) for f in headers)
    assert all(f.target.box == f.location.bbox and f.target.box for f in headers)
    result, _trace = prepare_docx(sample("draft_tracked.docx"), "d.docx", config)
    (header,) = [f for f in result.findings if f.rule == "red_header"]
    assert header.target.picture == header.details.picture
