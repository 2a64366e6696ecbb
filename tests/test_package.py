"""`pip install .` gives a working app: the sdist and the wheel ship the templates, static files,
migrations and data, and the installed package serves pages from any working directory.

The wheel is built offline from a copy of the checkout (sdist first, the wheel from the sdist,
as ``python -m build`` does) and installed into a fresh virtualenv outside the repository. The
virtualenv borrows this environment's site-packages for the dependencies through a .pth file
(no download), but lecturehub itself comes only from the wheel: the test asserts where it is
imported from. Then the README's deployment steps run as written: LECTUREHUB_ENV=production,
`lecturehub init`, `lecturehub serve`, in a working directory of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES
from tests.processes import Browser, serving

REPO = Path(__file__).resolve().parents[1]
NOT_SHIPPED = (".git", ".venv", "storage", "build", "dist", "*.egg-info", "__pycache__")
NOT_SHIPPED += (".pytest_cache", ".ruff_cache", "bench")
PASSWORD = "a-long-password"
SECRET = "0123456789abcdef" * 4


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("build")
    source = work / "lecturehub-src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    _run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(work / "dist"),
            str(source),
        ]
    )
    return {
        "sdist": next((work / "dist").glob("lecturehub-*.tar.gz")),
        "wheel": next((work / "dist").glob("lecturehub-*.whl")),
    }


def _templates() -> set[str]:
    return {
        p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*.html")
    }


def test_the_sdist_carries_the_top_level_templates(built):
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    assert {f"templates/{t}" for t in _templates()} <= names
    assert {"setup.py", "MANIFEST.in", "pyproject.toml", "README.md"} <= names


def test_the_wheel_ships_templates_static_files_migrations_and_data(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
    shipped = {n.removeprefix("lecturehub/templates/") for n in names if "/templates/" in n}
    assert shipped == _templates()
    package = REPO / "lecturehub"
    for folder in ("static", "migrations", "search/index/data", "courseware/demo_data"):
        files = {
            f"lecturehub/{p.relative_to(package).as_posix()}"
            for p in (package / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert files and files <= names, folder
    assert not any(n.startswith(("templates/", "storage/", "tests/")) for n in names)


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed; dependencies borrowed through a .pth."""
    root = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    _site_packages(root).joinpath("test_dependencies.pth").write_text("\n".join(sorted(ours)))
    pip = [sys.executable, "-m", "pip", "--python", _bin(root, "python"), "install", "--no-deps"]
    _run([*pip, "--no-index", "--quiet", str(built["wheel"])])
    return root


def _site_packages(venv: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(_run([_bin(venv, "python"), "-c", code]).stdout.strip())


def _bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LECTUREHUB_")}
    if not ON_POSTGRES:  # on PostgreSQL, DATABASE_URL names this test's own database
        env.pop("DATABASE_URL", None)
    return env | {"LECTUREHUB_ENV": "production", "LECTUREHUB_SECRET_KEY": SECRET}


def test_lecturehub_is_imported_from_the_wheel_not_the_checkout(venv, tmp_path):
    code = (
        "import lecturehub, lecturehub.config as c; print(lecturehub.__file__, c.templates_dir())"
    )
    out = _run([_bin(venv, "python"), "-c", code], cwd=tmp_path).stdout.split()
    package = _site_packages(venv) / "lecturehub"
    assert [Path(line) for line in out] == [package / "__init__.py", package / "templates"]
    assert not package.is_relative_to(REPO)


def test_the_installed_app_serves_the_login_page_and_a_talk_page(venv, tmp_path):
    site = tmp_path / "township"  # the working directory: ./storage goes here
    site.mkdir()
    env = _environment()
    lecturehub = _bin(venv, "lecturehub")
    _run([lecturehub, "init", "--admin", "kongr", "--password", PASSWORD], cwd=site, env=env)
    token = _run([lecturehub, "token", "create", "kongr"], cwd=site, env=env).stdout.strip()
    assert (site / "storage").is_dir()
    assert (site / "storage" / "lecturehub.sqlite").is_file() != ON_POSTGRES
    assert not list(venv.rglob("storage"))  # never inside site-packages

    with serving([lecturehub], site, env) as url:
        browser = Browser(url)
        login = browser.get("/login")
        assert (login.status, "<h1>登录</h1>" in login.text) == (200, True)
        assert login.header("Content-Security-Policy").startswith("default-src 'self'")
        assert browser.get("/static/js/app.js").status == 200
        talk = Browser(url).request(
            "POST",
            "/api/v1/lectures",
            json_body={"date": "2026-03-02", "title": "安装包里的讲学", "category": "业务知识讲解"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert talk.status == 201, talk.text
        signed_in = browser.post_form("/login", {"login": "kongr", "password": PASSWORD})
        assert (signed_in.status, signed_in.header("Location")) == (302, "/")
        assert all("Secure" in cookie for cookie in signed_in.set_cookies())
        lecture_id = json.loads(talk.text)["id"]
        page = browser.get(f"/lectures/{lecture_id}")
        assert (page.status, "安装包里的讲学" in page.text) == (200, True)
