"""Fault injection for crash tests: `PUBGUARD_FAULT=release:after_metadata` makes the process
kill itself with SIGKILL (no clean-up, no `finally`, no atexit) when it reaches that point, so
tests can prove that a power cut at any step leaves nothing half-published.

Several points may be given, comma separated. Points in use:

- `release:after_intent`    the intent row is committed, nothing is online yet
- `release:during_file`     half of the published file is written (temporary name)
- `release:after_file`      the file is online under its real name, `meta.json` not yet
- `release:after_attachment` one more 附件 is online next to the file, `meta.json` not yet
- `release:after_metadata`  file and `meta.json` online, the release not yet recorded
- `upload:after_store`      the uploaded file is in the store, no database row yet
- `upload:during_store`     part of an upload is written to its temporary file

Unset in production; reading one environment variable is the whole cost."""

from __future__ import annotations

import os
import signal

ENV = "PUBGUARD_FAULT"


def point(name: str) -> None:
    """Die here (SIGKILL) when `PUBGUARD_FAULT` names this point."""
    wanted = os.environ.get(ENV)
    if wanted and name in (p.strip() for p in wanted.split(",")):
        os.kill(os.getpid(), signal.SIGKILL)
