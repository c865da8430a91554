"""`make eval`: detection scores per category over labelled folders (`samples/`, `realworld/`).

Each folder has a `manifest.json`: for every file the rules a correct scan must report
(`expect`, "category/rule"; empty = a clean document). Per category we count expected rules
found (recall) and findings of rules the manifest does not expect (false positives), and how
many clean documents were flagged. A manifest may set `fp_min_severity` (realworld: "medium",
i.e. a low finding on a real published page is not counted as a false positive) and list
files under `external/` (real material from public repositories, collected by
scripts/collect_realworld.py, never committed) or `local/` (may not be redistributed); such an
entry is skipped (and listed) when the file is not there.

samples/: the manifest is a data-driven test (tests/test_samples.py, one case per file, like
black's case files): `make eval` exits 1 when any labelled file regresses (a miss, an extra rule,
a file error or another disclosure suggestion). A folder with a `thresholds.json` (realworld/)
is judged against that committed floor instead — minimum recall and maximum false positives per
category — because real material is not expected to be perfect: `check_thresholds` lists every
regression, tests/test_eval.py fails on any and `make eval` exits 1.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubguard.config import ScanConfig
from pubguard.finding import Category, Severity
from pubguard.scan import FileResult

# Material that is not in git: external/ is collected from public repositories'
# snapshots (scripts/collect_realworld.py), local/ may not be redistributed at all.
OPTIONAL_DIRS = ("external/", "local/")


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


@dataclass
class Evaluation:
    folder: Path
    scores: dict[str, CategoryScore]
    results: list[FileResult]
    disclosure: dict[str, Any]
    skipped: list[str] = field(default_factory=list)  # local-only files not present
    clean_files: int = 0

    def __iter__(self):  # old callers unpack (scores, results, disclosure)
        return iter((self.scores, self.results, self.disclosure))


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))


def load_manifest(folder: Path) -> list[dict]:
    """The manifest's entries; every file in the folder (but the manifest and generator) must
    have one, so a sample cannot be added without its label."""
    return list(read_manifest(folder)["files"])


# Files of a labelled folder that are not cases.
_NOT_CASES = ("manifest.json", "generate.py", "thresholds.json", "PROVENANCE.md")


def unlabelled_files(folder: Path) -> list[str]:
    listed = {e["file"] for e in load_manifest(folder)}
    return sorted(
        p.name
        for p in Path(folder).iterdir()
        if p.is_file() and p.name not in listed and p.name not in _NOT_CASES and not p.name.startswith(".")
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


def _scan_all(
    folder: Path, entries: list[dict[str, Any]], config: ScanConfig, cache: Path | None = None
) -> list[FileResult]:
    """Scan through the batch runner (one supervised worker process): a file that crashes a
    native library becomes a per-file error instead of ending the evaluation. With `cache`
    (a ResultCache file), a file whose content and finding code are unchanged is answered
    from the previous run: the key holds the hash of every detector/extractor module, the
    wordlists and the config, so any change to detection scans again."""
    from pubguard.site.runner import FileJob, run_jobs

    result_cache = None
    if cache is not None:
        from pubguard.site.cache import ResultCache

        result_cache = ResultCache(cache, config, keyed=False)  # scores use rules, not fingerprints
    jobs = [FileJob(str(folder / e["file"]), e["file"], e["file"]) for e in entries]
    results, _ = run_jobs(jobs, config, workers=1, boilerplate=False, cache=result_cache)
    return results


def evaluate(folder: Path, config: ScanConfig | None = None, cache: Path | None = None) -> Evaluation:
    folder = Path(folder)
    manifest = read_manifest(folder)
    config = config or ScanConfig()
    fp_min = Severity(manifest.get("fp_min_severity", "low"))
    scores: dict[str, CategoryScore] = {c.value: CategoryScore() for c in Category}
    disclosure_hits: dict[str, Any] = {"checked": 0, "agreed": 0, "misses": []}
    entries, skipped = [], []
    for entry in manifest["files"]:
        optional = entry.get("local") or entry["file"].startswith(OPTIONAL_DIRS)
        if optional and not (folder / entry["file"]).exists():
            skipped.append(entry["file"])
        else:
            entries.append(entry)
    results = _scan_all(folder, entries, config, cache)
    clean_files = 0
    for entry, result in zip(entries, results, strict=True):
        expected = set(entry["expect"])
        clean_files += not expected
        found = reported_rules(result)
        counted = {f"{f.category}/{f.rule}" for f in result.findings if f.severity.at_least(fp_min)}
        for key in sorted(expected):
            cat = key.split("/", 1)[0]
            scores[cat].expected += 1
            if key in found:
                scores[cat].found += 1
            else:
                scores[cat].misses.append(f"{entry['file']}: {key}")
        flagged_categories: set[str] = set()
        for key in sorted(counted - expected):
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
    return Evaluation(folder, scores, results, disclosure_hits, skipped, clean_files)


def load_thresholds(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / "thresholds.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def check_thresholds(ev: Evaluation, thresholds: dict[str, Any]) -> list[str]:
    """Every way the evaluation falls below the committed thresholds (empty = none)."""
    problems = []
    for cat, floor in thresholds.get("min_recall", {}).items():
        s = ev.scores[cat]
        if s.expected and (s.recall or 0.0) + 1e-9 < floor:
            problems.append(f"{cat}: 召回率 {s.recall:.0%} 低于阈值 {floor:.0%}（{s.found}/{s.expected}）")
    for cat, ceiling in thresholds.get("max_false_positives", {}).items():
        s = ev.scores[cat]
        if s.false_positives > ceiling:
            problems.append(f"{cat}: 误报 {s.false_positives} 个，超过阈值 {ceiling}：{'；'.join(s.extras)}")
    errors = [r for r in ev.results if r.status == "error"]
    if len(errors) > thresholds.get("max_file_errors", 0):
        problems.append("文件错误：" + "；".join(f"{r.path}（{r.error_code}）" for r in errors))
    return problems


def _recall_text(s: CategoryScore) -> str:
    return f"{s.recall:.0%}" if s.recall is not None else "-"


def format_side_by_side(evs: list[Evaluation]) -> str:
    """One row per category, one column group (found/expected, recall, FP) per folder."""
    groups = [f"{ev.folder.name} ({len(ev.results)} files, {ev.clean_files} clean)" for ev in evs]
    width = 32
    head = f"{'category':<20}" + "".join(f"{g:>{width}}" for g in groups)
    sub = f"{'':<20}" + "".join(f"{'found/exp  recall   FP':>{width}}" for _ in evs)
    fps = [f"FP at {read_manifest(ev.folder).get('fp_min_severity', 'low')}+" for ev in evs]
    sub2 = f"{'':<20}" + "".join(f"{t:>{width}}" for t in fps)
    lines = [head, sub, sub2, "-" * len(head)]
    for cat in evs[0].scores:
        row = f"{cat:<20}"
        for ev in evs:
            s = ev.scores[cat]
            cell = f"{s.found:>3}/{s.expected:<3} {_recall_text(s):>7} {s.false_positives:>4}"
            row += f"{cell:>{width}}"
        lines.append(row)
    lines.append("-" * len(head))
    row = f"{'all':<20}"
    for ev in evs:
        exp = sum(s.expected for s in ev.scores.values())
        got = sum(s.found for s in ev.scores.values())
        fp = sum(s.false_positives for s in ev.scores.values())
        cell = f"{got:>3}/{exp:<3} {got / max(exp, 1):>7.0%} {fp:>4}"
        row += f"{cell:>{width}}"
    lines.append(row)
    return "\n".join(lines)


def _details(ev: Evaluation) -> tuple[list[str], bool]:
    """The report lines of one folder, and whether it regressed."""
    out = [f"\n[{ev.folder}]"]
    errors = [r for r in ev.results if r.status == "error"]
    out.append(f"文件错误：{len(errors)}")
    out += [f"  {r.path}: {r.error}" for r in errors]
    if ev.skipped:
        out.append(f"未提交到仓库、本地也不存在而跳过的文件：{len(ev.skipped)}")
        out += [f"  {s}" for s in ev.skipped]
    out.append(f"公开属性建议一致：{ev.disclosure['agreed']}/{ev.disclosure['checked']}")
    out += [f"  {m}" for m in ev.disclosure["misses"]]
    for s in ev.scores.values():
        out += [f"  漏报 {m}" for m in s.misses]
        out += [f"  多报 {e}" for e in s.extras]
    unlabelled = unlabelled_files(ev.folder)
    out += [f"  未标注 {name}（manifest.json 中没有该文件）" for name in unlabelled]
    thresholds = load_thresholds(ev.folder)
    if thresholds is not None:  # real material: judged against the committed floor
        below = check_thresholds(ev, thresholds)
        out.append("阈值检查：" + ("通过" if not below else f"{len(below)} 项低于阈值"))
        out += [f"  ✗ {p}" for p in below]
        return out, bool(below or unlabelled)
    regressed = bool(
        errors
        or ev.disclosure["misses"]
        or unlabelled
        or any(s.misses or s.extras for s in ev.scores.values())
    )
    return out, regressed


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    folders = [Path(a) for a in argv] or [Path("samples")]
    evs = [evaluate(folder) for folder in folders]
    print("PubGuard detection scores: " + ", ".join(str(f) for f in folders) + "\n")
    print(format_side_by_side(evs))
    regressed = False
    for ev in evs:
        lines, bad = _details(ev)
        print("\n".join(lines))
        if bad:
            print(f"\n{ev.folder}：检测结果出现退化（见上），退出码 1。")
        regressed |= bad
    return 1 if regressed else 0


if __name__ == "__main__":
    raise SystemExit(main())
