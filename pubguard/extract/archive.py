"""Archives (.zip, .rar, .7z, .tar, .tar.gz/.tgz, .gz, .bz2, .xz) and files embedded in Office
packages, listed as members that `pubguard.scan` scans one by one.

Limits (config `[limits]`, shared by every level of one scan): nesting depth
(`max_archive_depth`), member count (`max_archive_members`), bytes per member
(`max_member_bytes`), bytes in total (`max_zip_uncompressed`) and expansion ratio
(`max_zip_ratio`). Declared sizes are checked before anything is unpacked and actual sizes while
unpacking (a member that lies about its size is cut off and refused as a bomb). Encrypted
members are reported as encrypted, never guessed.

Engines: zipfile / tarfile / gzip / bz2 / lzma from the standard library, py7zr for 7z, rarfile
for RAR (headers parsed in Python; data through Debian's `bsdtar` from libarchive-tools, which
reads RAR4 and RAR5 and needs no non-free `unrar`).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import posixpath
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from pubguard.config import Limits, ScanConfig
from pubguard.document import Document, Page, TextBlock
from pubguard.errors import CorruptFile, DecompressionBomb, EncryptedFile, PubGuardError, UnsupportedFormat

ARCHIVE_FORMATS = frozenset({"zip", "rar", "7z", "tar", "gzip", "bzip2", "xz"})
LABELS = {
    "zip": "ZIP 压缩包",
    "rar": "RAR 压缩包",
    "7z": "7z 压缩包",
    "tar": "tar 归档",
    "gzip": "gzip 压缩文件",
    "bzip2": "bzip2 压缩文件",
    "xz": "xz 压缩文件",
}
_RATIO_FLOOR = 10_000_000  # below this many bytes a high ratio is no threat (text compresses 100:1)


@dataclass
class Member:
    name: str  # path inside the container, "/"-separated
    size: int  # declared uncompressed size (-1 unknown)
    packed: int  # compressed size (-1 unknown)
    loader: Callable[[], bytes] | None = field(default=None, repr=False)
    encrypted: bool = False
    error: PubGuardError | None = None  # refused before reading (bomb, too large ...)


@dataclass
class Budget:
    """What is left for one top-level scan, across all nesting levels."""

    limits: Limits
    members: int = 0
    bytes: int = 0

    def take(self, size: int) -> PubGuardError | None:
        self.members += 1
        if self.members > self.limits.max_archive_members:
            return DecompressionBomb(
                f"压缩包内文件过多（超过 {self.limits.max_archive_members} 个），其余成员未检查，疑似压缩炸弹。"
            )
        if size > self.limits.max_member_bytes:
            return DecompressionBomb(
                f"压缩包成员解压后过大（{size // (1024 * 1024)} MB，上限 {self.limits.max_member_bytes // (1024 * 1024)} MB），已拒绝处理。"
            )
        if size > 0:
            self.bytes += size
        if self.bytes > self.limits.max_zip_uncompressed:
            return DecompressionBomb(
                f"压缩包解压后总体积超过上限（{self.limits.max_zip_uncompressed // (1024 * 1024)} MB），疑似压缩炸弹，其余成员未检查。"
            )
        return None


def _bomb_by_ratio(size: int, packed: int, limits: Limits) -> PubGuardError | None:
    if size > _RATIO_FLOOR and packed > 0 and size / packed > limits.max_zip_ratio:
        return DecompressionBomb(
            f"压缩包成员解压后体积异常（{size // (1024 * 1024)} MB，压缩比 {size / packed:.0f}:1），疑似压缩炸弹，已拒绝处理。"
        )
    return None


def _bounded(read: Callable[[int], bytes], limit: int) -> bytes:
    """Read at most `limit` bytes; more means the declared size lied: a bomb."""
    data = read(limit + 1)
    if len(data) > limit:
        raise DecompressionBomb("压缩包成员的实际大小超过声明或上限，疑似压缩炸弹，已拒绝处理。")
    return data


def zip_name(info: zipfile.ZipInfo) -> str:
    """Member name: zips from Chinese Windows store GBK names without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name


def _zip(data: bytes, limits: Limits) -> list[Member]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile("压缩包已损坏，无法读取目录。") from exc
    out = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        limit = min(info.file_size, limits.max_member_bytes)

        def load(info: zipfile.ZipInfo = info, limit: int = limit) -> bytes:
            try:
                with zf.open(info) as fh:
                    return _bounded(fh.read, limit)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise CorruptFile("压缩包成员已损坏（校验失败），无法解压。") from exc
            except NotImplementedError as exc:
                raise UnsupportedFormat("压缩包成员使用了不支持的压缩方法，无法解压。") from exc

        out.append(
            Member(
                zip_name(info),
                info.file_size,
                info.compress_size,
                load,
                encrypted=bool(info.flag_bits & 0x1),
                error=_bomb_by_ratio(info.file_size, info.compress_size, limits),
            )
        )
    return out


