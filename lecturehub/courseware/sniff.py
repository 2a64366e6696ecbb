"""Content sniffing and bounded, safe access to an uploaded presentation package.

Pure module (no Flask, no database). Everything here works from the file's *content*, never its
name: a macro-enabled deck saved as ``.pptx`` is reported as ``pptm``; a PDF renamed ``.pptx`` is
``not_presentation``.

Safety rules (the reason this module exists):

* every zip member's declared size is checked against :class:`PackageLimits` before anything is
  read, and reads go through a counter that stops at the declared size or the limit;
* XML is parsed with entity resolution, DTD loading and network access off, and any part with a
  DOCTYPE is refused (``unsafe_xml``);
* nothing is ever extracted to a path derived from a member name; a media member that must be
  inflated goes to an anonymous :func:`tempfile.TemporaryFile`;
* an OLE2 compound file (legacy .ppt, encrypted package) is read with olefile through a read
  budget, so a hostile directory of millions of entries is refused, not parsed.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

import olefile
from lxml import etree

MiB = 1024 * 1024
CHUNK = 256 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_CT = "application/vnd.openxmlformats-officedocument.presentationml."
_MS = "application/vnd.ms-powerpoint."
KINDS = {
    _CT + "presentation.main+xml": "pptx",
    _MS + "presentation.macroenabled.main+xml": "pptm",
    _CT + "slideshow.main+xml": "ppsx",
    _MS + "slideshow.macroenabled.main+xml": "ppsm",
}
_TEMPLATES = {_CT + "template.main+xml", _MS + "template.macroenabled.main+xml"}
_THEMES = {
    "application/vnd.openxmlformats-officedocument.thememanager+xml",
    "application/vnd.ms-office.thememanager+xml",
}
_RESAVE = "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。"
MESSAGES = {
    "empty_file": "文件是空的（0 字节），请重新导出课件后上传。",
    "too_large": "文件过大或内部条目过多，超出系统上限。请压缩图片和视频后再上传。",
    "legacy_ppt": "这是旧版 PowerPoint 97-2003 格式（.ppt），系统无法读取。" + _RESAVE,
    "encrypted": "课件设置了打开密码（已加密），系统无法读取。请取消密码后另存为 .pptx 再上传。",
    "template": "这是 PowerPoint 模板（.potx），不是课件。请用模板做好演示文稿，另存为 .pptx 后上传。",
    "theme": "这是 Office 主题文件（.thmx），不是课件。请上传 .pptx 格式的演示文稿。",
    "corrupt_zip": "文件已损坏或不完整（可能没有传完），无法打开。" + _RESAVE,
    "corrupt_xml": "课件内部内容已损坏，无法解析。" + _RESAVE,
    "zip_bomb": "文件内部数据异常（解压后体积过大），为安全起见已拒绝。" + _RESAVE,
    "unsafe_xml": "文件含有不安全的 XML 声明（DTD/实体），为安全起见已拒绝。" + _RESAVE,
    "no_slides": "课件中没有幻灯片，请检查后重新上传。",
    "unreadable": "无法读取该课件，文件可能已损坏。" + _RESAVE,
}
NOT_PPT = "这不是 PowerPoint 演示文稿（{}），请上传 .pptx 格式的课件。"
_CONTAINERS = {
    "wordprocessingml": "Word 文档",
    "spreadsheetml": "Excel 表格",
    "opendocument": "OpenDocument 文件，可在 WPS 中另存为 .pptx",
}


class AnalysisError(Exception):
    """A refusal: ``code`` is a machine code, ``message`` one line of Chinese for the user."""

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class PackageLimits:
    """Size limits checked before (and while) anything is read from the zip."""

    max_file_bytes: int = 512 * MiB
    max_members: int = 10_000
    max_total_bytes: int = 4096 * MiB  # declared uncompressed size of all members
    max_xml_part_bytes: int = 50 * MiB
    max_total_xml_bytes: int = 200 * MiB
    max_xml_ratio: int = 200  # uncompressed / compressed, for XML parts over ratio_min_bytes
    ratio_min_bytes: int = 1 * MiB
    max_media_copy_bytes: int = 256 * MiB  # deflated media inflated to a temp file for mutagen
    max_slides: int = 2000


@dataclass(frozen=True)
class Rel:
    """One relationship; ``target`` is the resolved part name, or None if it leaves the package."""

    rid: str
    type: str  # the last segment of the type URI: "slide", "notesSlide", "video", ...
    target: str | None
    raw_target: str
    external: bool


def sniff(path: str | Path, limits: PackageLimits | None = None) -> str:
    """Return 'pptx', 'pptm', 'ppsx' or 'ppsm' from the file's content, or raise AnalysisError."""
    with open_package(path, limits) as pkg:
        return pkg.kind


