"""``lecturehub analyze FILE... [--json]``: the upload's analysis, offline."""

from __future__ import annotations

import json

from tests import pptx_factory as pf
from tests.factories.courseware import deck_file


def test_analyze_prints_a_chinese_summary(runner, tmp_path):
    path = deck_file(tmp_path / "乡村振兴.pptx", count=5, hidden={5})
    result = runner.invoke(args=["analyze", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["乡村振兴.pptx", "  结论：预计 4 分钟，符合一小时要求"]
    assert "  幻灯片：5 页（其中隐藏 1 页）" in lines
    assert any("第 5 页是隐藏幻灯片" in line for line in lines)


def test_analyze_json_prints_one_object_per_file(runner, tmp_path):
    first = deck_file(tmp_path / "a.pptx", count=3)
    second = deck_file(tmp_path / "b.pptx", count=70)
    result = runner.invoke(args=["analyze", "--json", str(first), str(second)])
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [(o["verdict"], o["estimated_seconds"]) for o in objects] == [
        ("ok", 180),
        ("over", 4200),
    ]


def test_analyze_refuses_a_legacy_ppt_with_exit_2_and_one_line(runner, tmp_path):
    path = pf.legacy_ppt(tmp_path / "旧.ppt")
    result = runner.invoke(args=["analyze", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("旧.ppt：") and "另存为" in result.stderr
    assert "Traceback" not in result.output


def test_analyze_json_reports_the_error_object(runner, tmp_path):
    good = deck_file(tmp_path / "a.pptx", count=3)
    bad = pf.pdf_file(tmp_path / "b.pptx")
    result = runner.invoke(args=["analyze", "--json", str(good), str(bad)])
    assert result.exit_code == 2
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert objects[1]["error"]["code"] == "not_presentation"
    assert objects[0]["verdict"] == "ok"


def test_analyze_a_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["analyze", str(tmp_path / "nope.pptx")])
    assert result.exit_code == 2
    assert "找不到文件" in result.stderr
