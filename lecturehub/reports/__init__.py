"""Reports of 组织办: the monthly satisfaction survey (满意度测评) and the quarterly evaluation
(小结评估), as pages with SVG charts, printable, and as Excel."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lecturehub.core.templating import add_nav

    add_nav(app, "reports.index", "报表", ("organiser", "admin"), order=85)
