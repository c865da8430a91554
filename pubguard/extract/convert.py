"""LibreOffice (headless) conversion of legacy formats into OOXML the native readers understand.

.doc / .wps / .rtf / .odt -> DOCX, .xls / .et / .ods -> XLSX, .ppt / .dps / .odp -> PPTX, and
anything -> PDF for `pubguard clean`. The input is written into a private temp dir, converted
there with a per-file timeout and a user profile of our own (never the user's ~/.config), and the
result read back; nothing else on disk is touched.

Two engines, same result:
- warm (default when the system Python has `uno`, Debian's `python3-uno`): one `soffice` per
  process kept running behind `uno_bridge.py`, so a batch pays LibreOffice's start-up once
  (`make bench` prints files/s warm vs cold);
- cold: `soffice --convert-to` per file (the fallback, and what `PUBGUARD_CONVERTER=cold` forces).

Where LibreOffice is missing every such file fails with `ConverterMissing`, whose Chinese message
says how to install it (`scripts/ensure-libreoffice.sh`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from pubguard.errors import CorruptFile, PubGuardError, ScanTimeout, UnsupportedFormat

log = logging.getLogger("pubguard.convert")

# Target extension -> LibreOffice export filter.
FILTERS = {
    "docx": "MS Word 2007 XML",
    "xlsx": "Calc MS Excel 2007 XML",
    "pptx": "Impress MS PowerPoint 2007 XML",
    # Legacy exports: used to build samples and test files with the real tool.
    "doc": "MS Word 97",
    "rtf": "Rich Text Format",
    "odt": "writer8",
    "xls": "MS Excel 97",
    "ods": "calc8",
    "ppt": "MS PowerPoint 97",
}
PDF_FILTERS = {"docx": "writer_pdf_Export", "xlsx": "calc_pdf_Export", "pptx": "impress_pdf_Export"}
DEFAULT_TIMEOUT = 120.0  # seconds per file; Limits.convert_timeout_seconds overrides
START_TIMEOUT = 60.0

INSTALL_HINT = (
    "本机未安装 LibreOffice，无法读取该格式的版式（红头、印章等版面检查需要它）。"
    "请安装后重试：Debian/Ubuntu 执行 `sudo apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui libreoffice-impress-nogui python3-uno`，"
    "或在项目目录运行 `sh scripts/ensure-libreoffice.sh`；也可先另存为 DOCX/XLSX/PPTX/PDF 再上传。"
)


class ConverterMissing(UnsupportedFormat):
    code = "converter_missing"


class ConversionFailed(CorruptFile):
    code = "conversion_failed"


def find_soffice() -> str | None:
    """`PUBGUARD_SOFFICE`, else soffice / libreoffice on PATH, else the Debian install path."""
    env = os.environ.get("PUBGUARD_SOFFICE")
    if env is not None:
        return env if env and os.access(env, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.access(path, os.X_OK):
            return path
    return None


_UNO_PYTHON: dict[str, str | None] = {}


def uno_python() -> str | None:
    """A Python interpreter that can `import uno` (Debian: /usr/bin/python3 + python3-uno)."""
    candidates = [
        os.environ.get("PUBGUARD_UNO_PYTHON") or "",
        "/usr/bin/python3",
        "/usr/lib/libreoffice/program/python",
    ]
    for cand in candidates:
        if not cand:
            continue
        if cand not in _UNO_PYTHON:
            ok = False
            if os.access(cand, os.X_OK):
                try:
                    ok = (
                        subprocess.run(
                            [cand, "-c", "import uno"], capture_output=True, timeout=30, check=False
                        ).returncode
                        == 0
                    )
                except (OSError, subprocess.SubprocessError):
                    ok = False
            _UNO_PYTHON[cand] = cand if ok else None
        if _UNO_PYTHON[cand]:
            return cand
    return None


def available() -> bool:
    return find_soffice() is not None


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["HOME"] = str(home)
    env["SAL_USE_VCLPLUGIN"] = "svp"  # headless, no X
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


class _Engine:
    """One LibreOffice per process; calls are serialised (a profile serves one soffice)."""

    kind = "cold"

    def __init__(self, soffice: str):
        self.soffice = soffice
        self.pid = os.getpid()
        self.root = Path(tempfile.mkdtemp(prefix="pubguard-lo-"))
        self.profile = self.root / "profile"
        self.lock = threading.Lock()

    def profile_url(self) -> str:
        return self.profile.as_uri()

    def run(self, src: Path, dst: Path, filter_name: str, timeout: float) -> None:
        raise NotImplementedError

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class ColdEngine(_Engine):
    kind = "cold"

    def run(self, src: Path, dst: Path, filter_name: str, timeout: float) -> None:
        outdir = src.parent / "out"
        outdir.mkdir(exist_ok=True)
        target = dst.suffix.lstrip(".")
        cmd = [
            self.soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={self.profile_url()}",
            "--convert-to",
            f"{target}:{filter_name}",
            "--outdir",
            str(outdir),
            str(src),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(self.root),
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise ScanTimeout(f"LibreOffice 转换超时（{timeout:.0f} 秒），文件可能过大或结构异常。") from exc
        produced = outdir / (src.stem + "." + target)
        if not produced.is_file():
            detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
            log.info("soffice failed on %s: %s", src.name, detail[-1:] if detail else proc.returncode)
            raise ConversionFailed("LibreOffice 无法打开该文件，文件可能已损坏、加密或格式不规范。")
        produced.replace(dst)


class WarmEngine(_Engine):
    kind = "warm"

    def __init__(self, soffice: str, python: str):
        super().__init__(soffice)
        self.python = python
        self.proc: subprocess.Popen | None = None
        self._buf = b""

    def _init_profile(self) -> None:
        """A new profile makes soffice restart itself once, which would cut the UNO bridge:
        create it first with a run that exits right after initialisation."""
        if self.profile.is_dir():
            return
        proc = subprocess.Popen(
            [
                self.soffice,
                "--headless",
                "--norestore",
                "--terminate_after_init",
                f"-env:UserInstallation={self.profile_url()}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(self.root),
            start_new_session=True,
        )
        try:
            proc.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(proc)

    def _start(self) -> None:
        self._init_profile()
        bridge = Path(__file__).with_name("uno_bridge.py")
        pipe = f"pubguard-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.proc = subprocess.Popen(
            [self.python, "-I", str(bridge), self.soffice, self.profile_url(), pipe],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(self.root),
            start_new_session=True,
        )
        self._buf = b""
        reply = self._read(START_TIMEOUT)
        if not reply.get("ready"):
            self._stop()
            raise ConversionFailed("LibreOffice 后台转换服务启动失败。")

    def _read(self, timeout: float) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _stop(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc)
            self.proc = None

    def run(self, src: Path, dst: Path, filter_name: str, timeout: float) -> None:
        for attempt in (1, 2):
            if self.proc is None or self.proc.poll() is not None:
                try:
                    self._start()
                except (TimeoutError, EOFError, OSError, ValueError) as exc:
                    self._stop()
                    raise ConversionFailed("LibreOffice 后台转换服务启动失败。") from exc
            assert self.proc is not None and self.proc.stdin is not None
            req = {"in": str(src), "out": str(dst), "filter": filter_name}
            try:
                self.proc.stdin.write((json.dumps(req) + "\n").encode())
                self.proc.stdin.flush()
                reply = self._read(timeout)
            except TimeoutError as exc:
                self._stop()  # a hung soffice is killed; the next file starts a fresh one
                raise ScanTimeout(
                    f"LibreOffice 转换超时（{timeout:.0f} 秒），文件可能过大或结构异常。"
                ) from exc
            except (EOFError, OSError, ValueError):
                self._stop()  # soffice crashed on this file (or died before): retry once
                if attempt == 2:
                    raise ConversionFailed(
                        "LibreOffice 处理该文件时异常退出，文件可能已损坏或格式不规范。"
                    ) from None
                continue
            if reply.get("ok") and dst.is_file():
                return
            log.info("soffice failed on %s: %s", src.name, reply.get("error"))
            raise ConversionFailed("LibreOffice 无法打开该文件，文件可能已损坏、加密或格式不规范。")

    def close(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._stop()
        super().close()


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> _Engine:
    """The process-wide converter (warm when possible); raises `ConverterMissing`."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is not None and _ENGINE.pid == os.getpid():
            return _ENGINE
        _ENGINE = None  # forked child: never share the parent's soffice
        soffice = find_soffice()
        if soffice is None:
            raise ConverterMissing(INSTALL_HINT)
        mode = os.environ.get("PUBGUARD_CONVERTER", "warm")
        python = uno_python() if mode != "cold" else None
        _ENGINE = WarmEngine(soffice, python) if python else ColdEngine(soffice)
        return _ENGINE


