"""The demo district: the Sino-Singapore Tianjin Eco-City of the seed article, early 2021.

Built deterministically through the services, so the same data comes out on every machine and a
second run adds nothing. Names of people are synthetic; units and places follow the article
where it names them (党群工作部, 政务服务办, 建设局, 科技创新局, 人社局, 和风/和韵/宜禾 and nine
more communities, 天津中科生物科技有限公司 and the other enterprises it mentions).
"""

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from django.db import transaction

from dangjian.core import synthetic
from dangjian.orgs import services
from dangjian.orgs.models import (
    Community,
    Department,
    Enterprise,
    Institution,
    Member,
    Organization,
    Sector,
)

SEED = 20210224  # the launch ceremony
DEMO_DATE = dt.date(2021, 3, 20)
DISTRICT = "中新天津生态城"
TARGET_MEMBERS = 3726

DEPARTMENTS = [  # (name, short name, runs the campaign)
    ("党群工作部", "党群部", True),
    ("办公室", "办公室", False),
    ("政务服务办公室", "政务服务办", False),
    ("建设局", "建设局", False),
    ("科技创新局", "科技创新局", False),
    ("人力资源和社会保障局", "人社局", False),
    ("财政局", "财政局", False),
    ("生态环境局", "生态环境局", False),
    ("城市管理局", "城管局", False),
    ("社会事务局", "社会事务局", False),
    ("规划和自然资源局", "规划局", False),
    ("投资促进局", "投促局", False),
]

COMMUNITIES = [
    "和风",
    "和韵",
    "宜禾",
    "和畅",
    "和美",
    "和睦",
    "和顺",
    "季景",
    "惠风",
    "锦庐",
    "红树",
    "海滨",
]

NAMED_ENTERPRISES = [  # (name, industry): the article's enterprises
    ("天津中科生物科技有限公司", "生物医药"),
    ("太极智慧城市运营服务（天津）有限公司", "信息技术"),
    ("常青树企业管理咨询（天津）有限公司", "商务服务"),
]
ENTERPRISE_WORDS = [
    "智汇",
    "绿景",
    "海润",
    "博源",
    "星瀚",
    "创元",
    "融达",
    "清能",
    "瀚海",
    "蓝湾",
    "拓新",
    "云帆",
    "华晟",
    "惠农",
    "景弘",
    "锦程",
    "睿信",
    "中诚",
    "德润",
    "凯瑞",
    "新航",
    "启明",
    "远大",
    "泰和",
    "恒通",
    "联创",
    "嘉禾",
    "明达",
    "鸿业",
    "益康",
    "安泰",
    "卓越",
    "宏图",
    "金桥",
    "万象",
    "天元",
    "鼎盛",
]
ENTERPRISE_KINDS = [
    ("科技", "信息技术"),
    ("生物", "生物医药"),
    ("文化传媒", "文化创意"),
    ("环保工程", "节能环保"),
    ("建设工程", "建筑业"),
    ("物业服务", "物业管理"),
    ("动漫", "文化创意"),
    ("数据科技", "信息技术"),
]
PARKS = ["国家动漫园", "信息园", "科技园"]

SCHOOLS = [
    "生态城南开小学",
    "生态城第一中学",
    "天津外国语大学附属滨海外国语学校",
    "生态城实验小学",
    "生态城幼儿园",
]
HOSPITAL = "生态城医院"
HEALTH_CENTER = "生态城社区卫生服务中心"
POLICE_STATIONS = ["和畅路派出所", "中天大道派出所", "季景派出所"]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾"
    "彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏海波"
    "宇浩然子涵欣怡梓轩文博一诺晨阳雨佳俊凯婷雪琳颖倩思远嘉慧晓东丹亮斌"
)
POSTS = [
    "",
    "",
    "",
    "",
    "科员",
    "副主任科员",
    "主任科员",
    "工程师",
    "教师",
    "医生",
    "护士",
    "民警",
    "社区工作者",
    "网格员",
    "经理",
    "职员",
]

