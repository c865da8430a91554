"""Dask scale-out: a file that crashes native code on a worker is that file's error; the
worker survives (files run in its supervised child process) and the batch goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.scan import FAULT_INJECT_ENV
from pubguard.site.runner import iter_jobs

NOTICE = "关于做好防汛工作的通知\n各乡镇人民政府、县直各单位：请于6月1日前完成汛前检查。\n"


def test_native_crash_on_a_dask_worker_is_one_files_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster

    from pubguard.site.distributed import run_jobs_dask

    root = tmp_path / "site"
    root.mkdir()
    for name in ("a.txt", "b_boom.txt", "c.txt", "d.txt"):
        (root / name).write_text(NOTICE, encoding="utf-8")
    monkeypatch.setenv(FAULT_INJECT_ENV, "abort:boom")  # worker processes inherit it
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pid = client.run(lambda: __import__("os").getpid())
        results = run_jobs_dask(list(iter_jobs([root])), ScanConfig(ocr=False), client, batch_size=2)
        assert client.run(lambda: __import__("os").getpid()) == pid  # the worker never died
    status = {Path(r.path).name: (r.status, r.error_code) for r in results}
    assert status == {
        "a.txt": ("ok", None),
        "b_boom.txt": ("error", "native_crash"),  # its batch-mate a.txt still scanned
        "c.txt": ("ok", None),
        "d.txt": ("ok", None),
    }
