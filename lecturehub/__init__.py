"""LectureHub: the township's weekly cadre lecture series, its courseware and attendance."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # flask is imported lazily so pure modules (analysis, index) stay light
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI — nothing else."""
    from flask import Flask

    from lecturehub.config import ensure_secret_key, load_config, templates_dir

    app = Flask(
        __name__,
        template_folder=str(templates_dir()),
        static_folder="static",
    )
    settings = load_config(config)
    ensure_secret_key(settings)
    app.config.update(settings)

    from lecturehub import extensions, setup

    setup.init_extensions(app, extensions)
    setup.register_blueprints(app)
    setup.register_commands(app)
    setup.register_app_hooks(app)
    return app
