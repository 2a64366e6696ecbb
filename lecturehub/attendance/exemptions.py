"""Medical exemptions from training (备案, filed by 督查办) and per-series exclusions (admin).

An exemption may carry a scan (PDF/JPG/PNG, recognised by its magic bytes, never its name),
stored by content key in the file store. Its note and its scan are medical: only 督查办 (the
inspector role) and the person themself see them (:func:`sees_medical`); leaders, admins and
every export show "免训" alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from lecturehub.attendance.models import Exclusion, Exemption
from lecturehub.auth.models import User
from lecturehub.core.errors import Forbidden, NotFound, ServiceError
from lecturehub.core.security import has_role
from lecturehub.core.storage import TooLarge, get_store
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import KIND_TRAINING, Series

SCAN_MAX_BYTES = 10 * 1024 * 1024
MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def sniff_scan(head: bytes) -> str | None:
    """'pdf', 'jpg' or 'png' from the first bytes, or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def _check_dates(date_from, date_to, open_end: bool = False) -> None:
    if not isinstance(date_from, dt.date):
        raise ServiceError("请填写开始日期。", "missing_dates")
    if date_to is None and open_end:
        return
    if not isinstance(date_to, dt.date):
        raise ServiceError("请填写结束日期。", "missing_dates")
    if date_to < date_from:
        raise ServiceError("结束日期不能早于开始日期。", "bad_dates")


def _spool_scan(scan: BinaryIO):
    """Spool an upload into the store's temp dir and sniff it; returns (tmp, key, size, kind)."""
    store = get_store()
    try:
        tmp, key, size = store.spool(scan, SCAN_MAX_BYTES)
    except TooLarge as exc:
        raise ServiceError("附件不能超过 10 MB。", "too_large", 413) from exc
    with tmp.open("rb") as fh:
        kind = sniff_scan(fh.read(8))
    if size == 0 or kind is None:
        tmp.unlink(missing_ok=True)
        raise ServiceError("附件只能是 PDF、JPG 或 PNG 文件（按文件内容识别）。", "bad_scan", 415)
    return tmp, key, size, kind


def sees_medical(viewer: User, exemption_user_id: int) -> bool:
    """Who may read an exemption's note and scan: 督查办, and the person it is about."""
    return has_role(viewer, "inspector") or getattr(viewer, "id", None) == exemption_user_id


@dataclass(frozen=True)
class ExemptionFiling:
    """A medical exemption as 督查办 files it: who, from which training, when, why, a scan."""

    user: User
    series: Series
    date_from: dt.date | None
    date_to: dt.date | None
    note: str
    scan: BinaryIO | None = None
    scan_name: str = ""


def file_exemption(filing: ExemptionFiling, by: User, now: dt.datetime | None = None) -> Exemption:
    """督查办 files a medical exemption for a person from a training series for a period."""
    if not has_role(by, "inspector"):
        raise Forbidden("只有督查办可以备案免训。", "not_inspector")
    if filing.series.kind != KIND_TRAINING:
        raise ServiceError("只能备案免除体能训练（每周两操），讲学不能免除。", "not_training")
    _check_dates(filing.date_from, filing.date_to)
    note = (filing.note or "").strip()
    if not note:
        raise ServiceError("请填写备案说明。", "note_required")
    exemption = Exemption(
        user=filing.user,
        series=filing.series,
        date_from=filing.date_from,
        date_to=filing.date_to,
        note=note[:2000],
        created_by_id=by.id,
        created_at=now or local_now(),
    )
    if filing.scan is not None:
        tmp, key, size, kind = _spool_scan(filing.scan)
        get_store().commit_spooled(tmp, key)
        exemption.scan_key, exemption.scan_size, exemption.scan_type = key, size, kind
        exemption.scan_name = (filing.scan_name or f"备案附件.{kind}").strip()[:200]
    db.session.add(exemption)
    db.session.commit()
    return exemption


def get_exemption(exemption_id: int) -> Exemption:
    exemption = db.session.get(Exemption, exemption_id)
    if exemption is None:
        raise NotFound("找不到该备案。", "exemption_not_found")
    return exemption


def end_exemption(exemption: Exemption, by: User, now: dt.datetime | None = None) -> Exemption:
    if not has_role(by, "inspector"):
        raise Forbidden("只有督查办可以撤销免训备案。", "not_inspector")
    if exemption.ended_at is None:
        exemption.ended_at = now or local_now()
        db.session.commit()
    return exemption


def list_exemptions() -> list[Exemption]:
    query = select(Exemption).order_by(Exemption.ended_at.is_not(None), Exemption.date_from.desc())
    return list(db.session.scalars(query))


def active_exemptions(user: User, on: dt.date) -> list[Exemption]:
    query = select(Exemption).where(
        Exemption.user_id == user.id,
        Exemption.ended_at.is_(None),
        Exemption.date_from <= on,
        Exemption.date_to >= on,
    )
    return list(db.session.scalars(query))


def scan_file(exemption: Exemption, by: User):
    """(path, mimetype, download name) of the scan: 督查办 and the person themself only."""
    if not sees_medical(by, exemption.user_id):
        raise Forbidden("备案附件仅督查办和本人可以查看。", "forbidden")
    if not exemption.scan_key:
        raise NotFound("该备案没有附件。", "no_scan")
    path = get_store().path(exemption.scan_key)
    if not path.is_file():
        raise NotFound("附件文件缺失。", "scan_missing")
    return path, MIMETYPES[exemption.scan_type], exemption.scan_name


# --- exclusions (not expected, e.g. seconded elsewhere) --------------------------------------


def add_exclusion(
    user: User, series: Series, date_from: dt.date, date_to: dt.date | None, reason: str, by: User
) -> Exclusion:
    if not has_role(by, "admin"):
        raise Forbidden("只有管理员可以设置不参加人员。", "forbidden")
    _check_dates(date_from, date_to, open_end=True)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写原因（如：借调县里）。", "reason_required")
    exclusion = Exclusion(
        user=user,
        series=series,
        date_from=date_from,
        date_to=date_to,
        reason=reason[:500],
        created_by_id=by.id,
    )
    db.session.add(exclusion)
    db.session.commit()
    return exclusion


def delete_exclusion(exclusion_id: int, by: User) -> None:
    if not has_role(by, "admin"):
        raise Forbidden("只有管理员可以设置不参加人员。", "forbidden")
    exclusion = db.session.get(Exclusion, exclusion_id)
    if exclusion is None:
        raise NotFound("找不到该记录。", "exclusion_not_found")
    db.session.delete(exclusion)
    db.session.commit()


def list_exclusions() -> list[Exclusion]:
    return list(db.session.scalars(select(Exclusion).order_by(Exclusion.date_from.desc())))