ACCOUNTS = [  # (username, display name, role): one demo account per role
    ("operator", "党群工作部管理员", "operator"),
    ("secretary", "科技创新局党支部书记", "secretary"),
    ("officer", "政务服务办工作人员", "officer"),
    ("member", "科技创新局党支部党员", "member"),
    ("sysadmin", "系统管理员", "system_admin"),
    ("secadmin", "安全管理员", "security_admin"),
    ("auditor", "审计管理员", "audit_admin"),
]


@dataclass
class BranchPlan:
    name: str
    short_name: str
    parent: str
    sector: str
    weight: int  # relative size of its membership
    unit: tuple[str, str] | None = None  # ("department" | "community" | …, unit name)
    kind: str = Organization.Kind.BRANCH
    two_new: bool = False


def load(*, stdout=None) -> dict:
    """Build (or complete) the demo district. Returns counts of what exists afterwards."""
    rng = random.Random(SEED)
    with transaction.atomic():
        units = _units(rng)
        orgs = _organizations(units)
        _members(rng, orgs)
        _secretaries(orgs)
    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "communities": Community.objects.count(),
        "enterprises": Enterprise.objects.count(),
    }


# ---------------------------------------------------------------- units


def _units(rng: random.Random) -> dict[str, dict[str, object]]:
    units = {"department": {}, "community": {}, "enterprise": {}, "institution": {}}
    for order, (name, short, runs) in enumerate(DEPARTMENTS, start=1):
        units["department"][short] = Department.objects.filter(
            name=name
        ).first() or services.create_department(
            by=None, name=name, short_name=short, runs_campaign=runs, order=order
        )
    for order, name in enumerate(COMMUNITIES, start=1):
        full = f"{name}社区"
        grids = [f"第{n}网格" for n in "一二三四五六"[: 4 + order % 3]]
        units["community"][name] = Community.objects.filter(
            name=full
        ).first() or services.create_community(by=None, name=full, grids=grids, order=order)
    for name, industry in _enterprise_names(rng):
        code = synthetic.credit_code(rng)
        community = units["community"][rng.choice(COMMUNITIES)]
        units["enterprise"][name] = Enterprise.objects.filter(
            name=name
        ).first() or services.create_enterprise(
            by=None, name=name, credit_code=code, industry=industry, community=community
        )
    for name, kind in _institution_names():
        units["institution"][name] = Institution.objects.filter(
            name=name
        ).first() or services.create_institution(by=None, name=name, kind=kind)
    return units


def _enterprise_names(rng: random.Random) -> list[tuple[str, str]]:
    names = list(NAMED_ENTERPRISES)
    for word in ENTERPRISE_WORDS:
        kind, industry = rng.choice(ENTERPRISE_KINDS)
        names.append((f"天津生态城{word}{kind}有限公司", industry))
    return names


def _institution_names() -> list[tuple[str, str]]:
    return (
        [(s, Institution.Kind.SCHOOL) for s in SCHOOLS]
        + [(HOSPITAL, Institution.Kind.HOSPITAL), (HEALTH_CENTER, Institution.Kind.HOSPITAL)]
        + [("生态城公安局", Institution.Kind.POLICE)]
        + [(p, Institution.Kind.POLICE) for p in POLICE_STATIONS]
    )


# ---------------------------------------------------------------- organizations

ROOT = f"中共{DISTRICT}工作委员会"
COMMITTEES = [  # (name, short name, sector code or None, two-new)
    ("中共生态城机关委员会", "机关党委", "government", False),
    ("中共生态城“两新”组织综合委员会", "两新党委", "enterprise", True),
    ("中共生态城社区工作委员会", "社区党委", "community", False),
    ("中共生态城教育系统委员会", "教育党委", "school", False),
    ("中共生态城卫生健康系统委员会", "卫健党委", "hospital", False),
    ("中共生态城公安局委员会", "公安局党委", "police", False),
]


