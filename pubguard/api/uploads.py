"""Checks on an uploaded file before it reaches the review library: not empty, within the size
limit, and a format PubGuard reads, judged by content (`sniff_format`), never by the name. The
file is then handed on as a stream (Starlette spools large uploads to disk), and the library
stores it content-addressed."""

from __future__ import annotations

from typing import BinaryIO

from fastapi import UploadFile

from pubguard.api.errors import ApiError
from pubguard.errors import PubGuardError, size_limit_label


def checked_upload(upload: UploadFile | None, max_bytes: int) -> tuple[str, BinaryIO, str]:
    """(filename, stream at position 0, sniffed format) or an ApiError with a Chinese message."""
    if upload is None or not hasattr(upload, "file"):
        raise ApiError(422, "invalid", "请选择要上传的文件。")
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    stream = upload.file
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise ApiError(422, "empty", "文件为空，没有可检查的内容。")
    if size > max_bytes:
        raise ApiError(
            413,
            "too_large",
            f"文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {size_limit_label(max_bytes)}。",
            {"size": size, "max_bytes": max_bytes},
        )
    from pubguard.extract.sniff import sniff_format

    data = stream.read()
    stream.seek(0)
    try:
        fmt = sniff_format(data, name)
    except PubGuardError as exc:
        raise ApiError(422, exc.code, f"文件无法接收：{exc.message}") from exc
    return name[:255], stream, fmt
