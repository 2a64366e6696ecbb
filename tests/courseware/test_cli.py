"""``lecturehub analyze FILE... [--json]``: the upload's analysis, offline."""

from __future__ import annotations

import json

from tests import pptx_factory as pf
from tests.factories.courseware import deck_file


def test_analyze_prints_a_chinese_summary(runner, tmp_path):
    path = deck_file(tmp_path / "乡村振兴.pptx", count=5, hidden={5})
    result = runner.invoke(args=["analyze", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "乡村振兴.pptx",
        "  结论：预计 4 分钟，符合一小时要求",
        "  估算：4 分钟，范围 4 分钟 – 4 分 48 秒",
        "  方法：按讲稿字数估算（无备注的页按页面文字，每页至少 1 分钟）",
        "  幻灯片：5 页（其中隐藏 1 页）",
        "  · 用时最长：第 1 页“第1页”（1 分钟）、第 2 页“第2页”（1 分钟）、"
        "第 3 页“第3页”（1 分钟）、第 4 页“第4页”（1 分钟）。",
        "  · 第 5 页是隐藏幻灯片，放映时不显示，不计入时长。",
    ]


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
    assert result.stderr == (
        "旧.ppt：这是旧版 PowerPoint 97-2003 格式（.ppt），系统无法读取。"
        "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。\n"
    )
    assert "Traceback" not in result.output


def test_analyze_json_reports_the_error_object(runner, tmp_path):
    good = deck_file(tmp_path / "a.pptx", count=3)
    bad = pf.pdf_file(tmp_path / "b.pptx")
    result = runner.invoke(args=["analyze", "--json", str(good), str(bad)])
    assert result.exit_code == 2
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("verdict") for o in objects] == ["ok", None]
    assert objects[1] == {
        "error": {
            "code": "not_presentation",
            "message": "这不是 PowerPoint 演示文稿（PDF 文件），请上传 .pptx 格式的课件。",
        }
    }


def test_analyze_a_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["analyze", str(tmp_path / "nope.pptx")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"nope.pptx：找不到文件：{tmp_path / 'nope.pptx'}\n"