def _tar(data: bytes, limits: Limits) -> list[Member]:
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - members load lazily
        infos = tf.getmembers()
    except (tarfile.TarError, EOFError, OSError, lzma.LZMAError, zlib_error()) as exc:
        raise CorruptFile("tar 归档已损坏，无法读取。") from exc
    out = []
    for info in infos:
        if not info.isfile():
            continue
        limit = min(info.size, limits.max_member_bytes)

        def load(info: tarfile.TarInfo = info, limit: int = limit) -> bytes:
            fh = tf.extractfile(info)
            if fh is None:
                return b""
            return _bounded(fh.read, limit)

        out.append(Member(info.name, info.size, -1, load))
    return out


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _single(data: bytes, fmt: str, outer_name: str, limits: Limits) -> list[Member]:
    """.gz / .bz2 / .xz: a tar inside, or one compressed file."""
    opener = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}[fmt]
    limit = limits.max_member_bytes
    try:
        with opener(fileobj=io.BytesIO(data)) as fh:  # type: ignore[operator]
            head = fh.read(1024)
    except (OSError, EOFError, lzma.LZMAError, zlib_error()) as exc:
        raise CorruptFile(f"{LABELS[fmt]}已损坏，无法解压。") from exc
    if len(head) >= 262 and head[257:262] == b"ustar":
        return _tar(data, limits)
    base = posixpath.basename(outer_name.replace("\\", "/")) or "file"
    for ext in (".gz", ".tgz", ".bz2", ".xz", ".GZ"):
        if base.endswith(ext):
            base = base[: -len(ext)] or "file"
            break

    def load() -> bytes:
        try:
            with opener(fileobj=io.BytesIO(data)) as fh:  # type: ignore[operator]
                return _bounded(fh.read, limit)
        except (OSError, EOFError, lzma.LZMAError, zlib_error()) as exc:
            raise CorruptFile(f"{LABELS[fmt]}已损坏，无法解压。") from exc

    return [Member(base, -1, len(data), load)]


def _7z(data: bytes, limits: Limits) -> list[Member]:
    import py7zr

    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data))
    except py7zr.PasswordRequired as exc:
        raise EncryptedFile("7z 压缩包已加密（文件名也已加密），无法检查。请解密后再上传。") from exc
    except (py7zr.Bad7zFile, OSError, EOFError, ValueError, KeyError) as exc:
        raise CorruptFile("7z 压缩包已损坏，无法读取。") from exc
    encrypted = archive.needs_password()
    out = []
    for info in archive.list():
        if info.is_directory:
            continue
        size = int(info.uncompressed or 0)
        limit = min(size, limits.max_member_bytes)

        def load(name: str = info.filename, limit: int = limit) -> bytes:
            from py7zr.io import BytesIOFactory

            factory = BytesIOFactory(limit + 1)
            try:
                with py7zr.SevenZipFile(io.BytesIO(data)) as z:
                    z.extract(targets=[name], factory=factory)
            except py7zr.PasswordRequired as exc:
                raise EncryptedFile("该成员已加密（设置了密码），未检查。") from exc
            except (py7zr.Bad7zFile, OSError, EOFError, ValueError, KeyError) as exc:
                raise CorruptFile("7z 压缩包成员已损坏，无法解压。") from exc
            product = factory.products.get(name)
            if product is None:
                return b""
            product.seek(0)
            return _bounded(product.read, limit)

        packed = int(info.compressed or 0) or -1
        out.append(
            Member(
                info.filename,
                size,
                packed,
                load,
                encrypted=encrypted,
                error=_bomb_by_ratio(size, packed, limits),
            )
        )
    archive.close()
    return out


