"""The app's own commands: ``lecturehub init``, ``demo`` and ``serve``.

Commands are thin: they parse options and call services. Features add their own commands
(``lecturehub user``, ``lecturehub schedule`` …) in their ``cli.py``; ``setup`` registers them
all on the app, and the ``lecturehub`` console script (``cli.main``) finds them there.
"""

from __future__ import annotations

import importlib
import sys

import click
from flask.cli import ScriptInfo, pass_script_info, with_appcontext

from lecturehub import setup_data
from lecturehub.config import ConfigError
from lecturehub.core.errors import ServiceError
from lecturehub.core.server import make_server

NEEDS_DEMO_EXTRA = (
    "演示数据需要 python-pptx 生成课件，当前环境没有安装。"
    "请先安装演示依赖：pip install 'lecturehub[demo]'（在源码目录中：pip install -e '.[demo]'），"
    "或直接运行 make run。"
)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


@click.command("init")
@click.option("--admin", "admin_login", help="Login name of the first administrator.")
@click.option("--password", help="Password of the first administrator.")
@click.option("--name", "admin_name", default="管理员", show_default=True)
@with_appcontext
def init_command(admin_login: str | None, password: str | None, admin_name: str) -> None:
    """Create or upgrade the database, the notice's departments and series, the first admin."""
    setup_data.upgrade_database()
    setup_data.ensure_reference_data()
    click.echo("数据库已就绪。")
    if not setup_data.has_admin():
        if not admin_login:
            if not sys.stdin.isatty():
                _fail("还没有管理员：请用 --admin LOGIN --password PW 创建。")
            admin_login = click.prompt("管理员登录名", default="admin")
            password = click.prompt("管理员密码", hide_input=True, confirmation_prompt=True)
        try:
            setup_data.create_admin(admin_login, password, admin_name)
        except ServiceError as exc:
            _fail(exc.message)
        click.echo(f"已创建管理员 {admin_login}。")
    elif admin_login:
        click.echo("已有管理员，未新建。", err=True)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load the demo when the database has no users.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load a realistic demo township (departments, ~40 cadres, a term of talks, decks)."""
    try:  # the demo builds its decks with python-pptx: the `demo` extra, not a run-time need
        importlib.import_module("pptx")
    except ImportError:
        _fail(NEEDS_DEMO_EXTRA)
    from lecturehub import demo  # only here: the demo decks are built with python-pptx

    setup_data.upgrade_database()
    setup_data.ensure_reference_data()
    if if_empty and setup_data.user_count() > 0:
        click.echo("数据库已有数据，跳过演示数据。")
    else:
        demo.load(progress=click.echo)
    click.echo(demo.LOGINS_HELP)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int, threads: int) -> None:
    """Serve the app with waitress (Windows or Linux)."""
    try:
        app = info.load_app()
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(f"LectureHub 正在运行： http://{host}:{port}/  （Ctrl+C 停止）")
    server = make_server(app, host=host, port=port, threads=threads)
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()


COMMANDS = (init_command, demo_command, serve_command)
