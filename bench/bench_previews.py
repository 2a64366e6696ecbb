"""Slide images and .ppt conversion: seconds per slide, the child's peak memory, and the time from
upload to images ready — with the plain .pptx analysis as the baseline, in the same run.

Builds decks with Chinese titles, text and notes (python-pptx), saves one as .ppt with
LibreOffice, then measures, through the app's own code (``courseware.office`` in its sandbox):

1. baseline: ``analyze_pptx`` of the .pptx, and the whole-file XML check an upload adds;
2. converting the .ppt to .pptx (LibreOffice), per slide, and the child's peak RSS;
3. rendering the images: LibreOffice → PDF, then ``pdftoppm`` at 480 and 1280 px, per slide;
4. upload to images ready: POST to the upload API of an app on a temporary storage dir, then
   the background job (``jobs.run_pending()``, as the worker runs it), for the .pptx and the .ppt.

Needs LibreOffice and poppler. Run by hand::

    .venv/bin/python bench/bench_previews.py [--slides 30] [--upload-slides 60] [--quick]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lecturehub.courseware import office  # noqa: E402
from lecturehub.courseware.analysis import analyze_pptx  # noqa: E402
from lecturehub.courseware.formats import sniff_source  # noqa: E402
from tests import pptx_factory as pf  # noqa: E402

MiB = 1024 * 1024
NOTES = "全面推进乡村振兴，巩固拓展脱贫攻坚成果，加强高标准农田建设和河长制落实。" * 6


def deck(path: Path, count: int) -> Path:
    specs = [
        pf.SlideSpec(f"第{n}讲 乡村振兴", f"要点{n}：产业兴旺\n生态宜居\n乡风文明", notes=NOTES)
        for n in range(1, count + 1)
    ]
    return pf.build_deck(path, specs)


def timed(fn, repeat: int = 1):
    """(best seconds, last result) over ``repeat`` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def tools(folder: Path) -> office.Tools:
    soffice = office.find_program(None, "soffice", "libreoffice")
    pdftoppm = office.find_program(None, "pdftoppm")
    if soffice is None or pdftoppm is None:
        sys.exit("needs LibreOffice (soffice) and poppler (pdftoppm)")
    return office.Tools(soffice, pdftoppm, profile_template=folder / "profile")


def mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MiB:.0f} MiB"


def bench_tools(folder: Path, slides: int) -> None:
    box = tools(folder)
    pptx = deck(folder / "deck.pptx", slides)
    ppt, _run = office.convert(box, pptx, "pptx", "ppt", folder / "make-ppt")
    office.ensure_template(box)

    analysis, _ = timed(lambda: analyze_pptx(pptx), repeat=5)
    scan, _ = timed(lambda: sniff_source(pptx, "deck.pptx"), repeat=5)
    print(
        f"baseline, {slides}-slide .pptx: analysis {analysis * 1000:.0f} ms, "
        f"whole-file XML check at upload {scan * 1000:.0f} ms"
    )

    runs = []
    for i in range(3):
        _out, run = office.convert(box, ppt, "ppt", "pptx", folder / f"conv{i}")
        runs.append(run)
    secs = statistics.median(r.seconds for r in runs)
    peak = max((r.peak_rss or 0) for r in runs) or None
    print(
        f"convert {slides}-slide .ppt → .pptx: {secs:.2f} s median of 3 "
        f"({secs / slides:.3f} s/slide, {secs / analysis:.0f}× the analysis), "
        f"child peak RSS {mib(peak)}"
    )

    pdf_runs, thumb_runs, large_runs = [], [], []
    for i in range(3):
        work = folder / f"render{i}"
        pdf, run = office.convert(box, pptx, "pptx", "pdf", work)
        pdf_runs.append(run)
        thumbs, run = office.render(box, pdf, work, "thumb", 480)
        thumb_runs.append(run)
        large, run = office.render(box, pdf, work, "large", 1280)
        large_runs.append(run)
    pdf_s = statistics.median(r.seconds for r in pdf_runs)
    thumb_s = statistics.median(r.seconds for r in thumb_runs)
    large_s = statistics.median(r.seconds for r in large_runs)
    total = pdf_s + thumb_s + large_s
    sizes = [p.stat().st_size for p in thumbs], [p.stat().st_size for p in large]
    print(
        f"render {slides} slides: {total:.2f} s ({total / slides:.3f} s/slide) = "
        f"PDF {pdf_s:.2f} s + thumbnails {thumb_s:.2f} s + large {large_s:.2f} s; "
        f"peak RSS LibreOffice {mib(max(r.peak_rss or 0 for r in pdf_runs))}, "
        f"pdftoppm {mib(max(r.peak_rss or 0 for r in large_runs))}; JPEG "
        f"{statistics.mean(sizes[0]) / 1024:.0f} KiB / {statistics.mean(sizes[1]) / 1024:.0f} KiB"
    )


def bench_upload(folder: Path, slides: int) -> None:
    """Upload through the API, then the worker's job, for a .pptx and the same deck as .ppt."""
    from lecturehub.core import jobs
    from lecturehub.courseware import previews
    from tests.conftest import make_app
    from tests.factories import bearer, make_token, make_user
    from tests.factories.courseware import make_lecture

    pptx = deck(folder / "upload.pptx", slides)
    ppt, _run = office.convert(tools(folder), pptx, "pptx", "ppt", folder / "upload-ppt")
    app = make_app(folder / "storage")
    with app.app_context():
        speaker = make_user("speaker", "王讲师")
        headers = bearer(make_token(speaker))
        client = app.test_client()
        warm = make_lecture(speaker, title="warm-up")  # opens the search index, made once
        small = deck(folder / "warm.pptx", 1)
        data = {"file": (io.BytesIO(small.read_bytes()), small.name)}
        client.post(
            f"/api/v1/lectures/{warm.id}/courseware",
            data=data,
            headers=headers,
            content_type="multipart/form-data",
        )
        jobs.run_pending()  # and makes LibreOffice's profile template
        for path in (pptx, ppt):
            talk = make_lecture(speaker, title=path.suffix)
            data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
            started = time.perf_counter()
            response = client.post(
                f"/api/v1/lectures/{talk.id}/courseware",
                data=data,
                headers=headers,
                content_type="multipart/form-data",
            )
            answered = time.perf_counter() - started
            assert response.status_code == 201, response.get_json()
            report = jobs.run_pending()
            ready = time.perf_counter() - started
            sha = response.get_json()["sha256"]
            pages = previews.manifest(sha)["pages"]
            assert report.done == 1 and pages == slides
            print(
                f"upload → images ready, {slides}-slide {path.suffix}: {ready:.2f} s "
                f"(the upload answered in {answered * 1000:.0f} ms; the background job "
                f"{ready - answered:.2f} s for {pages} slides)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--slides", type=int, default=30)
    parser.add_argument("--upload-slides", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="10 and 20 slides")
    args = parser.parse_args()
    if args.quick:
        args.slides, args.upload_slides = 10, 20
    with tempfile.TemporaryDirectory(prefix="bench-previews-") as tmp:
        folder = Path(tmp)
        jail = "unshare --net" if office.network_jail(True) else "profile settings only"
        print(f"LibreOffice sandbox network: {jail}")
        bench_tools(folder, args.slides)
        bench_upload(folder, args.upload_slides)


if __name__ == "__main__":
    main()
