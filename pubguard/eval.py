"""`make eval`: detection scores per category over a labelled folder (samples/manifest.json).

For every file the manifest lists the rules a correct scan must report (`expect`). Per category we
count expected rules found (recall) and findings of rules the manifest does not expect
(false positives), separately for clean documents (what users feel most) and for all files.

The same manifest is a data-driven test (tests/test_samples.py, one case per file, like black's
case files): a new detector case is a new file in samples/ plus its entry here. `make eval` exits
1 when any labelled file regresses (a miss, an extra rule, a file error or another disclosure
suggestion), so a build fails on it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pubguard.config import ScanConfig
from pubguard.finding import Category
from pubguard.scan import FileResult, scan_path


@dataclass
class CategoryScore:
    expected: int = 0
    found: int = 0
    false_positives: int = 0
    clean_files_flagged: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None


def load_manifest(folder: Path) -> list[dict]:
    """The manifest's entries; every file in the folder (but the manifest and generator) must
    have one, so a sample cannot be added without its label."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return list(manifest["files"])


def unlabelled_files(folder: Path) -> list[str]:
    listed = {e["file"] for e in load_manifest(folder)}
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.name not in listed and p.name not in ("manifest.json", "generate.py")
    )


def reported_rules(result: FileResult) -> set[str]:
    """`category/rule` of every finding above info (info findings are hints, never labelled)."""
    return {f"{f.category}/{f.rule}" for f in result.findings if f.severity != "info"}


def problems(entry: dict, result: FileResult) -> list[str]:
    """What is wrong with one labelled file's scan (empty list = as labelled)."""
    out = []
    if result.status != "ok":
        out.append(f"文件错误：{result.error}")
    expected, got = set(entry["expect"]), reported_rules(result)
    out += [f"漏报 {key}" for key in sorted(expected - got)]
    out += [f"多报 {key}" for key in sorted(got - expected)]
    if "disclosure" in entry:
        suggested = result.disclosure.suggested if result.disclosure else None
        if suggested != entry["disclosure"]:
            out.append(f"公开属性 {suggested} ≠ {entry['disclosure']}")
    return out


def evaluate(
    folder: Path, config: ScanConfig | None = None
) -> tuple[dict[str, CategoryScore], list[FileResult], dict]:
    config = config or ScanConfig()
    scores: dict[str, CategoryScore] = {c.value: CategoryScore() for c in Category}
    results = []
    disclosure_hits = {"checked": 0, "agreed": 0, "misses": []}
    for entry in load_manifest(folder):
        result = scan_path(folder / entry["file"], config, display=entry["file"])
        results.append(result)
        expected = set(entry["expect"])
        got = reported_rules(result)
        for key in expected:
            cat = key.split("/", 1)[0]
            scores[cat].expected += 1
            if key in got:
                scores[cat].found += 1
            else:
                scores[cat].misses.append(f"{entry['file']}: {key}")
        flagged_categories: set[str] = set()
        for key in sorted(got - expected):
            cat = key.split("/", 1)[0]
            if cat in scores:
                scores[cat].false_positives += 1
                scores[cat].extras.append(f"{entry['file']}: {key}")
                flagged_categories.add(cat)
        if not expected:
            for cat in flagged_categories:
                scores[cat].clean_files_flagged += 1
        if "disclosure" in entry and result.disclosure:
            disclosure_hits["checked"] += 1
            if result.disclosure.suggested == entry["disclosure"]:
                disclosure_hits["agreed"] += 1
            else:
                disclosure_hits["misses"].append(
                    f"{entry['file']}: {result.disclosure.suggested} ≠ {entry['disclosure']}"
                )
    return scores, results, disclosure_hits


def format_table(scores: dict[str, CategoryScore]) -> str:
    head = f"{'category':<22}{'expected':>9}{'found':>7}{'recall':>8}{'FP':>5}{'clean files flagged':>21}"
    lines = [head, "-" * len(head)]
    for cat, s in scores.items():
        recall = f"{s.recall:.0%}" if s.recall is not None else "-"
        lines.append(
            f"{cat:<22}{s.expected:>9}{s.found:>7}{recall:>8}{s.false_positives:>5}{s.clean_files_flagged:>21}"
        )
    total_exp = sum(s.expected for s in scores.values())
    total_found = sum(s.found for s in scores.values())
    total_fp = sum(s.false_positives for s in scores.values())
    lines.append("-" * len(head))
    lines.append(
        f"{'all':<22}{total_exp:>9}{total_found:>7}{total_found / max(total_exp, 1):>8.0%}{total_fp:>5}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    folder = Path(argv[0] if argv else "samples")
    scores, results, disclosure = evaluate(folder)
    print(f"PubGuard detection scores over {folder} ({len(results)} files)\n")
    print(format_table(scores))
    errors = [r for r in results if r.status == "error"]
    print(f"\n文件错误：{len(errors)}")
    for r in errors:
        print(f"  {r.path}: {r.error}")
    print(f"公开属性建议一致：{disclosure['agreed']}/{disclosure['checked']}")
    for m in disclosure["misses"]:
        print(f"  {m}")
    for s in scores.values():
        for m in s.misses:
            print(f"  漏报 {m}")
        for e in s.extras:
            print(f"  多报 {e}")
    unlabelled = unlabelled_files(folder)
    for name in unlabelled:
        print(f"  未标注 {name}（manifest.json 中没有该文件）")
    regressed = (
        errors or disclosure["misses"] or unlabelled or any(s.misses or s.extras for s in scores.values())
    )
    if regressed:
        print("\n标注样本出现退化（见上），退出码 1。")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
