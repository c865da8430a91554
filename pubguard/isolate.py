"""Native-crash isolation: files are scanned in a small supervised child process.

Rendering (PyMuPDF), OCR (onnxruntime), image decoding (Pillow, OpenCV) and the PDF/Office
parsers are native code; a segfault or abort there ends the process it runs in, and a
Python `except` cannot catch it. So every scan that is not already in a process pool (a
single-file `pubguard scan`, a serial batch, `make eval`, the web service's job workers and Dask
tasks) goes to an `IsolatedScanner`: one long-lived child process (`python -m
pubguard.isolate`) that scans file after file. When the child dies, the file it was scanning
becomes a per-file error (`error_code="native_crash"`, a Chinese message naming the signal),
the child is restarted for the next file, and the batch goes on. The child is reused across
files, so the cost is one interpreter start per scanner plus pickling each result (measured in
bench/isolate.py).

The child is started with `subprocess` rather than `multiprocessing`: it works from threads
(web workers, Dask task threads) and from daemonic processes (Dask's nanny workers), and never
forks a process that holds locks in other threads. One exception (`start="auto"`, the
default): a process with a single thread that has loaded none of the native libraries (the
`pubguard scan` CLI parent) forks the child instead, so the child does not start a second
interpreter and re-import what the parent already has (start-up CPU). The forked child closes
every inherited descriptor but its two pipes and ends with `os._exit`, so it behaves like the
spawned one: a crash in it is still that file's error.

Page progress: when the caller listens (`pubguard.progress.page_progress`), the request asks
the child to report pages; the child sends `("progress", done, total, stage)` messages on its reply
pipe before the result, and the parent hands each to the caller's callback. Progress does not
extend the per-file deadline, and a failing callback never turns into a crash result.

Fault injection for tests: with `PUBGUARD_FAULT_INJECT=abort:NAME` (or `segv:NAME`) in the
environment, `scan_bytes` kills its own process when the file's name contains NAME — the
same death a native crash causes (see `pubguard.scan.inject_fault`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any

from pubguard import progress
from pubguard.config import ScanConfig
from pubguard.scan import FileResult

log = logging.getLogger("pubguard.isolate")

_HEADER = struct.Struct("!Q")
# The parent's own deadline per file, beyond the child's SIGALRM time limit (which cannot fire
# while native code runs): after it the child is killed and the file reported as timed out.
HARD_TIMEOUT_GRACE = 30.0
# The child reports pages at most this often (first and last page always).
CHILD_PROGRESS_INTERVAL = 0.05


def crash_result(name: str, returncode: int | None) -> FileResult:
    if returncode is not None and returncode < 0:
        try:
            what = f"信号 {signal.Signals(-returncode).name}"
        except ValueError:
            what = f"信号 {-returncode}"
    elif returncode is None:
        what = "检查进程异常退出"
    else:
        what = f"退出码 {returncode}"
    return FileResult(
        path=name,
        status="error",
        error_code="native_crash",
        error=(
            f"解析或渲染该文件时底层组件崩溃（{what}），已跳过该文件，其他文件不受影响。"
            "文件可能损坏或含有不规范的内容：请用其他软件重新导出（如另存为新的 PDF）后再检查，或人工审核。"
        ),
    )


def _timeout_result(name: str, seconds: float) -> FileResult:
    return FileResult(
        path=name,
        status="error",
        error_code="timeout",
        error=f"检查超时（超过 {seconds:.0f} 秒仍未完成），已终止并跳过该文件。",
    )


def _write(fd: int, obj: Any) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """n bytes, or None on EOF (the other side died). Raises TimeoutError after `deadline`."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read(fd: int, deadline: float | None = None) -> Any:
    head = _read_exact(fd, _HEADER.size, deadline)
    if head is None:
        raise EOFError
    body = _read_exact(fd, _HEADER.unpack(head)[0], deadline)
    if body is None:
        raise EOFError
    return pickle.loads(body)


