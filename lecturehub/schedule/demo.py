"""Demo term: sessions Sep 2026 – Jan 2027, a rotation of 12 departments, named speakers."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from lecturehub.auth import services as auth_services
from lecturehub.core import timeutil
from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db
from lecturehub.schedule import rotation, services
from lecturehub.schedule.generation import generate_sessions
from lecturehub.schedule.models import Lecture

TERM = (dt.date(2026, 9, 1), dt.date(2027, 1, 15))
FEATURED_LOGIN, FEATURED_FROM = "member01", dt.date(2026, 12, 1)

# department → [(title, category, what the talk covers)]
TOPICS: dict[str, list[tuple[str, str, str]]] = {
    "党政办": [
        (
            "公文写作规范与常见问题",
            "业务知识讲解",
            "党政机关公文格式国家标准，请示与报告的区别，常见格式错误。",
        ),
        ("“我的业务我来讲”半年小结", "业务知识讲解", "讲学开展情况、好的做法和需要改进的地方。"),
        (
            "政务信息报送实务",
            "业务知识讲解",
            "信息选题、写法和时效要求，结合本乡被采用的信息讲解。",
        ),
    ],
    "组织办": [
        ("新时代党的组织路线学习", "政治理论", "党的组织路线的内涵，基层党组织建设的重点任务。"),
        ("党员发展工作流程解读", "业务知识讲解", "从入党申请到转正的各环节要求和常见问题。"),
        (
            "干部考核与量化积分办法",
            "最新政策和文件解读",
            "年度考核和量化考核的指标、评分方法和运用。",
        ),
    ],
    "宣传办": [
        (
            "金寨红色故事：红军摇篮",
            "党史和红色故事学习",
            "金寨革命史和关庙乡的红色资源，讲好身边的红色故事。",
        ),
        ("意识形态工作责任制解读", "政治理论", "意识形态工作责任制的要求和基层落实办法。"),
        ("新媒体宣传与舆情应对", "业务知识讲解", "政务新媒体的运营要点和网络舆情的处置流程。"),
    ],
    "纪委": [
        (
            "以案为鉴 警钟长鸣——典型案例剖析",
            "业务知识讲解",
            "近年基层“微腐败”典型案例剖析，讲清红线和底线。",
        ),
        (
            "《中国共产党纪律处分条例》解读",
            "最新政策和文件解读",
            "条例修订的重点内容和对基层干部的要求。",
        ),
        ("八项规定精神再学习", "政治理论", "中央八项规定及其实施细则精神，节假日廉洁提醒。"),
    ],
    "文化站": [
        (
            "全民健身与乡村文化振兴",
            "业务知识讲解",
            "“每周两操”开展情况，村级文化活动和全民健身设施的管理。",
        ),
        ("非遗保护与传统文化传承", "业务知识讲解", "本地非物质文化遗产项目的保护和传承人工作。"),
        (
            "农家书屋与文化惠民工程",
            "最新政策和文件解读",
            "文化惠民工程的政策和农家书屋的使用情况。",
        ),
    ],
    "经济发展办": [
        ("县域经济与招商引资政策", "最新政策和文件解读", "县里招商引资的优惠政策和项目落地流程。"),
        ("村级集体经济发展路径", "业务知识讲解", "村集体经济“消薄”经验，本乡典型村的做法和短板。"),
        ("优化营商环境实务", "业务知识讲解", "企业开办、涉企服务中的堵点和改进办法。"),
    ],
    "财政所": [
        (
            "乡镇财政资金管理规定",
            "最新政策和文件解读",
            "财政资金的使用范围、审批流程和常见违规问题。",
        ),
        ("惠农补贴“一卡通”发放管理", "业务知识讲解", "补贴资金的发放流程和群众常问的问题。"),
        ("政府采购与公务支出规范", "业务知识讲解", "公务接待、差旅和政府采购的标准。"),
    ],
    "农业农村服务中心": [
        (
            "高标准农田建设政策解读",
            "最新政策和文件解读",
            "高标准农田的建设标准、补助政策和后期管护。",
        ),
        ("茶叶产业提质增效", "业务知识讲解", "本乡茶园的现状、病虫害防治和品牌建设。"),
        ("耕地保护与粮食安全", "政治理论", "耕地“非农化”“非粮化”整治要求和粮食安全责任。"),
    ],
    "社会事务服务中心": [
        (
            "医保报销政策与常见问题",
            "最新政策和文件解读",
            "城乡居民医保的报销比例、异地就医备案和常见误区。",
        ),
        ("低保与特困供养政策", "最新政策和文件解读", "低保认定条件、动态管理和入户核查要点。"),
        ("养老服务与“一老一小”工作", "业务知识讲解", "居家养老服务、留守儿童关爱的现状和做法。"),
    ],
    "乡村振兴工作站": [
        (
            "巩固拓展脱贫攻坚成果政策",
            "最新政策和文件解读",
            "防止返贫监测帮扶机制和衔接资金的使用。",
        ),
        ("和美乡村建设实践", "业务知识讲解", "人居环境整治和和美乡村示范村建设的经验。"),
        (
            "大别山精神与乡村振兴",
            "党史和红色故事学习",
            "大别山精神的内涵，以及它对今天乡村振兴工作的启示。",
        ),
    ],
    "应急管理办": [
        (
            "防汛抗旱应急预案解读",
            "最新政策和文件解读",
            "本乡防汛抗旱预案、预警响应和转移避险流程。",
        ),
        ("森林防火与冬春安全", "业务知识讲解", "冬春森林防火的重点区域、巡查和处置要求。"),
        ("安全生产“十五条”硬措施", "最新政策和文件解读", "安全生产责任的落实和隐患排查方法。"),
    ],
    "综合执法大队": [
        ("乡镇综合行政执法实务", "业务知识讲解", "赋权事项清单、执法程序和文书规范。"),
        ("农村乱占耕地建房整治", "最新政策和文件解读", "乱占耕地建房的认定和整治政策。"),
        ("执法中的群众工作方法", "业务知识讲解", "文明执法，执法中与群众沟通的方法和案例。"),
    ],
}
ABSTRACT = "**主要内容**：{what}\n\n- 结合本乡实际，讲亮点、找短板\n- 用典型案例说明，不照本宣科\n- 讲学控制在 1 小时内，留出交流时间"


def _speakers(department) -> list:
    people = [u for u in department.users if u.active] if department else []
    return people or [auth_services.user_by_login(f"member{i:02d}") for i in range(1, 7)]


def _feature_member01(talks: list[Lecture]) -> None:
    """Give member01's department the first talk of December, and member01 that talk."""
    member = auth_services.user_by_login(FEATURED_LOGIN)
    target = next((t for t in talks if t.session.date >= FEATURED_FROM), None)
    if member is None or target is None or target.speaker_id == member.id:
        return
    other = next(
        (
            t
            for t in talks
            if t.department_id == member.department_id
            and t.session.date > FEATURED_FROM
            and t is not target
        ),
        None,
    )
    if other is not None:
        other.department_id = target.department_id
    target.department_id, target.speaker_id = member.department_id, member.id
    db.session.commit()
    db.session.expire_all()


