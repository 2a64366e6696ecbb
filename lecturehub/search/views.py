"""The search page: one box, filters, results grouped by talk."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.courseware import previews
from lecturehub.search import params as search_params
from lecturehub.search import results

bp = Blueprint("search", __name__)


def hit_url(hit) -> str:
    return url_for("pages.lecture", lecture_id=hit.lecture_id, _anchor=f"slide-{hit.slide}")


def _drop_links(params, choices) -> list[tuple[str, str]]:
    """(label, url) per active filter: the same search without that filter."""
    return [
        (
            results.filter_label(params, name, choices),
            url_for("search.search", **params.without(name)),
        )
        for name in params.active_filters()
    ]


def _thumbs(found) -> dict:
    """(courseware id, slide) → thumbnail URL for the hits shown on this page."""
    if found is None:
        return {}
    return previews.thumbs_for({(h.courseware_id, h.slide) for t in found.talks for h in t.hits})


def _page_url(params, page: int) -> str:
    return url_for("search.search", **params.replace(page=page).args())


@bp.get("/search")
@role_required()
def search():
    choices = results.filter_choices()
    context = {
        "choices": choices,
        "hit_url": hit_url,
        "hit_thumb": lambda hit: None,
        "page_url": None,
        "found": None,
        "recent": None,
        "drop_links": [],
    }
    try:
        params = search_params.parse(request.args)
    except ServiceError as exc:
        return _refused(context, _lenient(request.args), exc)
    try:
        if params.blank:
            context["recent"] = results.recent_talks(params)
        else:
            context["found"] = results.search_talks(params)
    except ServiceError as exc:
        return _refused(context, params, exc)
    thumbs = _thumbs(context["found"])
    context["hit_thumb"] = lambda hit: thumbs.get((hit.courseware_id, hit.slide))
    context["page_url"] = lambda page: _page_url(params, page)
    context["drop_links"] = _drop_links(params, choices)
    return render_template("search/search.html", params=params, error=None, **context)


def _refused(context: dict, params, exc: ServiceError):
    """The form again, with the Chinese message and the error's status (400 bad_query)."""
    html = render_template("search/search.html", params=params, error=exc.message, **context)
    return html, exc.status


def _lenient(args) -> search_params.SearchParams:
    """The form's values after refused arguments: keep the query text so it can be fixed."""
    return search_params.SearchParams(q=(args.get("q") or "").strip()[:500])
