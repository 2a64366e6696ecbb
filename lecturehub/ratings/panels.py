"""Ratings on the pages that gather several features (``lecturehub.pages``): the panel of a
talk's page and the home-page prompt; the speaker's charts of "my talks"."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from lecturehub.core.security import has_role
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import charts, services, summaries
from lecturehub.ratings.aggregates import DIMENSION_HELP, DIMENSIONS, LABELS, SCALE
from lecturehub.ratings.forms import RatingForm
from lecturehub.ratings.models import SCORE_FIELDS


def talk_url(lecture_id: int) -> str:
    """The ratings section of the talk's page."""
    return url_for("pages.lecture", lecture_id=lecture_id, _anchor="ratings")


def summary_chart(summary) -> Markup | None:
    agg = summary.aggregate
    if agg is None:
        return None
    rows = [(LABELS[name], agg.means()[name], None) for name in SCORE_FIELDS]
    return charts.mean_bars(rows, "各项平均分（满分 5 分）")


def _values(mine, submitted: dict | None) -> dict:
    if submitted is not None:
        return {k: str(v or "") for k, v in submitted.items()}
    if mine is None:
        return {}
    return {**{k: str(v) for k, v in mine.scores().items()}, "comment": mine.comment}


def panel_context(lecture, submitted: dict | None = None) -> dict:
    refusal = services.refusal(lecture, current_user, local_now())
    mine = services.my_rating(lecture, current_user)
    summary = summaries.summary(lecture)
    return {
        "lecture": lecture,
        "refusal": refusal,
        "reason": services.REASONS.get(refusal.code) if refusal else None,
        "mine": mine,
        "values": _values(mine, submitted),
        "closes": services.window(lecture)[1],
        "summary": summary,
        "chart": summary_chart(summary),
        "form": RatingForm(),
        "scale": SCALE,
        "dimensions": DIMENSIONS,
        "dimension_help": DIMENSION_HELP,
        "overall_label": LABELS["overall"],
        "can_see_participation": has_role(current_user, "admin", "organiser"),
        "can_moderate": has_role(current_user, "admin"),
    }


def lecture_panel(lecture) -> Markup:
    return Markup(render_template("ratings/_panel.html", **panel_context(lecture)))


def home_card(user) -> Markup | None:
    """ "你参加了 X月X日 的讲学，请评价" for each open, unrated talk the user signed in to."""
    pending = services.pending_for(user)
    if not pending:
        return None
    rows = [(lec, services.window(lec)[1], talk_url(lec.id)) for lec in pending]
    return Markup(render_template("ratings/_home_card.html", pending=rows))


def speaker_charts(talk) -> dict:
    """The speaker's charts of one talk: means beside the series' quarter average, histograms."""
    agg = talk.summary.aggregate
    if agg is None:
        return {"chart": None, "histograms": {}}
    average = talk.series_average.means() if talk.series_average else {}
    rows = [(LABELS[name], agg.means()[name], average.get(name)) for name in SCORE_FIELDS]
    stats = {"overall": agg.overall, **agg.dimensions}
    return {
        "chart": charts.mean_bars(
            rows, "本场与本系列本季度平均", charts.BarStyle(compare_label="本系列本季度平均")
        ),
        "histograms": {
            name: charts.histogram(stats[name].distribution, f"{LABELS[name]}评分分布")
            for name in SCORE_FIELDS
        },
    }