def shutdown() -> None:
    """Stop the warm converter (called at exit; tests and benches call it to measure cold)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is not None and _ENGINE.pid == os.getpid():
            _ENGINE.close()
        _ENGINE = None


atexit.register(shutdown)


def convert(
    data: bytes, suffix: str, target: str, *, timeout: float | None = None, pdf: bool = False
) -> bytes:
    """Convert `data` (a file whose type LibreOffice recognises by `suffix`, e.g. ".doc") to
    `target` ("docx" | "xlsx" | "pptx"), or to PDF through that target's family with pdf=True."""
    filter_name = PDF_FILTERS[target] if pdf else FILTERS[target]
    out_ext = "pdf" if pdf else target
    eng = engine()
    with eng.lock:
        work = Path(tempfile.mkdtemp(prefix="job-", dir=eng.root))
        try:
            src = work / f"input{suffix}"
            src.write_bytes(data)
            dst = work / f"output.{out_ext}"
            eng.run(src, dst, filter_name, timeout or DEFAULT_TIMEOUT)
            out = dst.read_bytes()
        except PubGuardError:
            raise
        except OSError as exc:
            raise ConversionFailed(f"LibreOffice 转换失败（{exc.strerror or exc}）。") from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if not out:
        raise ConversionFailed("LibreOffice 转换结果为空，文件可能已损坏。")
    return out