def _fill_talks(talks: list[Lecture]) -> int:
    used: dict[int, int] = {}
    filled = 0
    for talk in talks:
        topics = TOPICS.get(talk.department.name if talk.department else "", TOPICS["党政办"])
        n = used.get(talk.department_id, 0)
        used[talk.department_id] = n + 1
        if talk.title:
            continue
        title, category, what = topics[n % len(topics)]
        speakers = _speakers(talk.department)
        talk.speaker = talk.speaker or speakers[n % len(speakers)]
        talk.title, talk.category, talk.abstract_md = title, category, ABSTRACT.format(what=what)
        filled += 1
    db.session.commit()
    return filled


def _changes(progress: Callable[[str], None]) -> None:
    training = [s for s in services.list_series() if s.kind == "training"][0]
    now = timeutil.now()
    games = dt.datetime(2026, 12, 12, 8, 30)
    spec = services.ExtraSession(
        training,
        games.date(),
        games.time(),
        "双拥运动会",
        venue="乡中心学校操场",
        duration_minutes=180,
        backfill=games < now,  # a demo loaded after the games records them after the fact
    )
    with contextlib.suppress(ServiceError):  # already there on a second run
        services.add_extra_session(spec, now=now)
    upcoming = services.list_sessions(
        now.date() + dt.timedelta(days=1), now.date() + dt.timedelta(days=10), kind="training"
    )
    movable = [s for s in upcoming if not s.moved and not s.cancelled and not s.is_extra]
    if movable:
        session = movable[0]
        move = services.SessionMove(
            session.date,
            session.starts_at.time(),
            "天气预报有雨，改在乡政府大院集合，路线不变。",
            venue="乡政府大院",
        )
        services.move_session(session, move, now=now)
        progress(f"已调整 {session.date.isoformat()} 的晨练地点（演示“已调整”）。")


def load(progress: Callable[[str], None] = print) -> None:
    result = generate_sessions(*TERM, services.list_series(active_only=True))
    progress(f"已生成 {len(result.created)} 场活动，跳过节假日 {len(result.skipped)} 场。")
    for warning in result.warnings:
        progress(f"注意：{warning}")
    departments = [auth_services.department_by_name(name) for name in TOPICS]
    proposals = rotation.propose_rotation([d for d in departments if d], *TERM)
    rotation.confirm_rotation({p.session.id: p.department.id for p in proposals})
    talks = [s.lecture for s in services.list_sessions(*TERM, kind="lecture") if s.lecture]
    _feature_member01(talks)
    filled = _fill_talks(talks)
    progress(f"已按部门轮讲安排 {len(talks)} 场讲学（{filled} 场新填讲课人和题目）。")
    _changes(progress)
