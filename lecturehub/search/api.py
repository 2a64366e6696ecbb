"""JSON API of slide search: one hit per matching slide, best first."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from lecturehub.core.security import api_view
from lecturehub.courseware import previews
from lecturehub.search import params as search_params
from lecturehub.search import services

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")

SEARCH_PARAMS = {
    "q": '查询：空格分隔=同时包含；"…"=完整短语；-词=排除；OR=或（为空时按时间列出全部幻灯片）',
    "category": "讲学类别（政治理论、党史和红色故事学习、最新政策和文件解读、业务知识讲解）",
    "department": "负责部门名称",
    "speaker": "讲课人姓名",
    "series": "系列 id",
    "from": "开始日期 YYYY-MM-DD（含）",
    "to": "结束日期 YYYY-MM-DD（含）",
    "sort": "relevance（相关度，默认）或 date（时间，新的在前）",
    "page": "页码（从 1 开始）",
    "per_page": f"每页条数（默认 20，最多 {search_params.MAX_PER_PAGE}）",
}


def hit_dict(hit, thumb: str | None = None) -> dict:
    """One hit; ``thumb``: the URL of its slide's thumbnail, None while there is none."""
    return {
        "lecture_id": hit.lecture_id,
        "lecture_title": hit.lecture_title,
        "courseware_id": hit.courseware_id,
        "slide": hit.slide,
        "slide_title": hit.slide_title,
        "snippet": hit.snippet,
        "date": hit.date.isoformat(),
        "speaker": hit.speaker,
        "department": hit.department,
        "category": hit.category,
        "hidden": hit.hidden,
        "score": round(hit.score, 4),
        "url": url_for("pages.lecture", lecture_id=hit.lecture_id, _anchor=f"slide-{hit.slide}"),
        "thumb": thumb,
    }


@bp.get("/search")
@api_view(
    summary="搜索课件幻灯片（每页幻灯片一条结果，最相关的在前；snippet 为已转义的 HTML，"
    "匹配处用 <mark> 标出；thumb 为该页缩略图地址，尚未生成时为 null）",
    params=SEARCH_PARAMS,
    responses={400: "查询格式有误，或日期、页码无效（bad_query）"},
)
def search():
    params = search_params.parse(request.args)
    result = services.search(
        params.q,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        **params.index_filters(),
    )
    thumbs = previews.thumbs_for({(hit.courseware_id, hit.slide) for hit in result.hits})
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "hits": [
                hit_dict(hit, thumbs.get((hit.courseware_id, hit.slide))) for hit in result.hits
            ],
        }
    )
