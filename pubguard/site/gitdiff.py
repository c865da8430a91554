"""`pubguard scan --diff BASE`: only the files a change touched, for repositories of static sites.

"Changed" means added, copied, modified, renamed or type-changed between the merge base of BASE
and HEAD and the working tree (so a pull-request pipeline sees what the branch changed since it
left BASE, and a local run also sees uncommitted edits), plus untracked files that git does not
ignore. Deleted files have nothing to scan. Git itself answers; nothing is parsed by hand.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path


class GitDiffError(Exception):
    """Not a git work tree, git missing, or an unknown ref: a usage error for the CLI."""


def _git(cwd: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=60, check=False)
    except FileNotFoundError as exc:
        raise GitDiffError("未找到 git 命令，--diff 需要安装 git。") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitDiffError(msg[-1] if msg else f"git {' '.join(args)} 失败")
    return proc.stdout


def changed_files(base: str, paths: Iterable[Path]) -> set[str]:
    """Absolute, resolved paths of the files changed since `base` in the git work tree that holds
    the first of `paths`."""
    paths = list(paths)
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    top = Path(_git(start.resolve(), "rev-parse", "--show-toplevel").decode().strip())
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except GitDiffError as exc:
        raise GitDiffError(f"git 中没有找到 {base}（提交、分支或标签）。") from exc
    try:
        since = _git(top, "merge-base", base, "HEAD").decode().strip() or base
    except GitDiffError:
        since = base  # unrelated histories: compare with the ref itself
    names = _git(top, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT", since, "--")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    out: set[str] = set()
    for raw in (names + untracked).split(b"\0"):
        if raw:
            out.add(os.path.realpath(top / os.fsdecode(raw)))
    return out
