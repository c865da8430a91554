"""Pluggable NLP for person (and place) names in prose, after Presidio's NlpEngine.

The personal-data detector asks one question of an NLP engine: "split this short window into
words and say which are person names". jieba answers by default (its dictionary tags ~79,000
names, see `pubguard.segment`). A site that has a Chinese spaCy pipeline with an NER component
(a trained `zh_core_web_*` package it installed itself, or its own pipeline on disk) can select
it in `pubguard.toml`:

    [nlp]
    engine = "spacy"            # "auto" (default): spaCy when `spacy_model` loads, else jieba
    spacy_model = "zh_core_web_sm"   # a package name or a folder path

Nothing is ever downloaded: `spacy.load` only opens what is installed. An explicit
`engine = "spacy"` that cannot load is a configuration error; `auto` falls back to jieba and
`pubguard rules` says which engine is active and why. Proofreading keeps jieba in every case:
its question (is a doubled character two one-character words?) needs a word segmenter, which a
spaCy pipeline with the default character segmenter is not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from pubguard import segment
from pubguard.segment import Word

PERSON_LABELS = frozenset({"PERSON", "PER", "NR"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NS"})


class NlpEngine(Protocol):
    name: str

    def words(self, text: str) -> list[Word]:
        """Words of `text` in order, each flagged when it is a person name."""
        ...

    def places(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of place names in `text` (empty when the engine has no NER)."""
        ...


class JiebaEngine:
    name = "jieba"

    def words(self, text: str) -> list[Word]:
        return segment.words(text)

    def places(self, text: str) -> list[tuple[int, int]]:
        return []


class SpacyEngine:
    """A spaCy pipeline's entities as words: each PERSON entity is one name word; the text
    between entities is split by the pipeline's tokenizer (known words, no person tag)."""

    name = "spacy"

    def __init__(self, nlp: Any, label: str = "") -> None:
        self.nlp = nlp
        self.label = label or getattr(nlp, "meta", {}).get("name", "pipeline")
        self._lock = threading.Lock()  # spaCy pipelines are not documented as thread-safe

    def _doc(self, text: str) -> Any:
        with self._lock:
            return self.nlp(text)

    def words(self, text: str) -> list[Word]:
        doc = self._doc(text)
        persons = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in PERSON_LABELS]
        out: list[Word] = []
        pos = 0
        for start, end in persons:
            out.extend(self._plain(doc, pos, start))
            out.append(Word(text[start:end], start, True, True))
            pos = end
        out.extend(self._plain(doc, pos, len(text)))
        return out

    @staticmethod
    def _plain(doc: Any, lo: int, hi: int) -> list[Word]:
        return [
            Word(t.text, t.idx, True, False)
            for t in doc
            if t.idx >= lo and t.idx + len(t.text) <= hi and not t.is_space
        ]

    def places(self, text: str) -> list[tuple[int, int]]:
        return [(e.start_char, e.end_char) for e in self._doc(text).ents if e.label_ in PLACE_LABELS]


@dataclass(frozen=True)
class NlpConfig:
    engine: str = "auto"  # auto | jieba | spacy
    spacy_model: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NlpConfig:
        engine = str(data.get("engine", "auto"))
        if engine not in ("auto", "jieba", "spacy"):
            raise ValueError(f"[nlp] engine 只能是 auto、jieba 或 spacy（收到 {engine}）")
        model = data.get("spacy_model")
        if engine == "spacy" and not model:
            raise ValueError('[nlp] engine = "spacy" 需要同时设置 spacy_model（已安装的模型包名或目录）')
        return cls(engine, str(model) if model else None)


class NlpUnavailable(Exception):
    """An explicitly chosen engine cannot be used (a configuration error, in Chinese)."""


_CACHE: dict[NlpConfig, tuple[NlpEngine, str]] = {}
_CACHE_LOCK = threading.Lock()


def _load_spacy(model: str) -> Any:
    try:
        import spacy
    except ImportError as exc:
        raise NlpUnavailable("未安装 spaCy（pip install spacy），无法使用 spaCy 引擎。") from exc
    try:
        return spacy.load(model)
    except OSError as exc:  # not installed / not a pipeline folder: spaCy never downloads here
        raise NlpUnavailable(f"spaCy 模型 {model} 无法加载（未安装或不是模型目录）。") from exc


def engine_for(config: NlpConfig | None) -> tuple[NlpEngine, str]:
    """(engine, why) for a configuration; cached per configuration and process."""
    config = config or NlpConfig()
    with _CACHE_LOCK:
        hit = _CACHE.get(config)
        if hit is not None:
            return hit
        engine: NlpEngine
        if config.engine == "jieba" or (config.engine == "auto" and not config.spacy_model):
            engine, why = JiebaEngine(), "默认：jieba 词典中的人名标注"
        elif config.engine == "spacy":
            engine = SpacyEngine(_load_spacy(config.spacy_model or ""), config.spacy_model or "")
            why = f"配置指定的 spaCy 模型 {config.spacy_model}"
        else:
            try:
                engine = SpacyEngine(_load_spacy(config.spacy_model or ""), config.spacy_model or "")
                why = f"已安装的 spaCy 模型 {config.spacy_model}"
            except NlpUnavailable as exc:
                engine, why = JiebaEngine(), f"jieba（{exc}）"
        _CACHE[config] = (engine, why)
        return engine, why


def register_pipeline(config: NlpConfig, nlp: Any) -> None:
    """Use an in-memory spaCy pipeline for `config` (tests and embedding applications that
    build their pipeline in code instead of installing a package)."""
    with _CACHE_LOCK:
        _CACHE[config] = (SpacyEngine(nlp, config.spacy_model or "in-memory"), "已注册的 spaCy 流水线")
