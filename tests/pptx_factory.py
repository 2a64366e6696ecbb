"""Build real presentation files for tests — and hostile ones.

Decks are made with python-pptx, then the zip is post-processed (lxml) for what python-pptx
cannot write: rehearsed timings (``advTm``), hidden slides, ``mc:AlternateContent`` p14
transitions, media trims, SmartArt data parts, ``presProps`` show settings, macros, another
show order, dangling relationships. Typical use::

    from tests.pptx_factory import SlideSpec, build_deck

    deck = build_deck(tmp_path / "d.pptx", [SlideSpec("标题", "正文", notes="讲稿")], hidden={2})

Slide numbers in the keyword arguments are 1-based and count slides in the order given
(= file order ``slide1.xml``, ``slide2.xml``…); ``order`` changes only the show order.

Zip surgery: :func:`copy_zip`, :func:`replace_member`, :func:`with_member`, :func:`without_member`.
Hostile files: :func:`truncated_zip`, :func:`xxe_deck`,
:func:`billion_laughs_deck`, :func:`zip_bomb_deck`, :func:`lying_size_deck`,
:func:`legacy_ppt`, :func:`encrypted_ooxml`, :func:`pdf_file`, :func:`empty_file`, …
"""

from __future__ import annotations

import struct
import wave
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MS_REL = "http://schemas.microsoft.com/office/2006/relationships/"
_PML = "application/vnd.openxmlformats-officedocument.presentationml."
MAIN_TYPES = {
    "pptx": _PML + "presentation.main+xml",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "ppsx": _PML + "slideshow.main+xml",
    "ppsm": "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "potx": _PML + "template.main+xml",
}
DGM_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"


@dataclass(frozen=True)
class SlideSpec:
    """What goes on one slide. ``body`` paragraphs are separated by newlines."""

    title: str = ""
    body: str = ""
    notes: str = ""
    table: tuple[tuple[str, ...], ...] = ()
    group: tuple[str, ...] = ()  # text boxes in a group; from the second on, in a nested group
    chart_title: str = ""
    smartart: tuple[str, ...] = ()  # texts of a SmartArt data part related to the slide
    notes_footer: str = ""  # text in the notes slide's slide-number placeholder
    alt_text: str = ""  # a shape in mc:AlternateContent, same text in Choice and Fallback


@dataclass(frozen=True)
class MediaSpec:
    """Media on a slide: an embedded file (optionally trimmed, ms) or an external link."""

    path: Path | None = None
    trim_ms: tuple[int, int] | None = None  # (trimmed from start, trimmed from end)
    external_url: str = ""


def make_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A silent mono 16-bit WAV of exactly ``seconds`` (stdlib ``wave``)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * round(seconds * rate))
    return Path(path)


