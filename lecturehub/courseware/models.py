"""Uploaded decks (课件): one row per version of a talk's courseware, with its analysis."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.auth.models import User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture


class Courseware(db.Model):
    """One uploaded version. The file lives in the content-addressed store under ``sha256``;
    ``filename`` is the uploader's original name, kept as data and never used as a path."""

    __tablename__ = "courseware"
    __table_args__ = (
        UniqueConstraint("lecture_id", "version"),
        UniqueConstraint("lecture_id", "sha256", name="uq_courseware_lecture_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lectures.id"), index=True)
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # pptx | pptm | ppsx | ppsm (what is analysed)
    # What was uploaded (formats.FORMATS): kind's formats, or ppt | pps | dps | odp, which are
    # converted to .pptx in the background; the original stays the version's file.
    source_format: Mapped[str] = mapped_column(String(8), default="pptx")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    # Denormalised from the analysis, for lists and the schedule dashboard.
    estimated_seconds: Mapped[int | None]
    verdict: Mapped[str | None] = mapped_column(String(8))  # ok | over
    method: Mapped[str | None] = mapped_column(String(16))  # estimated | rehearsed
    slides_total: Mapped[int] = mapped_column(default=0)
    has_macros: Mapped[bool] = mapped_column(default=False)
    analysis_json: Mapped[str] = mapped_column(Text, default="{}")  # DeckAnalysis.to_dict()
    slides_json: Mapped[str] = mapped_column(Text, default="[]")  # texts for the search index

    lecture: Mapped[Lecture] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def analysed(self) -> bool:
        """False while the background job converts a .ppt/.pps/.dps/.odp (or if it failed)."""
        return self.verdict is not None

    @property
    def analysis(self) -> dict:
        return json.loads(self.analysis_json or "{}")

    @property
    def slides(self) -> list[dict]:
        return json.loads(self.slides_json or "[]")
