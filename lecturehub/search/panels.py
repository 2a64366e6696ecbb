"""The slide texts of the current courseware on the talk page: where a search hit lands
(``/lectures/<id>#slide-N``), so the reader sees the slide that says it."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from lecturehub.courseware import services as courseware_services


def _body(slide: dict) -> str:
    """The slide's text without its title line (the analysis puts the title first)."""
    text, title = slide.get("text") or "", slide.get("title") or ""
    if title and (text == title or text.startswith(title + "\n")):
        return text[len(title) :].lstrip("\n")
    return text


def slide_texts(row) -> list[dict]:
    return [
        {
            "slide": s["slide"],
            "title": s.get("title") or "",
            "body": _body(s),
            "notes": s.get("notes") or "",
            "hidden": bool(s.get("hidden")),
        }
        for s in row.slides
    ]


def slides_panel(lecture) -> Markup | None:
    """None when the talk has no courseware."""
    row = courseware_services.current_version(lecture)
    if row is None:
        return None
    html = render_template("search/_slides_panel.html", courseware=row, slides=slide_texts(row))
    return Markup(html)