def build_deck(
    path: Path,
    slides: Sequence[SlideSpec | str],
    *,
    hidden: Iterable[int] = (),
    rehearsed_ms: Mapping[int, int] | None = None,
    alt_content: bool = False,
    media: Mapping[int, MediaSpec | Path] | None = None,
    order: Sequence[int] | None = None,
    use_timings: bool | None = None,
    loop: bool = False,
    kiosk: bool = False,
    kind: str = "pptx",
    macros: bool = False,
    store_media: bool = False,
    app_total_time: int | None = None,
    extra_rels: Mapping[int, Sequence[tuple[str, str]]] | None = None,
    extra_members: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a real deck to ``path`` and return it.

    hidden: slides saved with ``show="0"``; rehearsed_ms: slide → ``advTm``; alt_content: put
    each transition in ``mc:AlternateContent`` (p14 Choice + Fallback, same advTm);
    media: slide → WAV path or :class:`MediaSpec`; order: show order as slide numbers,
    e.g. ``(3, 1, 2)``; use_timings/loop/kiosk: ``p:showPr`` in presProps.xml; kind: main
    content type (pptx, pptm, ppsx, ppsm, potx); macros: add ``ppt/vbaProject.bin`` + its
    relationship (content type unchanged unless ``kind`` says so); store_media: media members
    ZIP_STORED; extra_rels: slide → [(relationship type URI, target)] (targets starting with
    ``http`` or ``file:`` are external); extra_members: raw zip members added as they are.
    """
    path = Path(path)
    specs = [s if isinstance(s, SlideSpec) else SlideSpec(title=s) for s in slides]
    media = {n: m if isinstance(m, MediaSpec) else MediaSpec(m) for n, m in (media or {}).items()}
    prs = Presentation()
    for number, spec in enumerate(specs, 1):
        _add_slide(prs, spec, media.get(number))
    prs.save(path)
    edits = _Edits(
        specs=specs,
        hidden=set(hidden),
        rehearsed=dict(rehearsed_ms or {}),
        alt=alt_content,
        media=media,
        order=order,
        show=(use_timings, loop, kiosk),
        kind=kind,
        macros=macros,
        app_total_time=app_total_time,
        extra_rels=dict(extra_rels or {}),
    )
    _rewrite(path, edits, store_media, dict(extra_members or {}))
    return path


make_deck = build_deck


def _add_slide(prs, spec: SlideSpec, media: MediaSpec | None) -> None:
    layout = prs.slide_layouts[1 if spec.body else 5 if spec.title else 6]
    slide = prs.slides.add_slide(layout)
    if spec.title:
        slide.shapes.title.text = spec.title
    if spec.body:
        slide.placeholders[1].text_frame.text = spec.body
    if spec.notes:
        slide.notes_slide.notes_text_frame.text = spec.notes
    if spec.notes_footer:
        _add_notes_footer(slide.notes_slide, spec.notes_footer)
    if spec.table:
        _add_table(slide, spec.table)
    if spec.group:
        _add_group(slide, spec.group)
    if spec.chart_title:
        _add_chart(slide, spec.chart_title)
    if media and media.path:
        box = (Inches(1), Inches(1), Inches(2), Inches(2))
        slide.shapes.add_movie(str(media.path), *box, mime_type="audio/wav")


def _add_notes_footer(notes_slide, text: str) -> None:
    for placeholder in notes_slide.placeholders:
        if placeholder.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER:
            placeholder.text_frame.text = text


def _add_table(slide, rows: tuple[tuple[str, ...], ...]) -> None:
    box = (Inches(0.5), Inches(4), Inches(6), Inches(2))
    table = slide.shapes.add_table(len(rows), len(rows[0]), *box).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def _add_group(slide, texts: tuple[str, ...]) -> None:
    """The first text in a group, the others in a group nested inside it."""
    group = slide.shapes.add_group_shape()
    for i, text in enumerate(texts):
        if i == 1:
            group = group.shapes.add_group_shape()
        group.shapes.add_textbox(Inches(1), Inches(1 + i), Inches(3), Inches(1)).text = text


def _add_chart(slide, title: str) -> None:
    data = CategoryChartData()
    data.categories = ["一季度", "二季度"]
    data.add_series("系列名不算标题", (1, 2))
    box = (Inches(5), Inches(1), Inches(4), Inches(3))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, *box, data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = title


@dataclass
class _Edits:
    """Everything build_deck changes in the saved zip; one method per kind of part."""

    specs: list[SlideSpec]
    hidden: set[int]
    rehearsed: dict[int, int]
    alt: bool
    media: dict[int, MediaSpec]
    order: Sequence[int] | None
    show: tuple[bool | None, bool, bool]
    kind: str
    macros: bool
    app_total_time: int | None
    extra_rels: dict[int, Sequence[tuple[str, str]]]

    def slide(self, number: int, root: etree._Element) -> None:
        if number in self.hidden:
            root.set("show", "0")
        if number in self.rehearsed:
            _add_transition(root, self.rehearsed[number], self.alt)
        if self.specs[number - 1].alt_text:
            root.find(f"{{{P}}}cSld/{{{P}}}spTree").append(
                _alt_shape(self.specs[number - 1].alt_text)
            )
        trim = self.media.get(number, MediaSpec()).trim_ms
        media = root.find(f".//{{{P14}}}media")
        if trim and media is not None:
            etree.SubElement(media, f"{{{P14}}}trim", st=str(trim[0]), end=str(trim[1]))

    def slide_rels(self, number: int, root: etree._Element) -> None:
        rels = list(self.extra_rels.get(number, ()))
        if self.specs[number - 1].smartart:
            rels.append((REL + "diagramData", f"../diagrams/data{number}.xml"))
        url = self.media.get(number, MediaSpec()).external_url
        if url:
            rels += [(REL + "video", url), (MS_REL[:-5] + "7/relationships/media", url)]
        for i, (rel_type, target) in enumerate(rels, 1):
            _add_rel(root, f"rIdX{i}", rel_type, target)

    def presentation(self, root: etree._Element) -> None:
        if self.order:
            ids = root.find(f"{{{P}}}sldIdLst")
            entries = list(ids)
            ids[:] = [entries[n - 1] for n in self.order]

    def pres_rels(self, root: etree._Element) -> None:
        if self.macros:
            _add_rel(root, "rIdVba", MS_REL + "vbaProject", "vbaProject.bin")

    def pres_props(self, root: etree._Element) -> None:
        use_timings, loop, kiosk = self.show
        if use_timings is None and not loop and not kiosk:
            return
        show = etree.Element(f"{{{P}}}showPr", showNarration="1")
        root.insert(0, show)
        if use_timings is not None:
            show.set("useTimings", "1" if use_timings else "0")
        if loop:
            show.set("loop", "1")
        if kiosk:
            etree.SubElement(show, f"{{{P}}}kiosk")

    def content_types(self, root: etree._Element) -> None:
        ns = root.nsmap[None]
        for el in root:
            if el.get("PartName") == "/ppt/presentation.xml":
                el.set("ContentType", MAIN_TYPES[self.kind])
        for number, spec in enumerate(self.specs, 1):
            if spec.smartart:
                part = f"/ppt/diagrams/data{number}.xml"
                etree.SubElement(root, f"{{{ns}}}Override", PartName=part, ContentType=DGM_TYPE)
        if self.macros:
            vba = "application/vnd.ms-office.vbaProject"
            etree.SubElement(root, f"{{{ns}}}Default", Extension="bin", ContentType=vba)

    def app(self, root: etree._Element) -> None:
        if self.app_total_time is not None:
            total = root.find("{*}TotalTime")
            if total is None:
                total = etree.SubElement(root, f"{{{root.nsmap[None]}}}TotalTime")
            total.text = str(self.app_total_time)

    def added_members(self) -> dict[str, bytes]:
        out = {
            f"ppt/diagrams/data{n}.xml": _smartart_xml(spec.smartart)
            for n, spec in enumerate(self.specs, 1)
            if spec.smartart
        }
        if self.macros:
            out["ppt/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really a VBA project"
        return out


def _add_rel(root: etree._Element, rid: str, rel_type: str, target: str) -> None:
    rel = etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=rid, Type=rel_type)
    rel.set("Target", target)
    if target.startswith(("http", "file:")):
        rel.set("TargetMode", "External")


def _add_transition(root: etree._Element, ms: int, alt: bool) -> None:
    """Insert p:transition (or an mc:AlternateContent pair) right after p:clrMapOvr."""
    at = list(root).index(root.find(f"{{{P}}}clrMapOvr")) + 1
    if not alt:
        root.insert(at, etree.Element(f"{{{P}}}transition", advTm=str(ms)))
        return
    xml = (
        f'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        f' xmlns:p="{P}" xmlns:p14="{P14}"><mc:Choice Requires="p14">'
        f'<p:transition spd="slow" p14:dur="2000" advTm="{ms}"><p14:prism/></p:transition>'
        f'</mc:Choice><mc:Fallback><p:transition spd="slow" advTm="{ms}"><p:fade/>'
        f"</p:transition></mc:Fallback></mc:AlternateContent>"
    )
    root.insert(at, etree.fromstring(xml))


def _alt_shape(text: str) -> etree._Element:
    shape = (
        '<p:sp><p:nvSpPr><p:cNvPr id="90" name="t"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/>'
        f"<p:txBody><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"
    )
    return etree.fromstring(
        f'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        f' xmlns:p="{P}" xmlns:a="{A}"><mc:Choice Requires="a14">{shape}</mc:Choice>'
        f"<mc:Fallback>{shape}</mc:Fallback></mc:AlternateContent>"
    )


def _smartart_xml(texts: tuple[str, ...]) -> bytes:
    points = "".join(
        f'<dgm:pt modelId="{{{i}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p><a:r>'
        f"<a:t>{text}</a:t></a:r></a:p></dgm:t></dgm:pt>"
        for i, text in enumerate(texts)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"'
        f' xmlns:a="{A}"><dgm:ptLst>{points}</dgm:ptLst><dgm:cxnLst/></dgm:dataModel>'
    ).encode()


def _editor(edits: _Edits, name: str) -> Callable[[etree._Element], None] | None:
    fixed = {
        "ppt/presentation.xml": edits.presentation,
        "ppt/_rels/presentation.xml.rels": edits.pres_rels,
        "ppt/presProps.xml": edits.pres_props,
        "[Content_Types].xml": edits.content_types,
        "docProps/app.xml": edits.app,
    }
    if name in fixed:
        return fixed[name]
    for pattern, method in (
        ("ppt/slides/slide%d.xml", edits.slide),
        ("ppt/slides/_rels/slide%d.xml.rels", edits.slide_rels),
    ):
        head, tail = pattern.split("%d")
        number = name[len(head) : -len(tail)]
        if name.startswith(head) and name.endswith(tail) and number.isdigit():
            return lambda root, n=int(number), m=method: m(n, root)
    return None


def _rewrite(path: Path, edits: _Edits, store_media: bool, extra: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            edit = _editor(edits, info.filename)
            if edit is not None:
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            stored = store_media and info.filename.startswith("ppt/media/")
            out.writestr(
                info.filename, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
        for name, data in (edits.added_members() | extra).items():
            out.writestr(name, data)


# --- hostile and foreign files ---------------------------------------------------------------


def copy_zip(
    path: Path, source: Path, drop: Iterable[str] = (), add: Mapping[str, bytes] = {}
) -> Path:
    """Copy the zip ``source`` to ``path`` without the members ``drop``, plus ``add``."""
    skip = set(drop) | set(add)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename not in skip:
                out.writestr(info.filename, src.read(info))
        for name, data in add.items():
            out.writestr(name, data)
    return Path(path)


def replace_member(path: Path, source: Path, name: str, data: bytes) -> Path:
    return copy_zip(path, source, add={name: data})


def with_member(path: Path, source: Path, name: str, data: bytes) -> Path:
    """Copy ``source`` adding a raw member, e.g. ``../../x`` (zipfile keeps the name as is)."""
    return copy_zip(path, source, add={name: data})


def without_member(path: Path, source: Path, name: str) -> Path:
    return copy_zip(path, source, drop=[name])


def truncated_zip(path: Path, source: Path, keep: float = 0.5) -> Path:
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def _doctype_deck(path: Path, source: Path, doctype: str, entity: str, encoding: str) -> Path:
    with zipfile.ZipFile(source) as src:
        xml = src.read("ppt/slides/slide1.xml").decode()
    decl, rest = xml.split("?>", 1)
    decl = decl.replace("UTF-8", encoding.upper())
    xml = f"{decl}?>{doctype}{rest.replace('MARK', f'&{entity};', 1)}"
    return replace_member(path, source, "ppt/slides/slide1.xml", xml.encode(encoding))


def xxe_deck(path: Path, source: Path, encoding: str = "utf-8") -> Path:
    """``source``'s slide 1 with an external entity to /etc/passwd used where it says MARK
    (``source`` is a deck with a slide whose text is MARK); ``encoding`` utf-16 hides the
    DOCTYPE from a naive byte scan."""
    doctype = '<!DOCTYPE p:sld [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _doctype_deck(path, source, doctype, "xxe", encoding)


def billion_laughs_deck(path: Path, source: Path, encoding: str = "utf-8") -> Path:
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return _doctype_deck(path, source, f"<!DOCTYPE p:sld [{ents}]>", "lol9", encoding)


def zip_bomb_deck(path: Path, source: Path, size: int = 1_500_000_000) -> Path:
    """``source`` with slide 1 replaced by ``size`` bytes of zeros (~1.5 MB deflated),
    streamed in 1 MiB chunks so nothing big is ever held in memory."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "ppt/slides/slide1.xml":
                out.writestr(info.filename, src.read(info))
        with out.open("ppt/slides/slide1.xml", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
            fh.write(bytes(size % len(chunk)))
    return Path(path)


def lying_size_deck(path: Path, source: Path, member: str = "ppt/slides/slide1.xml") -> Path:
    """Copy ``source`` with ``member``'s declared uncompressed size patched down to 100 bytes
    in both the local header and the central directory: it inflates past what it declares."""
    data = bytearray(Path(source).read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, 100)
    struct.pack_into("<I", data, _central_entry(data, member) + 24, 100)
    Path(path).write_bytes(bytes(data))
    return Path(path)


def bad_crc_deck(path: Path, source: Path, member: str = "ppt/slides/slide1.xml") -> Path:
    """Copy ``source`` with ``member``'s CRC-32 flipped (local header and central directory)."""
    data = bytearray(Path(source).read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(member)
    for offset in (info.header_offset + 14, _central_entry(data, member) + 16):
        struct.pack_into("<I", data, offset, info.CRC ^ 0xFFFFFFFF)
    Path(path).write_bytes(bytes(data))
    return Path(path)


def _central_entry(data: bytearray, member: str) -> int:
    """Offset of ``member``'s central directory record (non-zip64 archives)."""
    offset = struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)[0]
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        if data[offset + 46 : offset + 46 + name_len] == member.encode():
            return offset
        offset += 46 + name_len + extra_len + comment_len
    raise KeyError(member)


def write_ole2(path: Path, streams: Mapping[str, bytes]) -> Path:
    """A minimal Compound File Binary (v3, 512-byte sectors, up to 3 streams). Streams are
    padded to at least 4096 bytes so they live in regular sectors: no mini stream needed."""
    datas = [d.ljust(max(4096, -(-len(d) // 512) * 512), b"\0") for d in streams.values()]
    fat, starts, sector = [_FATSECT, _ENDOFCHAIN], [], 2  # sector 0: FAT, 1: directory
    for data in datas:
        count = len(data) // 512
        starts.append(sector)
        fat += [sector + i + 1 for i in range(count - 1)] + [_ENDOFCHAIN]
        sector += count
    assert len(fat) <= 128 and len(datas) <= 3, "one FAT sector and one directory sector"
    entries = [_dir_entry("Root Entry", 5, child=1 if datas else _NOSTREAM, start=_ENDOFCHAIN)]
    for i, (name, data) in enumerate(zip(streams, datas, strict=True)):
        right = i + 2 if i + 1 < len(datas) else _NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=starts[i], size=len(data)))
    # header: version, byte order, sector shifts; then dir/FAT sector counts, first directory
    # sector, transaction, mini cutoff, mini FAT (none), DIFAT (none); then the DIFAT array
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6x", 0x3E, 3, 0xFFFE, 9, 6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
    header += struct.pack("<109I", 0, *[_FREESECT] * 108)
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    directory = b"".join(entries).ljust(512, b"\0")
    Path(path).write_bytes(header + fat_sector + directory + b"".join(datas))
    return Path(path)


_FATSECT, _ENDOFCHAIN, _FREESECT, _NOSTREAM = 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF


def _dir_entry(
    name: str, kind: int, *, start: int, size: int = 0, right=_NOSTREAM, child=_NOSTREAM
):
    """A 128-byte directory entry: name, type, black, no left sibling, zero CLSID/times."""
    raw = name.encode("utf-16-le") + b"\0\0"
    fields = (raw, len(raw), kind, 1, _NOSTREAM, right, child, start, size)
    return struct.pack("<64sHBBIII16x4x16xIQ", *fields)


def legacy_ppt(path: Path, encrypted: bool = False) -> Path:
    """An OLE2 file shaped like a PowerPoint 97-2003 deck; ``encrypted`` sets the
    CurrentUserAtom header token PowerPoint writes for a password-protected file."""
    token = 0xF3D1C4DF if encrypted else 0xE391C05F
    user = struct.pack("<HHIII", 0, 0x0FF6, 20, 20, token) + b"\0" * 16
    return write_ole2(path, {"Current User": user, "PowerPoint Document": b"\0" * 5000})


def encrypted_ooxml(path: Path) -> Path:
    """What Office writes for a password-protected .pptx: an OLE2 file with EncryptionInfo
    and EncryptedPackage streams."""
    return write_ole2(
        path, {"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x5a" * 6000}
    )


def ole2_word(path: Path) -> Path:
    return write_ole2(path, {"WordDocument": b"\0" * 100})


def pdf_file(path: Path) -> Path:
    Path(path).write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    return Path(path)


def empty_file(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


def ooxml_package(path: Path, main_part: str, content_type: str, body: bytes = b"<x/>") -> Path:
    """A minimal OPC zip whose officeDocument is ``main_part`` of ``content_type`` (a docx, a
    theme …)."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>'
    )
    rels = (
        f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1"'
        f' Type="{REL}officeDocument" Target="{main_part}"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", types)
        out.writestr("_rels/.rels", rels)
        out.writestr(main_part, body)
    return Path(path)


def docx_file(path: Path) -> Path:
    ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return ooxml_package(path, "word/document.xml", ctype)


def theme_file(path: Path) -> Path:
    ctype = "application/vnd.openxmlformats-officedocument.themeManager+xml"
    return ooxml_package(path, "theme/theme/themeManager.xml", ctype)
