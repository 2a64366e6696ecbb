"""The ``lecturehub`` console script: a Flask CLI group over the app's commands.

The commands themselves are registered on the app by ``setup`` (``lecturehub.commands`` and
each feature's ``cli.py``); this group creates the app and lists them.
"""

from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup


def _create_app(*_args, **_kwargs):
    from lecturehub import create_app

    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """LectureHub — 我的业务我来讲 (run `lecturehub COMMAND --help`)."""


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("LECTUREHUB_ENV", "development")
    main()
