"""A realistic demo township: the notice's leading group, ~40 cadres, a term of talks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lecturehub.attendance import demo as attendance_demo
from lecturehub.auth import services as auth_services
from lecturehub.courseware import demo as courseware_demo
from lecturehub.notifications import demo as notifications_demo
from lecturehub.ratings import demo as ratings_demo
from lecturehub.schedule import demo as schedule_demo
from lecturehub.schedule import services as schedule_services
from lecturehub.search import demo as search_demo

DEMO_PASSWORD = "demo1234"
IN_POST_SINCE = dt.datetime(2026, 1, 1)
LOGINS_HELP = (
    "演示账号（密码均为 demo1234）：\n"
    "  admin     孔锐（党政办，管理员）\n"
    "  pengzh    彭宗惠（副乡长，每周两课牵头领导）\n"
    "  chuxb     储晓波（宣传统战委员，每周两操牵头领导）\n"
    "  ducha     督查办\n"
    "  zuzhi     组织办\n"
    "  member01  普通干部（也是讲课人）"
)

# (login, name, department, title, roles) — the leading group from the notice's annex first.
LEADING_GROUP = [
    ("licj", "李才军", "党政办", "党委书记", []),
    ("shuqy", "舒期颐", "党政办", "党委副书记、乡长", []),
    ("zhenggq", "郑光权", "党政办", "人大主席", []),
    ("pangb", "潘国兵", "党政办", "党委副书记（常务）", []),
    ("zhangl", "张路", "综合执法大队", "党委政法委员", []),
    ("huyq", "胡怡沁", "退役军人服务站", "党委委员、人武部长", []),
    ("wugl", "吴高磊", "纪委", "党委委员、纪委书记", []),
    ("chuxb", "储晓波", "宣传办", "党委宣传、统战委员", ["leader"]),
    ("duj", "杜娟", "组织办", "党委组织委员", ["organiser"]),
    ("gesy", "戈绍勇", "农业农村服务中心", "副乡长", []),
    ("shaoqm", "邵庆明", "经济发展办", "副乡长", []),
    ("pengzh", "彭宗惠", "党政办", "副乡长、领导小组办公室主任", ["leader"]),
    ("admin", "孔锐", "党政办", "党政办工作人员", ["admin"]),
    ("guoy", "郭雨", "党政办", "党政办工作人员", ["admin"]),
    ("ducha", "汪洋", "督查办", "督查办主任", ["inspector"]),
    ("zuzhi", "陈静", "组织办", "组织干事", ["organiser"]),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = [
    "明",
    "华",
    "强",
    "芳",
    "军",
    "敏",
    "静",
    "丽",
    "伟",
    "勇",
    "艳",
    "杰",
    "涛",
    "磊",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "建国",
    "海燕",
    "志强",
    "晓东",
    "文博",
    "雨萱",
    "子涵",
]


def _cadres(count: int = 26) -> list[tuple[str, str, str, str, list[str]]]:
    departments = [d.name for d in auth_services.list_departments()]
    rows = []
    for i in range(count):
        name = SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]
        rows.append(
            (f"member{i + 1:02d}", name, departments[(i * 3) % len(departments)], "干部", [])
        )
    return rows


def load_people(progress: Callable[[str], None]) -> None:
    for login, name, department, title, roles in LEADING_GROUP + _cadres():
        if auth_services.user_by_login(login) is None:
            dept = auth_services.department_by_name(department)
            user, _ = auth_services.create_user(
                login, auth_services.UserDetails(name, roles, dept, title), DEMO_PASSWORD
            )
            # in post before the term began: expected at every session of the demo's past
            auth_services.backdate_account(user, IN_POST_SINCE)
    progress(f"已创建 {len(LEADING_GROUP) + 26} 名演示用户。")


def load(progress: Callable[[str], None] = print) -> None:
    """People first, then each feature's own demo. Order matters: talks before decks, decks
    before the search index, sign-ins before ratings."""
    load_people(progress)
    schedule_services.ensure_default_series()
    schedule_demo.load(progress)
    courseware_demo.load(progress)
    search_demo.load(progress)
    attendance_demo.load(progress)
    ratings_demo.load(progress)
    notifications_demo.load(progress)
