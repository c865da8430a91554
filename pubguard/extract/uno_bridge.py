"""Warm LibreOffice converter: a bridge run by the *system* Python (`/usr/bin/python3`).

Debian's `python3-uno` binds to the system interpreter, not to the project's venv, so
`pubguard.extract.convert` starts this file as a child process (it imports nothing from
`pubguard`). The bridge starts one headless `soffice` with its own user profile, listening on
a private pipe, and converts files on request, one JSON object per line:

    stdin:  {"in": "/tmp/x/in.doc", "out": "/tmp/x/out.docx", "filter": "MS Word 2007 XML"}
    stdout: {"ok": true} | {"ok": false, "error": "..."}

The first line it prints is {"ready": true} (or {"ok": false, "error": ...} when LibreOffice
could not be started). Macros are never run, links are never updated, documents are loaded
hidden and read-only. Ends when stdin closes; the parent kills the process group on timeouts.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time


def _props(**kw: object) -> tuple:
    import uno  # noqa: F401  (registers the com.sun.star types)
    from com.sun.star.beans import PropertyValue

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name = k
        p.Value = v
        out.append(p)
    return tuple(out)


def _url(path: str) -> str:
    import uno

    return uno.systemPathToFileUrl(os.path.abspath(path))


def _seq_get(seq: tuple, name: str) -> object:
    for p in seq:
        if p.Name == name:
            return p.Value
    return None


def _load_model(smgr, ctx, detector, filters, url: str):  # noqa: ANN001, ANN202
    """Load the file into a document model *without* a frame or view.

    Loading through the Desktop creates a (hidden) view, and the -nogui builds of Debian's
    LibreOffice abort when that view builds comment windows; a bare model has no view."""
    descriptor = _props(URL=url)
    type_name, _ = detector.queryTypeByDescriptor(descriptor, True)
    if not type_name:
        raise RuntimeError("unknown file type")
    filter_name = _seq_get(detector.getByName(type_name), "PreferredFilter")
    if not filter_name:
        raise RuntimeError(f"no import filter for {type_name}")
    service = _seq_get(filters.getByName(filter_name), "DocumentService")
    model = smgr.createInstanceWithContext(service, ctx)
    model.load(
        _props(
            URL=url,
            FilterName=filter_name,
            Hidden=True,
            ReadOnly=True,
            MacroExecutionMode=0,  # NEVER_EXECUTE
            UpdateDocMode=0,  # NO_UPDATE: external links stay as they are
            Silent=True,
        )
    )
    return model


def main() -> int:
    soffice, profile, pipe = sys.argv[1], sys.argv[2], sys.argv[3]
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import uno
        from com.sun.star.connection import NoConnectException

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        deadline = time.monotonic() + 60
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except NoConnectException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    print(json.dumps({"ok": False, "error": "soffice did not start"}), flush=True)
                    return 1
                time.sleep(0.1)
        smgr = ctx.ServiceManager
        detector = smgr.createInstanceWithContext("com.sun.star.document.TypeDetection", ctx)
        filters = smgr.createInstanceWithContext("com.sun.star.document.FilterFactory", ctx)
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            doc = None
            try:
                doc = _load_model(smgr, ctx, detector, filters, _url(req["in"]))
                doc.storeToURL(_url(req["out"]), _props(FilterName=req["filter"], Overwrite=True))
                print(json.dumps({"ok": True}), flush=True)
            except Exception as exc:  # noqa: BLE001 - report every failure to the parent
                print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}), flush=True)
            finally:
                if doc is not None:
                    with contextlib.suppress(Exception):
                        doc.close(True)
        return 0
    finally:
        try:
            proc.terminate()
            proc.wait(10)
        except Exception:  # noqa: BLE001
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
