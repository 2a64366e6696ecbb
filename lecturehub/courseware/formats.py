"""What speakers bring: the presentation formats accepted at upload, told apart by content.

Pure module (no Flask, no database), like :mod:`lecturehub.courseware.sniff`, whose limits it
applies. Office Open XML decks (.pptx, .pptm, .ppsx, .ppsm) are analysed as they are. PowerPoint
97-2003 decks (.ppt, .pps), WPS Office's .dps (the same binary format) and OpenDocument decks
(.odp) are converted to .pptx by LibreOffice (:mod:`lecturehub.courseware.office`) in the
background. LibreOffice reads every part of a file, so before it ever sees one this module
checks the whole file, not only the parts the analysis reads:

* a zip (OOXML or ODF) passes the zip limits of ``PackageLimits`` (member count, declared sizes,
  compression ratio of XML parts, a bounded read of each), no XML part declares an entity or
  carries an internal DTD subset, and no member is a DTD file (entity expansion and external
  entities are refused whoever parses the part; a plain ``<!DOCTYPE … "x.dtd">`` such as
  LibreOffice writes in its Basic libraries stays allowed where the analysis does not parse);
* an OLE2 compound file is a clean PowerPoint binary (``sniff.inspect_ole``);
* the file name tells only what content cannot: .ppt, .pps and .dps are the same binary format,
  and a binary template (.pot, .dpt) is refused by its name.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lecturehub.courseware.sniff import (
    NOT_PPT,
    OLE_MAGIC,
    AnalysisError,
    Package,
    PackageLimits,
    check_file,
    check_members,
    container_label,
    describe,
    inspect_ole,
    main_part,
    zip_errors,
)

OOXML = ("pptx", "pptm", "ppsx", "ppsm")
CONVERTED = ("ppt", "pps", "dps", "odp")
FORMATS = OOXML + CONVERTED
ODP_TYPE = "application/vnd.oasis.opendocument.presentation"
_BINARY_BY_SUFFIX = {".pps": "pps", ".dps": "dps"}
_TEMPLATE_SUFFIXES = {".pot", ".dpt", ".potx", ".potm", ".otp"}
_XML_SUFFIXES = (".xml", ".rels", ".rdf", ".svg", ".xba", ".xdl", ".xlb", ".xlc", ".xcu")
_DTD_SUFFIXES = (".dtd", ".ent", ".mod")
_CODECS = ("utf-8", "utf-16-le", "utf-16-be")
_ENTITY = tuple(t.encode(c) for t in ("<!ENTITY", "<!ATTLIST", "<!ELEMENT") for c in _CODECS)
_DOCTYPE = tuple(("<!DOCTYPE".encode(c), c) for c in _CODECS)

TEMPLATE_MESSAGE = (
    "这是演示文稿模板（.pot/.dpt/.otp），不是课件。请用模板做好演示文稿，另存为 .pptx 后上传。"
)


@dataclass(frozen=True)
class Source:
    """The uploaded file's format (one of FORMATS) and what conversion will not carry."""

    format: str
    has_macros: bool = False  # known for ODP (Basic/, Scripts/); OOXML's is in the analysis

    @property
    def converted(self) -> bool:
        return self.format in CONVERTED


def sniff_source(
    path: str | Path,
    filename: str | None,
    limits: PackageLimits | None = None,
    for_conversion: bool = True,
) -> Source:
    """The :class:`Source` of an upload, or AnalysisError (code + Chinese message). Without
    ``for_conversion`` (no LibreOffice: the file will be refused whatever it holds) a binary
    PowerPoint file is only recognised, not checked to the bone."""
    limits, path = limits or PackageLimits(), Path(path)
    head = check_file(path, limits)
    if head.startswith(OLE_MAGIC):
        inspect_ole(path, strict=for_conversion)
        return Source(_binary_format(filename))
    if not head.startswith(b"PK"):
        raise AnalysisError("not_presentation", NOT_PPT.format(describe(head)))
    return _zip_source(path, limits)


def _binary_format(filename: str | None) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix in _TEMPLATE_SUFFIXES:
        raise AnalysisError("template", TEMPLATE_MESSAGE)
    return _BINARY_BY_SUFFIX.get(suffix, "ppt")


def _zip_source(path: Path, limits: PackageLimits) -> Source:
    with zip_errors():
        zf = zipfile.ZipFile(path)
    with zf:
        check_members(zf.infolist(), limits)
        pkg = Package(path, zf, limits)
        mimetype = odf_mimetype(pkg)
        if mimetype is None:
            pkg.kind, pkg.main = main_part(pkg)
            scan_xml(pkg)
            return Source(pkg.kind)
        return _odp(pkg, mimetype)


def odf_mimetype(pkg: Package) -> str | None:
    """The ``mimetype`` member of an OpenDocument zip, or None for any other zip."""
    info = pkg.info("mimetype")
    if info is None or info.file_size > 200:
        return None
    with zip_errors():
        value = pkg.zf.read(info).decode("ascii", "replace").strip()
    return value if value.startswith("application/vnd.oasis.opendocument") else None


def _odp(pkg: Package, mimetype: str) -> Source:
    if mimetype == ODP_TYPE + "-template":
        raise AnalysisError("template", TEMPLATE_MESSAGE)
    if mimetype != ODP_TYPE:
        raise AnalysisError("not_presentation", NOT_PPT.format(container_label(pkg)))
    scan_xml(pkg)
    manifest = pkg.xml("META-INF/manifest.xml")
    if manifest is not None and any(_local(el) == "encryption-data" for el in manifest.iter()):
        raise AnalysisError("encrypted")
    content = pkg.xml("content.xml")
    if content is None:
        raise AnalysisError("corrupt_zip")
    if not any(_local(el) == "page" for el in content.iter()):
        raise AnalysisError("no_slides")
    names = [info.filename for info in pkg.members()]
    return Source("odp", has_macros=any(n.startswith(("Basic/", "Scripts/")) for n in names))


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def scan_xml(pkg: Package) -> None:
    """Refuse entity declarations and internal DTD subsets in every XML member, and DTD files
    (``unsafe_xml``); each member is read within the package's limits (``zip_bomb``)."""
    for info in pkg.members():
        name = info.filename.lower()
        if name.endswith(_DTD_SUFFIXES):
            raise AnalysisError("unsafe_xml")
        if name.endswith(_XML_SUFFIXES):
            check_declarations(pkg.read(info.filename) or b"")


def check_declarations(data: bytes) -> None:
    if any(token in data for token in _ENTITY):
        raise AnalysisError("unsafe_xml")
    for token, codec in _DOCTYPE:
        at = data.find(token)
        if at >= 0:
            head = data[at : at + 8192].decode(codec, "replace")
            if "[" in head.split(">", 1)[0]:
                raise AnalysisError("unsafe_xml")
