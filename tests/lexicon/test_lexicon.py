"""Every example of every shipped lexicon entry is its own case (gitleaks-style true and false
positives), and the loader refuses broken files with a message naming file, entry and fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard import lexicon
from pubguard.lexicon import LexiconError, load_file, shipped_files


def _cases(kind: str):
    for path in shipped_files():
        for name, entry in load_file(path).items():
            examples = entry.examples_match if kind == "match" else entry.examples_no_match
            for text in examples:
                yield pytest.param(entry, text, id=f"{path.stem}.{name}:{text}")


@pytest.mark.parametrize(("entry", "text"), list(_cases("match")))
def test_example_matches(entry: lexicon.Entry, text: str) -> None:
    assert entry.matches(text)


@pytest.mark.parametrize(("entry", "text"), list(_cases("no_match")))
def test_example_does_not_match(entry: lexicon.Entry, text: str) -> None:
    assert not entry.matches(text)


def test_every_entry_has_both_kinds_of_example() -> None:
    for path in shipped_files():
        for entry in load_file(path).values():
            assert entry.examples_match and entry.examples_no_match, f"{path.name}:{entry.name}"


GOOD = """
[entries.endings]
kind = "words"
match = "endswith"
value = ["局", "委员会"]
examples.match = ["某某市财政局"]
examples.no_match = ["王小明"]
"""


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("[entries.x\nkind=", "TOML 格式错误"),
        ("[meta]\ndescription = 'no entries'\n", "没有 [entries.名称] 词条"),
        (GOOD.replace('kind = "words"', 'kind = "list"'), "kind 应为"),
        (GOOD.replace('match = "endswith"', 'match = "search"'), "match 应为"),
        (GOOD.replace('["局", "委员会"]', '["局", "局"]'), "词语重复：局"),
        (GOOD.replace('["局", "委员会"]', '""'), "“value”应为非空字符串列表"),
        (GOOD.replace('examples.no_match = ["王小明"]\n', ""), "缺少 examples.match 和 examples.no_match"),
        (GOOD.replace('["王小明"]', '["某某局"]'), "反例“某某局”被匹配"),
        (GOOD.replace('["某某市财政局"]', '["财政厅"]'), "正例“财政厅”不匹配"),
        (
            GOOD.replace('kind = "words"', 'kind = "pattern"')
            .replace('match = "endswith"', "")
            .replace('value = ["局", "委员会"]', 'value = "(局"'),
            "正则表达式无法编译",
        ),
        (GOOD.replace("[entries.endings]", "[entries.Endings]"), "名称只能由小写字母"),
        (GOOD + 'colour = "red"\n', "未知的键"),
    ],
)
def test_loader_refuses_broken_file(tmp_path: Path, text: str, fault: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_file(path)
    assert "broken.toml" in info.value.message and fault in info.value.message


def test_loader_accepts_good_file(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_file(path)["endings"].words == ("局", "委员会")


def test_accessors() -> None:
    assert "王" in lexicon.chars("names", "surnames")
    assert "政府" in lexicon.words("organs", "organ_endings")
    with pytest.raises(LexiconError, match="没有词条"):
        lexicon.words("organs", "nothing")
    with pytest.raises(LexiconError, match="找不到词库文件"):
        lexicon.words("nothing", "x")
