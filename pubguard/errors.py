"""Per-file errors with a clear Chinese message. One bad file never stops a batch: the scan
catches these and reports the file as `status: error`."""

from __future__ import annotations


class PubGuardError(Exception):
    """Base class; `message` is shown to users (Chinese), `code` is machine-readable."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UnsupportedFormat(PubGuardError):
    code = "unsupported_format"


class CorruptFile(PubGuardError):
    code = "corrupt"


class EncryptedFile(PubGuardError):
    code = "encrypted"


class EmptyFile(PubGuardError):
    code = "empty"


class TooLarge(PubGuardError):
    code = "too_large"


class DecompressionBomb(PubGuardError):
    code = "decompression_bomb"


class ScanTimeout(PubGuardError):
    code = "timeout"


def size_limit_label(max_bytes: int) -> str:
    """The real size limit, in words (for 413 messages): "200 MB", "1.5 MB", "512 KB"."""
    mib = 1024 * 1024
    if max_bytes >= mib:
        value = max_bytes / mib
        return f"{value:.0f} MB" if max_bytes % mib == 0 else f"{value:.1f} MB"
    return f"{max(1, round(max_bytes / 1024))} KB"