def _branch_plans(units) -> list[BranchPlan]:
    plans = [
        BranchPlan(
            f"{name}党支部", f"{short}支部", "机关党委", "government", 70, ("department", short)
        )
        for name, short, _ in DEPARTMENTS
    ]
    plans += [
        BranchPlan(
            f"{park}党总支",
            f"{park}党总支",
            "两新党委",
            "enterprise",
            0,
            kind=Organization.Kind.GENERAL_BRANCH,
            two_new=True,
        )
        for park in PARKS
    ]
    for i, name in enumerate(units["enterprise"]):
        parent = "两新党委" if i < 3 else f"{PARKS[i % len(PARKS)]}党总支"
        short = name.replace("天津生态城", "").replace("有限公司", "")
        plans.append(
            BranchPlan(
                f"{name}党支部",
                f"{short}支部",
                parent,
                "enterprise",
                25,
                ("enterprise", name),
                two_new=True,
            )
        )
    for name in COMMUNITIES:
        plans.append(
            BranchPlan(
                f"{name}社区党委",
                f"{name}社区党委",
                "社区党委",
                "community",
                0,
                ("community", name),
                kind=Organization.Kind.COMMITTEE,
            )
        )
        plans += [
            BranchPlan(
                f"{name}社区第一网格党支部", f"{name}一网格支部", f"{name}社区党委", "community", 45
            ),
            BranchPlan(
                f"{name}社区第二网格党支部", f"{name}二网格支部", f"{name}社区党委", "community", 30
            ),
            BranchPlan(
                f"{name}社区第三网格党支部", f"{name}三网格支部", f"{name}社区党委", "community", 25
            ),
            BranchPlan(
                f"{name}社区离退休党员党支部",
                f"{name}离退休支部",
                f"{name}社区党委",
                "community",
                35,
            ),
        ]
    for school in SCHOOLS:
        plans.append(
            BranchPlan(
                f"{school}党支部",
                f"{school}支部",
                "教育党委",
                "school",
                70,
                ("institution", school),
            )
        )
    plans.append(
        BranchPlan(
            f"{HOSPITAL}党总支",
            "医院党总支",
            "卫健党委",
            "hospital",
            0,
            ("institution", HOSPITAL),
            kind=Organization.Kind.GENERAL_BRANCH,
        )
    )
    plans += [
        BranchPlan(f"{HOSPITAL}{d}党支部", f"医院{d}支部", "医院党总支", "hospital", 60)
        for d in ["内科", "外科", "医技", "行政后勤"]
    ]
    plans.append(
        BranchPlan(
            f"{HEALTH_CENTER}党支部",
            "卫生服务中心支部",
            "卫健党委",
            "hospital",
            45,
            ("institution", HEALTH_CENTER),
        )
    )
    plans += [
        BranchPlan(
            f"生态城公安局{p}党支部", f"{p}支部", "公安局党委", "police", 65, ("institution", p)
        )
        for p in POLICE_STATIONS
    ]
    plans += [
        BranchPlan(
            "生态城公安局机关党支部",
            "公安局机关支部",
            "公安局党委",
            "police",
            55,
            ("institution", "生态城公安局"),
        ),
        BranchPlan("生态城公安局交警支队党支部", "交警支队支部", "公安局党委", "police", 55),
    ]
    return plans


def _organizations(units) -> dict[str, Organization]:
    """All organizations by short name, created in tree order."""
    sectors = {s.code: s for s in Sector.objects.all()}
    existing = {o.name: o for o in Organization.objects.all()}
    orgs: dict[str, Organization] = {}

    def ensure(name, short, **fields):
        org = existing.get(name) or services.create_organization(
            by=None, name=name, short_name=short, **fields
        )
        orgs[short] = org
        return org

    root = ensure(
        ROOT,
        "生态城党工委",
        kind=Organization.Kind.COMMITTEE,
        department=units["department"]["党群部"],
        founded_on=dt.date(2008, 9, 28),
    )
    for name, short, sector, two_new in COMMITTEES:
        ensure(
            name,
            short,
            kind=Organization.Kind.COMMITTEE,
            parent=root,
            sector=sectors[sector],
            is_two_new=two_new,
            founded_on=dt.date(2010, 7, 1),
        )
    for plan in _branch_plans(units):
        unit = {plan.unit[0]: units[plan.unit[0]][plan.unit[1]]} if plan.unit else {}
        org = ensure(
            plan.name,
            plan.short_name,
            kind=plan.kind,
            parent=orgs[plan.parent],
            sector=sectors[plan.sector],
            is_two_new=plan.two_new,
            founded_on=dt.date(2012, 7, 1),
            term_ends_on=dt.date(2023, 6, 30),
            **unit,
        )
        org.demo_weight = plan.weight
    return orgs


# ---------------------------------------------------------------- members