def _bsdtar_member(data: bytes, member: str, limit: int, timeout: float = 120.0) -> bytes:
    """One RAR member through Debian's bsdtar (libarchive: RAR4 incl. solid, RAR5 non-solid)."""
    import shutil
    import subprocess
    import tempfile

    tool = shutil.which("bsdtar")
    if tool is None:
        raise UnsupportedFormat(
            "解压 RAR 需要 bsdtar（Debian/Ubuntu：sudo apt-get install libarchive-tools），本机未安装。"
        )
    with tempfile.NamedTemporaryFile(suffix=".rar") as tmp:
        tmp.write(data)
        tmp.flush()
        proc = subprocess.Popen(
            [tool, "-x", "-O", "-f", tmp.name, "--", member],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        try:
            assert proc.stdout is not None
            out = proc.stdout.read(limit + 1)
            if len(out) > limit:
                proc.kill()
                raise DecompressionBomb("压缩包成员的实际大小超过声明或上限，疑似压缩炸弹，已拒绝处理。")
            err = proc.communicate(timeout=timeout)[1]
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            raise CorruptFile("RAR 成员解压超时。") from exc
    if proc.returncode != 0:
        detail = err.decode("utf-8", "replace")
        if "solid" in detail.lower():
            raise UnsupportedFormat(
                "该 RAR 固实压缩包的成员需要 unrar 才能解压（bsdtar 不支持单独取出），未检查。"
            )
        raise CorruptFile("RAR 压缩包成员已损坏，无法解压。")
    return out


def _rar(data: bytes, limits: Limits) -> list[Member]:
    import rarfile

    try:
        rf = rarfile.RarFile(io.BytesIO(data))
        infos = rf.infolist()
    except rarfile.NeedFirstVolume as exc:
        raise UnsupportedFormat("这是分卷 RAR 压缩包的后续分卷，请上传第一个分卷或合并后的文件。") from exc
    except rarfile.PasswordRequired as exc:
        raise EncryptedFile("RAR 压缩包已加密（文件名也已加密），无法检查。请解密后再上传。") from exc
    except (rarfile.Error, OSError, EOFError) as exc:
        raise CorruptFile("RAR 压缩包已损坏，无法读取。") from exc
    out = []
    for info in infos:
        if info.is_dir():
            continue
        limit = min(info.file_size, limits.max_member_bytes)

        def load(info: rarfile.RarInfo = info, limit: int = limit) -> bytes:
            if info.compress_type == rarfile.RAR_M0 and not info.needs_password():
                with contextlib.suppress(rarfile.Error, OSError, EOFError), rf.open(info) as fh:
                    return _bounded(fh.read, limit)  # stored: read in Python
            return _bsdtar_member(data, info.filename, limit)

        out.append(
            Member(
                info.filename,
                info.file_size,
                info.compress_size,
                load,
                encrypted=info.needs_password(),
                error=_bomb_by_ratio(info.file_size, info.compress_size, limits),
            )
        )
    return out


def list_members(data: bytes, fmt: str, outer_name: str, limits: Limits) -> list[Member]:
    """The files inside an archive of sniffed format `fmt` (directories left out)."""
    if fmt == "zip":
        return _zip(data, limits)
    if fmt == "tar":
        return _tar(data, limits)
    if fmt in ("gzip", "bzip2", "xz"):
        return _single(data, fmt, outer_name, limits)
    if fmt == "7z":
        return _7z(data, limits)
    if fmt == "rar":
        return _rar(data, limits)
    raise UnsupportedFormat(f"暂不支持 {fmt} 压缩格式。")


# -- files embedded in Office packages ---------------------------------------------------------

_EMBEDDING_DIRS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")


def ole_native_payload(data: bytes) -> tuple[str | None, bytes] | None:
    """An OLE object wrapping a file ("Package" / \\x01Ole10Native): (file name, bytes)."""
    import struct

    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("\x01Ole10Native"):
                return None
            raw = ole.openstream("\x01Ole10Native").read()
    except Exception:  # not an OLE container we can read: scanned as it is
        return None
    try:
        pos = 4 + 2  # total size, flags
        label_end = raw.index(b"\x00", pos)
        label = raw[pos:label_end].decode("gb18030", "replace")
        pos = raw.index(b"\x00", label_end + 1) + 1  # source path
        pos += 4  # reserved
        (tmp_len,) = struct.unpack_from("<I", raw, pos)
        pos += 4 + tmp_len
        (size,) = struct.unpack_from("<I", raw, pos)
        pos += 4
        return label or None, raw[pos : pos + size]
    except (ValueError, struct.error):
        return None


def office_embeddings(data: bytes) -> list[Member]:
    """Files embedded in a DOCX/XLSX/PPTX (OLE objects and embedded packages)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return []
    out = []
    for info in zf.infolist():
        if info.is_dir() or not info.filename.startswith(_EMBEDDING_DIRS):
            continue
        base = posixpath.basename(info.filename)

        def load(info: zipfile.ZipInfo = info) -> bytes:
            with zf.open(info) as fh:
                raw = fh.read(info.file_size + 1)
            payload = ole_native_payload(raw) if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else None
            return payload[1] if payload else raw

        out.append(Member(base, info.file_size, info.compress_size, load))
    return out


def extract_listing(data: bytes, name: str, config: ScanConfig) -> Document:
    """An archive as a `Document` for views that show one file (the review UI): one page
    listing the members. Scanning goes member by member through `pubguard.scan` instead."""
    from pubguard.extract.sniff import sniff_format

    fmt = sniff_format(data, name)
    doc = Document(name=name, format=fmt)
    doc.pages.append(Page(number=1, width=0, height=0, unit="px"))
    members = list_members(data, fmt, name, config.limits)
    doc.blocks.append(
        TextBlock(text=f"{LABELS.get(fmt, fmt)}，共 {len(members)} 个文件：", page=1, paragraph=0)
    )
    for m in members[: config.limits.max_archive_members]:
        note = "（已加密）" if m.encrypted else ""
        doc.blocks.append(
            TextBlock(text=f"{m.name}{note}", page=1, paragraph=len(doc.blocks), source="archive:member")
        )
        doc.embedded_files.append(m.name)
    return doc.finalize()