class IsolatedScanner:
    """Scan files one at a time in a supervised child process; restart it after a crash.

    Thread-safe (one request at a time); use one scanner per worker thread for parallelism.
    Callable like `pubguard.scan.scan_bytes` (the review service's `Scanner`)."""

    def __init__(self, config: ScanConfig | None = None, start: str = "auto"):
        self.config = config or ScanConfig()
        if start not in ("auto", "spawn", "fork"):
            raise ValueError(f"start must be auto, spawn or fork, not {start!r}")
        self.start = start  # "auto": fork when `can_fork()`, else spawn
        self._proc: subprocess.Popen[bytes] | _ForkedChild | None = None
        self._to_child = self._from_child = -1
        self._sent_config: ScanConfig | None = None
        self._lock = threading.Lock()
        self.started = 0  # child processes started (1 + crashes/timeouts)

    # -- public -------------------------------------------------------------------------
    def scan_job(self, job: Any, config: ScanConfig | None = None) -> FileResult:
        """`pubguard.site.runner.scan_job` in the child: read, scan, inline suppressions."""
        return self._call(("job", job, progress.current() is not None), job.display, config)

    def __call__(
        self, data: bytes, name: str, config: ScanConfig | None = None, identity: str | None = None
    ) -> FileResult:
        """`pubguard.scan.scan_bytes` in the child."""
        return self._call(("bytes", data, name, identity, progress.current() is not None), name, config)

    scan_bytes = __call__

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> IsolatedScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # best effort; close() is the real way
        with contextlib.suppress(Exception):
            self._stop()

    # -- internals ----------------------------------------------------------------------
    def _call(self, request: tuple, name: str, config: ScanConfig | None) -> FileResult:
        config = config or self.config
        limit = config.limits.timeout_seconds
        on_pages = progress.current()
        with self._lock:
            self._ensure()
            assert self._proc is not None
            try:
                if self._sent_config is not config:
                    _write(self._to_child, ("config", config))
                    self._sent_config = config
                _write(self._to_child, request)
                deadline = time.monotonic() + limit + HARD_TIMEOUT_GRACE if limit else None
                reply = _read(self._from_child, deadline)
                while type(reply) is tuple and reply[:1] == ("progress",):
                    if on_pages is not None:
                        _tell(on_pages, *reply[1:])
                    reply = _read(self._from_child, deadline)
            except TimeoutError:
                log.warning("scan of %s exceeded %.0f s: child killed", name, limit)
                self._stop(kill=True)
                return _timeout_result(name, limit)
            except (EOFError, BrokenPipeError, OSError):
                code = self._reap()
                log.warning("scan child died on %s (returncode %s)", name, code)
                self._stop()
                return crash_result(name, code)
            if isinstance(reply, BaseException):  # scan_bytes never raises; this is a bug
                raise reply
            return reply

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._stop()
        c_read, p_write = os.pipe()
        p_read, c_write = os.pipe()
        if self.start == "fork" or (self.start == "auto" and can_fork()):
            self._proc = _ForkedChild.start(c_read, c_write)
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "pubguard.isolate", str(c_read), str(c_write)],
                pass_fds=(c_read, c_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=dict(os.environ),
                close_fds=True,
            )
        os.close(c_read)
        os.close(c_write)
        self._to_child, self._from_child = p_write, p_read
        self._sent_config = None
        self.started += 1

    def _reap(self) -> int | None:
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self._proc.wait()

    def _stop(self, kill: bool = False) -> None:
        proc, self._proc = self._proc, None
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_child = self._from_child = -1
        self._sent_config = None
        if proc is None:
            return
        if kill and proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)  # the child exits on EOF of its request pipe
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# Native libraries whose threads or state a fork could copy half-way: a parent that loaded one
# spawns its child.
NATIVE_MODULES = ("numpy", "pymupdf", "fitz", "cv2", "onnxruntime", "PIL", "torch", "sqlalchemy")


def can_fork() -> bool:
    """Whether forking the scan child is safe here: POSIX fork on Linux, this process runs one
    thread, and it has loaded none of NATIVE_MODULES (the CLI parent)."""
    return (
        hasattr(os, "fork")
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not any(_loaded(m) for m in NATIVE_MODULES)
    )


def _loaded(name: str) -> bool:
    """Imported for real: a `pubguard.lazy` stand-in not yet touched does not count (type()
    does not trigger its import)."""
    module = sys.modules.get(name)
    return module is not None and type(module).__name__ != "_LazyModule"


class _ForkedChild:
    """The part of `subprocess.Popen` the scanner uses, for a child made by `os.fork`."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def start(cls, c_read: int, c_write: int) -> _ForkedChild:
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid:
            return cls(pid)
        code = 70
        try:  # the child: only its two pipes and the standard streams stay open
            low, high = sorted((c_read, c_write))
            os.closerange(3, low)
            os.closerange(low + 1, high)
            os.closerange(high + 1, 1 << 20)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.close(devnull)
            code = _child(c_read, c_write)
        except BaseException:  # noqa: BLE001 - never return into the parent's code
            with contextlib.suppress(Exception):
                import traceback

                traceback.print_exc()
        finally:
            os._exit(code)

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def _tell(callback: progress.PageCallback, done: int, total: int, stage: str) -> None:
    try:
        callback(done, total, stage)
    except Exception:  # the caller's bug (or its database), not the child's death
        log.exception("page progress callback failed")


_local = threading.local()


def thread_scanner(config: ScanConfig) -> IsolatedScanner:
    """One isolated scanner per thread, kept for the thread's life (Dask task threads, web
    job workers): consecutive files reuse the same child process."""
    scanner = getattr(_local, "scanner", None)
    if scanner is None:
        scanner = _local.scanner = IsolatedScanner(config)
    return scanner


def _child(read_fd: int, write_fd: int) -> int:
    """The child's loop: requests in, results out, until the parent closes the pipe."""
    # The parent handles interrupts; a Ctrl-C in the terminal must not leave half a reply.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import faulthandler

    faulthandler.enable()  # a native crash prints the Python stack to stderr
    from pubguard.scan import scan_bytes
    from pubguard.site.runner import scan_job

    config = ScanConfig()
    lock = threading.Lock()  # progress may be reported from another thread of the scan
    throttle = progress.Throttle(CHILD_PROGRESS_INTERVAL)

    def send_pages(done: int, total: int, stage: str) -> None:
        if throttle.due(done, total, stage):
            with lock:
                _write(write_fd, ("progress", done, total, stage))

    while True:
        try:
            request = _read(read_fd)
        except EOFError:
            return 0
        kind = request[0]
        if kind == "config":
            config = request[1]
            continue
        try:
            throttle.last = None
            with progress.page_progress(send_pages if request[-1] else None):
                if kind == "job":
                    reply: Any = scan_job(request[1], config)
                else:
                    _, data, name, identity, _want = request
                    reply = scan_bytes(data, name, config, identity=identity)
        except BaseException as exc:  # noqa: BLE001 - shipped to the parent, which re-raises
            reply = exc
        with lock:
            _write(write_fd, reply)


if __name__ == "__main__":
    raise SystemExit(_child(int(sys.argv[1]), int(sys.argv[2])))
