"""Pluggable NLP engines: jieba by default, a spaCy pipeline when a site has one.

The spaCy pipeline is built in the test (blank `zh` + EntityRuler): nothing is downloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_id_number

from pubguard.config import ScanConfig
from pubguard.nlp import JiebaEngine, NlpConfig, NlpUnavailable, SpacyEngine, engine_for, register_pipeline
from pubguard.scan import scan_bytes

spacy = pytest.importorskip("spacy")

# No label word ("申请人：") before the name: the engine decides whether it is a person.
PROSE = "经核实，{name}身份证号{idn}，符合条件。\n"


def pipeline(names: list[str]):  # type: ignore[no-untyped-def]
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": n} for n in names])
    ruler.add_patterns([{"label": "GPE", "pattern": "南宁市"}])
    return nlp


def names_found(config: ScanConfig, text: str) -> list[str]:
    result = scan_bytes(text.encode(), "a.txt", config)
    return [f.evidence for f in result.findings if f.rule == "person_name"]


def test_default_is_jieba() -> None:
    engine, why = engine_for(NlpConfig())
    assert isinstance(engine, JiebaEngine) and "jieba" in why
    words = engine.words("联系人王建国")
    assert any(w.word == "王建国" and w.name_like for w in words)


def test_spacy_engine_words_and_places() -> None:
    engine = SpacyEngine(pipeline(["王建国"]))
    words = engine.words("联系人王建国，南宁市人")
    assert [w.word for w in words if w.person] == ["王建国"]
    assert all(not w.person for w in words if w.word != "王建国")
    assert "".join(w.word for w in words) == "联系人王建国，南宁市人"
    assert [(s, e) for s, e in engine.places("联系人王建国，南宁市人")] == [(7, 10)]


def test_spacy_pipeline_changes_what_personal_data_sees() -> None:
    """A name only the site's pipeline knows is found with it and not without it; a word the
    pipeline does not call a person is not turned into one (negative)."""
    idn = make_id_number()
    text = PROSE.format(name="司马懿", idn=idn) + PROSE.format(name="本单位", idn=make_id_number(seq="123"))
    cfg = ScanConfig()
    cfg.nlp = NlpConfig("spacy", "test-pipeline-a")
    register_pipeline(cfg.nlp, pipeline(["司马懿"]))
    with_spacy = names_found(cfg, text)
    assert len(with_spacy) == 1 and with_spacy[0].startswith("司")
    assert "司马懿" not in with_spacy[0]  # masked like every name
    other = ScanConfig()
    other.nlp = NlpConfig("spacy", "test-pipeline-b")
    register_pipeline(other.nlp, pipeline([]))
    assert names_found(other, text) == []  # the pipeline knows no person here


def test_explicit_spacy_without_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="spacy_model"):
        NlpConfig.from_dict({"engine": "spacy"})
    with pytest.raises(ValueError, match="engine"):
        NlpConfig.from_dict({"engine": "bert"})
    with pytest.raises(NlpUnavailable, match="无法加载"):
        engine_for(NlpConfig("spacy", str(tmp_path / "no-such-model")))
    engine, why = engine_for(NlpConfig("auto", str(tmp_path / "no-such-model")))
    assert isinstance(engine, JiebaEngine) and "无法加载" in why


def test_pipeline_on_disk_and_rules_command(tmp_path: Path) -> None:
    """A pipeline saved to a folder (what a site installs) is loaded by path, and
    `pubguard rules` names the active engine."""
    folder = tmp_path / "zh_pipeline"
    pipeline(["王建国"]).to_disk(folder)
    engine, why = engine_for(NlpConfig("spacy", str(folder)))
    assert isinstance(engine, SpacyEngine) and [w.word for w in engine.words("王建国同志") if w.person] == [
        "王建国"
    ]
    toml = tmp_path / "pubguard.toml"
    toml.write_text(f'[nlp]\nengine = "auto"\nspacy_model = "{folder}"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pubguard.cli", "rules", "--config", str(toml)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("人名识别引擎：spacy")
    bad = tmp_path / "bad.toml"
    bad.write_text('[nlp]\nengine = "spacy"\nspacy_model = "/nonexistent/model"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pubguard.cli", "rules", "--config", str(bad)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and "无法加载" in proc.stderr