def _members(rng: random.Random, orgs: dict[str, Organization]) -> None:
    """TARGET_MEMBERS members spread over the branches by weight; existing ones are skipped."""
    branches = [o for o in orgs.values() if getattr(o, "demo_weight", 0)]
    total_weight = sum(o.demo_weight for o in branches)
    sizes = [TARGET_MEMBERS * o.demo_weight // total_weight for o in branches]
    for i in range(TARGET_MEMBERS - sum(sizes)):
        sizes[i % len(sizes)] += 1
    rows, phones = [], set()
    for org, size in zip(branches, sizes, strict=True):
        rows += [_member_row(rng, org, phones) for _ in range(size)]
    known = set(Member.objects.values_list("id_number", flat=True))
    new_rows = [r for r in rows if r["id_number"] not in known]
    if new_rows:
        services.create_members(new_rows, by=None, source="演示数据")


def _member_row(rng: random.Random, org: Organization, phones: set) -> dict:
    male = rng.random() < 0.55
    retired = "离退休" in org.name
    born = synthetic.birth_date(
        rng, min_age=60 if retired else 23, max_age=85 if retired else 58, today=DEMO_DATE
    )
    joined = _joined_on(rng, born)
    probationary = not retired and rng.random() < 0.03
    if probationary:
        joined = DEMO_DATE - dt.timedelta(days=rng.randrange(30, 330))
    phone = synthetic.mobile(rng)
    while phone in phones:
        phone = synthetic.mobile(rng)
    phones.add(phone)
    return {
        "organization": org,
        "name": rng.choice(SURNAMES)
        + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2]))),
        "gender": "M" if male else "F",
        "id_number": synthetic.id_number(rng, born=born, male=male),
        "phone": phone if rng.random() < 0.97 else None,
        "ethnicity": "汉族" if rng.random() < 0.94 else rng.choice(["回族", "满族", "蒙古族"]),
        "education": rng.choice(
            ["postgraduate", "bachelor", "bachelor", "bachelor", "college", "secondary"]
        ),
        "joined_on": joined,
        "full_member_on": None if probationary else joined + dt.timedelta(days=365),
        "status": Member.Status.PROBATIONARY if probationary else Member.Status.FULL,
        "post": rng.choice(POSTS),
    }


def _joined_on(rng: random.Random, born: dt.date) -> dt.date:
    earliest = dt.date(born.year + 19, born.month, min(born.day, 28))
    span = max((DEMO_DATE - dt.timedelta(days=400) - earliest).days, 1)
    return earliest + dt.timedelta(days=rng.randrange(span))


def _secretaries(orgs: dict[str, Organization]) -> None:
    """The first member of each branch on the roster serves as its secretary."""
    for org in orgs.values():
        if org.kind != Organization.Kind.BRANCH or org.secretary_id:
            continue
        first = org.members.order_by("id").first()
        if first:
            services.update_organization(org, by=None, secretary=first)


# ---------------------------------------------------------------- accounts


def ensure_accounts(known_passwords: dict[str, str]) -> list[tuple[str, str, str]]:
    """One account per role. A new account gets a random password; an existing account keeps
    its password when it is known (from var/demo-logins.txt), else gets a new one.
    Returns (username, password, role label) for every demo account."""
    from dangjian.accounts import services as account_services
    from dangjian.accounts.models import Role, User

    scopes = _account_scopes()
    out = []
    for username, name, role in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = known_passwords.get(username) if user else None
        if password is None:
            password = secrets.token_urlsafe(9)
            if user:
                account_services.set_password(user, password, by=None)
            else:
                account_services.create_account(
                    by=None,
                    username=username,
                    name=name,
                    password=password,
                    role=role,
                    **scopes.get(username, {}),
                )
        out.append((username, password, Role(role).label))
    return out


def _account_scopes() -> dict[str, dict]:
    branch = Organization.objects.get(name="科技创新局党支部")
    members = list(branch.members.order_by("id")[:2])
    return {
        "operator": {},  # the party-masses work department runs the whole district
        "secretary": {"organization": branch, "member": members[0]},
        "officer": {"department": Department.objects.get(short_name="政务服务办")},
        "member": {"organization": branch, "member": members[1]},
    }