def open_package(path: str | Path, limits: PackageLimits | None = None) -> Package:
    """Open a presentation package after the cheap checks; the caller closes it (or uses ``with``)."""
    limits = limits or PackageLimits()
    path = Path(path)
    head = check_file(path, limits)
    if head.startswith(OLE_MAGIC):
        raise _classify_ole(path)
    if not head.startswith(b"PK"):
        raise AnalysisError("not_presentation", NOT_PPT.format(describe(head)))
    with zip_errors():
        zf = zipfile.ZipFile(path)
    try:
        check_members(zf.infolist(), limits)
        pkg = Package(path, zf, limits)
        pkg.kind, pkg.main = main_part(pkg)
    except BaseException:
        zf.close()
        raise
    return pkg


def check_file(path: Path, limits: PackageLimits) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise AnalysisError("empty_file")
    if size > limits.max_file_bytes:
        raise AnalysisError("too_large")
    with path.open("rb") as fh:
        return fh.read(8)


def describe(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    return "无法识别的文件类型"


@contextlib.contextmanager
def zip_errors() -> Iterator[None]:
    """Turn the zoo of errors a broken zip raises into one ``corrupt_zip`` refusal."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise AnalysisError("corrupt_zip") from exc  # RuntimeError: an encrypted member
    except (OSError, ValueError, struct.error) as exc:  # e.g. a bad header offset
        raise AnalysisError("corrupt_zip") from exc


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def check_members(infos: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    if len(infos) > limits.max_members:
        raise AnalysisError("too_large")
    xml = [i for i in infos if _is_xml(i.filename)]
    if sum(i.file_size for i in infos) > limits.max_total_bytes:
        raise AnalysisError("zip_bomb")
    if sum(i.file_size for i in xml) > limits.max_total_xml_bytes:
        raise AnalysisError("zip_bomb")
    for info in xml:
        big = info.file_size > limits.ratio_min_bytes
        if big and info.file_size > limits.max_xml_ratio * max(info.compress_size, 1):
            raise AnalysisError("zip_bomb")
        if info.file_size > limits.max_xml_part_bytes:
            raise AnalysisError("zip_bomb")


DTD_TOKENS = tuple(
    t.encode(c) for t in ("<!DOCTYPE", "<!ENTITY") for c in ("utf-8", "utf-16-le", "utf-16-be")
)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


class Package:
    """Bounded, read-only access to the parts of an OOXML zip (part names without leading '/')."""

    kind: str = ""
    main: str = ""

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: PackageLimits):
        self.path, self.zf, self.limits = path, zf, limits
        self._infos = {i.filename.lower(): i for i in zf.infolist() if not i.is_dir()}
        self._xml_read = 0
        self._parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def info(self, part: str | None) -> zipfile.ZipInfo | None:
        return self._infos.get(part.lower()) if part else None

    def has_member_ending(self, suffix: str) -> bool:
        return any(name.endswith(suffix) for name in self._infos)

    def members(self) -> list[zipfile.ZipInfo]:
        """Every file member (no directories), in the zip's order."""
        return list(self._infos.values())

    def read(self, part: str | None) -> bytes | None:
        """Inflate one XML part, counting bytes against its declared size and the limits.
        zipfile itself stops at the declared size and then fails the CRC; a member that
        really inflates past what it declares (a lying header) is told apart as ``zip_bomb``."""
        info = self.info(part)
        if info is None:
            return None
        try:
            data = self._inflate(info, min(info.file_size, self.limits.max_xml_part_bytes))
        except AnalysisError as exc:
            if exc.code == "corrupt_zip" and self._inflates_past(info):
                raise AnalysisError("zip_bomb") from exc
            raise
        self._xml_read += len(data)
        return data

    def _inflate(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        chunks, total = [], 0
        with zip_errors(), self.zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                total += len(chunk)
                if total > cap or self._xml_read + total > self.limits.max_total_xml_bytes:
                    raise AnalysisError("zip_bomb")
                chunks.append(chunk)
        return b"".join(chunks)

    def _inflates_past(self, info: zipfile.ZipInfo) -> bool:
        """Re-inflate the raw deflate stream, never more than declared + 1 byte."""
        if info.compress_type != zipfile.ZIP_DEFLATED:
            return False
        inflater, total = zlib.decompressobj(-zlib.MAX_WBITS), 0
        with contextlib.suppress(OSError, LookupError, zlib.error), self.path.open("rb") as fh:
            fh.seek(_data_offset(fh, info))
            for _ in range(-(-info.compress_size // CHUNK)):
                total += len(inflater.decompress(fh.read(CHUNK), info.file_size + 1 - total))
                if total > info.file_size:
                    return True
        return False

    def xml(self, part: str | None) -> etree._Element | None:
        data = self.read(part)
        if data is None:
            return None
        if any(token in data for token in DTD_TOKENS):  # a byte scan: cheap, before parsing
            raise AnalysisError("unsafe_xml")
        try:
            root = etree.fromstring(data, self._parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise AnalysisError("corrupt_xml") from exc
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:  # belt and braces
            raise AnalysisError("unsafe_xml")
        return root

    def rels(self, part: str) -> list[Rel]:
        """Relationships of ``part`` ('' for the package); a missing .rels part means none."""
        folder, name = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", name + ".rels"))
        if root is None:
            return []
        return [_rel(folder, el) for el in root if _local(el) == "Relationship"]

    def content_type(self, part: str) -> str:
        """The content type of ``part`` from [Content_Types].xml: Override, else Default."""
        root = self.xml("[Content_Types].xml")
        types: dict[str, dict[str, str]] = {"Override": {}, "Default": {}}
        for el in root if root is not None else ():
            key = el.get("PartName", "").lstrip("/") or el.get("Extension", "")
            types.get(_local(el), {})[key.lower()] = el.get("ContentType", "")
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        return types["Override"].get(part.lower()) or types["Default"].get(ext, "")

    @contextlib.contextmanager
    def open_member(self, part: str) -> Iterator[BinaryIO]:
        """A seekable view of a (media) member without loading it: a window onto the file for a
        stored member, else a bounded copy into an anonymous temp file. Raises ``LookupError``
        if the member is missing or too big to copy."""
        info = self.info(part)
        if info is None:
            raise LookupError(part)
        name = posixpath.basename(info.filename)
        with self.path.open("rb") as fh:
            if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1:
                yield _Window(fh, _data_offset(fh, info), info.file_size, name)
                return
        if info.file_size > self.limits.max_media_copy_bytes:
            raise LookupError(part)
        with tempfile.TemporaryFile() as tmp:
            self._copy(info, tmp)
            yield _Window(tmp, 0, tmp.tell(), name)

    def _copy(self, info: zipfile.ZipInfo, out: BinaryIO) -> None:
        total = 0
        with zip_errors(), self.zf.open(info) as src:
            while chunk := src.read(CHUNK):
                total += len(chunk)
                if total > info.file_size:
                    raise AnalysisError("zip_bomb")
                out.write(chunk)


def _rel(folder: str, el: etree._Element) -> Rel:
    raw = el.get("Target", "")
    external = el.get("TargetMode", "") == "External"
    target = None if external else resolve_target(folder, raw)
    kind = el.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
    return Rel(el.get("Id", ""), kind, target, raw, external)


def resolve_target(folder: str, target: str) -> str | None:
    """``slides/slide1.xml`` relative to ``ppt`` → ``ppt/slides/slide1.xml``; ``/ppt/x`` is
    absolute. Targets escaping the package root (``../../x``) give None: never looked up."""
    target = unquote(target.split("#", 1)[0]).replace("\\", "/")
    if not target:
        return None
    path = posixpath.normpath(
        target[1:] if target.startswith("/") else posixpath.join(folder, target)
    )
    return None if path in {".", ".."} or path.startswith(("../", "/")) else path


def _data_offset(fh: BinaryIO, info: zipfile.ZipInfo) -> int:
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise LookupError(info.filename)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


class _Window(io.RawIOBase):
    """Read-only, seekable view of ``size`` bytes at ``start`` in ``fh`` (for mutagen)."""

    def __init__(self, fh: BinaryIO, start: int, size: int, name: str):
        super().__init__()
        self._fh, self._start, self._size, self.name, self._pos = fh, start, size, name, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:
        want = max(0, min(len(buffer), self._size - self._pos))
        self._fh.seek(self._start + self._pos)
        data = self._fh.read(want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def main_part(pkg: Package) -> tuple[str, str]:
    """(kind, main part name) from the officeDocument relationship and [Content_Types].xml."""
    if pkg.info("[Content_Types].xml") is None:
        raise AnalysisError("not_presentation", NOT_PPT.format(container_label(pkg)))
    main = next((r.target for r in pkg.rels("") if r.type == "officeDocument"), None)
    ctype = pkg.content_type(main).split(";")[0].strip().lower() if main else ""
    if ctype in KINDS:
        return KINDS[ctype], main or ""
    if ctype in _TEMPLATES:
        raise AnalysisError("template")
    if ctype in _THEMES:
        raise AnalysisError("theme")
    raise AnalysisError("not_presentation", NOT_PPT.format(container_label(pkg, ctype)))


def container_label(pkg: Package, ctype: str = "") -> str:
    mimetype = pkg.info("mimetype")
    if mimetype is not None and mimetype.file_size < 200:
        with zip_errors():
            ctype = pkg.zf.read(mimetype).decode("ascii", "replace")
    found = next((label for key, label in _CONTAINERS.items() if key in ctype), None)
    return found or ("其他 Office 文件" if ctype else "普通压缩包")


# --- OLE2 / Compound File Binary: legacy .ppt and password-protected OOXML -------------------

_CLEAR_TOKEN = 0xE391C05F  # CurrentUserAtom.headerToken of an unencrypted .ppt ([MS-PPT] 2.3.2)
OLE_READ_BUDGET = 2 * MiB  # header, directory, mini FAT and mini stream of a real file: a few KiB


_USER_EDIT_ATOM = 0x0FF5  # the record the Current User atom points at ([MS-PPT] 2.3.3)
PPT_STREAM = "PowerPoint Document"


def _classify_ole(path: Path) -> AnalysisError:
    """The analysis's refusal for an OLE2 file: encrypted, not a presentation, else legacy_ppt
    (the analysis reads only .pptx; the upload converts a clean .ppt, see ``inspect_ole``)."""
    try:
        inspect_ole(path)
    except AnalysisError as exc:
        if exc.code in {"encrypted", "not_presentation"}:
            return exc
    return AnalysisError("legacy_ppt")


def inspect_ole(path: Path, strict: bool = True) -> None:
    """Return quietly for an unencrypted PowerPoint 97-2003 binary that PowerPoint (and
    LibreOffice) could start to read: a ``PowerPoint Document`` stream and (``strict``) a
    ``Current User`` atom pointing at a UserEditAtom in it. Otherwise raise ``encrypted``,
    ``not_presentation`` or ``unreadable`` (damaged, or hostile: olefile reads within
    :class:`ReadBudget`)."""
    try:
        with path.open("rb") as fh, olefile.OleFileIO(ReadBudget(fh, path)) as ole:
            if ole.exists("EncryptedPackage"):
                raise AnalysisError("encrypted")
            if not ole.exists(PPT_STREAM):
                raise AnalysisError("not_presentation", NOT_PPT.format("其他 Office 旧版文件"))
            user = ole.openstream("Current User").read(24) if ole.exists("Current User") else b""
            if len(user) >= 16 and struct.unpack_from("<I", user, 12)[0] != _CLEAR_TOKEN:
                raise AnalysisError("encrypted")
            if strict and (
                len(user) < 20 or not _user_edit_at(ole, fh, struct.unpack_from("<I", user, 16)[0])
            ):
                raise AnalysisError("unreadable")
    except AnalysisError:
        raise
    except Exception as exc:  # a damaged or hostile file: olefile raises many types
        raise AnalysisError("unreadable") from exc


def _user_edit_at(ole: olefile.OleFileIO, fh: BinaryIO, offset: int) -> bool:
    """Is there a UserEditAtom record header at ``offset`` of the PowerPoint Document stream?
    A small stream is read whole; a large one is not: its FAT chain is followed to the one
    sector that holds the offset (olefile would read the whole stream into memory)."""
    entry = next(e for e in ole.direntries if e is not None and e.name == PPT_STREAM)
    if offset + 8 > entry.size:
        return False
    if entry.size < ole.minisectorcutoff:
        header = ole.openstream(PPT_STREAM).read()[offset : offset + 8]
    else:
        header = _read_chain(ole, fh, entry.isectStart, offset, 8)
    return len(header) == 8 and struct.unpack_from("<H", header, 2)[0] == _USER_EDIT_ATOM


def _read_chain(ole: olefile.OleFileIO, fh: BinaryIO, sector: int, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset`` of the stream starting at ``sector`` (regular sectors)."""
    out, step = b"", ole.sectorsize
    for _ in range(offset // step):  # bounded by the stream's length (checked by the caller)
        sector = ole.fat[sector]
    offset %= step
    while len(out) < size and 0 <= sector < len(ole.fat):
        fh.seek(step * (sector + 1) + offset)
        out += fh.read(min(step - offset, size - len(out)))
        sector, offset = ole.fat[sector], 0
    return out


class ReadBudget(_Window):
    """The whole file, for olefile, refusing to read more than its FAT plus
    :data:`OLE_READ_BUDGET`: olefile reads the whole directory and builds an object per entry,
    so a hostile directory of millions of entries is cut off instead of parsed."""

    def __init__(self, fh: BinaryIO, path: Path):
        size = path.stat().st_size
        super().__init__(fh, 0, size, path.name)
        self._left = size // 100 + OLE_READ_BUDGET  # the FAT is 1/128 of the file

    def read(self, size: int | None = -1) -> bytes:
        self._left -= self._size - self._pos if size is None or size < 0 else size
        if self._left < 0:  # checked before reading: nothing is allocated for a refused read
            raise OSError("OLE read budget exceeded")
        return super().read(size)
