"""Fill realworld/external/ from local snapshots of the public repositories it comes from.

Real material from other projects is never committed (only its provenance and expectations
are): every manifest entry under external/ names its source as
`github:owner/repo@commit:path`. This script copies each missing file out of a git snapshot of
that repository (`$PUBGUARD_MIRROR/owner+repo/repo`, default /work/.mirror; a bare clone of the
repository works too) with `git show`, falls back to the snapshot's HEAD when the commit is not
in it, and checks the file's sha256 against the manifest. Missing snapshots are reported, not
fatal: the evaluation skips (and lists) files that are not there.

    python scripts/collect_realworld.py [--manifest realworld/manifest.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

SOURCE = re.compile(r"^github:(?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{7,40}):(?P<path>.+)$")


def _git_show(gitdir: Path, rev: str, path: str) -> bytes | None:
    proc = subprocess.run(
        ["git", f"--git-dir={gitdir}", "show", f"{rev}:{path}"], capture_output=True, check=False
    )
    return proc.stdout if proc.returncode == 0 else None


def collect(manifest_path: Path, mirror: Path) -> tuple[int, list[str]]:
    folder = manifest_path.parent
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    copied, problems = 0, []
    for entry in manifest["files"]:
        target = folder / entry["file"]
        m = SOURCE.match(entry.get("source", ""))
        if not entry["file"].startswith("external/") or m is None or target.exists():
            continue
        gitdir = mirror / m["repo"].replace("/", "+") / "repo"
        if (gitdir / ".git").is_dir():  # a snapshot with a work tree
            gitdir = gitdir / ".git"
        if not gitdir.exists():
            problems.append(f"{entry['file']}: no snapshot of {m['repo']} under {mirror}")
            continue
        data = _git_show(gitdir, m["commit"], m["path"]) or _git_show(gitdir, "HEAD", m["path"])
        if data is None:
            problems.append(f"{entry['file']}: {m['path']} not in the snapshot of {m['repo']}")
            continue
        want = entry.get("sha256")
        if want and hashlib.sha256(data).hexdigest() != want:
            problems.append(f"{entry['file']}: sha256 differs from the manifest (another version)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        copied += 1
    return copied, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", default="realworld/manifest.json")
    ap.add_argument("--mirror", default=os.environ.get("PUBGUARD_MIRROR", "/work/.mirror"))
    args = ap.parse_args(argv)
    copied, problems = collect(Path(args.manifest), Path(args.mirror))
    print(f"realworld: {copied} file(s) collected", file=sys.stderr)
    for p in problems:
        print(f"  skipped {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
