"""The app's own commands: ``lecturehub init``, ``demo``, ``serve``, ``jobs``, ``backup`` and
``restore``.

Commands are thin: they parse options and call services. Features add their own commands
(``lecturehub user``, ``lecturehub schedule`` …) in their ``cli.py``; ``setup`` registers them
all on the app, and the ``lecturehub`` console script (``cli.main``) finds them there.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from flask.cli import ScriptInfo, pass_script_info, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from lecturehub import setup_data
from lecturehub.backup import services as backup_services
from lecturehub.backup.archive import BackupError
from lecturehub.config import ConfigError
from lecturehub.core import jobs
from lecturehub.core.errors import ServiceError
from lecturehub.core.models import JOB_STATES
from lecturehub.core.server import make_server
from lecturehub.courseware import services as courseware_services
from lecturehub.search import maintenance
from lecturehub.search import services as search_services

NEEDS_DEMO_EXTRA = (
    "演示数据需要 python-pptx 生成课件，当前环境没有安装。"
    "请先安装演示依赖：pip install 'lecturehub[demo]'（在源码目录中：pip install -e '.[demo]'），"
    "或直接运行 make run。"
)


SECURE_COOKIES_HINT = (
    "提示：生产模式下 Cookie 只经 HTTPS 发送。请在前面配置 HTTPS 反向代理；"
    "内网没有 HTTPS 时，设置 LECTUREHUB_INSECURE_COOKIES=1 后重启，否则无法登录。"
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
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not run background work in this process (run `lecturehub jobs run` instead).",
)
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int, threads: int, no_worker: bool) -> None:
    """Serve the app with waitress (Windows or Linux), with the background worker. At every
    start the worker removes temp files a crash left and reconciles the search index with the
    database (``lecturehub check --repair``), logging what it fixed."""
    try:
        app = info.load_app()
    except ConfigError as exc:
        _fail(str(exc))
    _queue_recovery(app)
    click.echo(f"LectureHub 正在运行： http://{host}:{port}/  （Ctrl+C 停止）")
    if app.config.get("SESSION_COOKIE_SECURE"):
        click.echo(SECURE_COOKIES_HINT, err=True)
    server = make_server(app, host=host, port=port, threads=threads)
    worker = None if no_worker else jobs.Worker(app)
    if worker is not None:
        worker.start()
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    finally:
        if worker is not None:
            worker.stop()


def _queue_recovery(app) -> None:
    with app.app_context():
        try:
            maintenance.queue_recovery()
        except SQLAlchemyError as exc:  # no database yet: the pages will say so too
            click.echo(
                f"启动检查未能排队（数据库尚未就绪？请先运行 lecturehub init）：{exc}", err=True
            )


@click.group("jobs")
def jobs_group() -> None:
    """Background work: list the queue, run it in the foreground, retry a failed job."""


@jobs_group.command("list")
@click.option("--state", type=click.Choice(JOB_STATES))
@click.option("--limit", default=50, show_default=True, type=int)
@with_appcontext
def jobs_list(state: str | None, limit: int) -> None:
    """Counts per state, then the newest jobs (of one state)."""
    click.echo("  ".join(f"{name} {n}" for name, n in jobs.counts().items()))
    for job in jobs.recent(state=state, limit=limit):
        error = f"  {job.error}" if job.error else ""
        click.echo(f"{job.id}\t{job.state}\t{job.tries}/{job.max_tries}\t{job.task}{error}")


@jobs_group.command("run")
@click.option("--once", is_flag=True, help="Run one round (periodic work and due jobs), then exit.")
@pass_script_info
def jobs_run(info: ScriptInfo, once: bool) -> None:
    """Run background work in the foreground (a worker process of its own, or cron with --once)."""
    app = info.load_app()
    worker = jobs.Worker(app)
    if once:
        with app.app_context():
            report = jobs.tick(app, worker.holder)
        click.echo(f"完成 {report.done} 项，待重试 {report.retried} 项，失败 {report.failed} 项。")
        return
    worker.start()
    try:
        worker.join()
    except KeyboardInterrupt:
        worker.stop()


@jobs_group.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def jobs_retry(job_id: int) -> None:
    """Queue a failed (or finished) job again from its first try."""
    if not jobs.requeue(job_id):
        _fail(f"没有编号为 {job_id} 的已失败或已完成任务。")
    click.echo(f"任务 {job_id} 已重新排队。")


# --- backup and restore ------------------------------------------------------------------------


@contextmanager
def _progress(label: str) -> Iterator:
    """A progress bar on stderr, opened at the first report of (done, total)."""
    with ExitStack() as stack:
        bars = []

        def report(done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
                bars.append(stack.enter_context(bar))
            bars[0].length = max(total, 1)
            bars[0].update(done - bars[0].pos)

        yield report


def _megabytes(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, overwrite: bool) -> None:
    """Write FILE: the database, every stored file and a manifest of SHA-256 sums, while the
    server keeps running."""
    started = time.monotonic()
    try:
        with _progress("备份") as report:
            manifest = backup_services.backup(file, report, overwrite)
    except BackupError as exc:
        _fail(exc.message)
    files = sum(1 for name in manifest.members if name.startswith("files/"))
    size = sum(int(m["size"]) for m in manifest.members.values())
    click.echo(
        f"已写入备份 {file}：数据库（{backup_services.KINDS[manifest.database]}，"
        f"结构版本 {manifest.schema}）和 {files} 个文件，共 {_megabytes(size)}，"
        f"用时 {time.monotonic() - started:.1f} 秒。"
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore FILE into an empty storage directory and an empty database, then rebuild the
    search index. Refuses (exit 2, nothing changed) a damaged or newer archive, or a target
    that is not empty."""
    started = time.monotonic()
    try:
        with _progress("恢复") as report:
            manifest = backup_services.restore(file, report)
    except BackupError as exc:
        _fail(exc.message)
    slides_total = courseware_services.current_slides_total()
    with _progress("重建搜索索引") as report:
        slides = search_services.rebuild(progress=lambda n: report(n, slides_total))
    files = sum(1 for name in manifest.members if name.startswith("files/"))
    click.echo(
        f"已从 {file}（{manifest.created_at}）恢复数据库和 {files} 个文件，"
        f"重建搜索索引 {slides} 页幻灯片，用时 {time.monotonic() - started:.1f} 秒。"
    )


COMMANDS = (
    init_command,
    demo_command,
    serve_command,
    jobs_group,
    backup_command,
    restore_command,
)
