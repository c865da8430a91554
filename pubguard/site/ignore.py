"""Which files a folder scan looks at: a default ignore list (source code, configuration,
fonts: not content), the scan root's `.pubguardignore`, and `--exclude` / `--include` globs,
all in gitignore syntax through `pathspec` (the matcher black and many linters use) rather
than a home-made glob dialect. Files named on the command line are always scanned."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pathspec

IGNORE_FILE = ".pubguardignore"


def default_patterns() -> list[str]:
    text = files("pubguard.site").joinpath("default.pubguardignore").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass
class FileFilter:
    exclude: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    use_defaults: bool = True

    def for_root(self, root: Path) -> _RootFilter:
        lines = list(default_patterns()) if self.use_defaults else []
        own = root / IGNORE_FILE
        if own.is_file():
            lines += own.read_text(encoding="utf-8").splitlines()
        lines += self.exclude
        include = pathspec.GitIgnoreSpec.from_lines(self.include) if self.include else None
        return _RootFilter(pathspec.GitIgnoreSpec.from_lines(lines), include)


@dataclass
class _RootFilter:
    ignored: pathspec.GitIgnoreSpec
    included: pathspec.GitIgnoreSpec | None

    def wants_dir(self, rel_dir: str) -> bool:
        return not self.ignored.match_file(rel_dir.rstrip("/") + "/")

    def wants(self, rel: str) -> bool:
        if self.ignored.match_file(rel):
            return False
        return self.included is None or self.included.match_file(rel)
