"""The demo activities: the seed article's 2021 党史学习教育 in the Eco-City.

The article's own activities from 2021-02-24 to 2021-03-17 with attendance matching its counts
(the launch: 108 organizations and 586 people; the enterprise training: 85 people from two-new
organizations; the 张园 visit by government-sector cadres), plus a spread of branch activities
in all six sectors through 2021. Built on the demo district (`dangjian.orgs.demo`)
deterministically and through the services; a second run adds nothing (activities are matched
by title and start, check-ins by the one-per-member constraint).

The activities are in the past, so registration (which closes when an activity has ended) is
not used: attendance is recorded as roll-call check-ins at a time inside each activity.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from io import BytesIO
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, ActivityType, Campaign, CheckIn, Place
from dangjian.orgs.models import Department, Member, Organization, Sector

SEED = 20210224
TZ = ZoneInfo("Asia/Shanghai")

CAMPAIGN = "2021年党史学习教育"
LAUNCH_TITLE = "庆祝建党100周年系列活动启动仪式暨“猜灯谜、学党史”竞答活动"
LAUNCH_ORGANIZATIONS = 108  # the article: 100余个党组织
LAUNCH_PEOPLE = 586  # the article: 近600人
TRAINING_TITLE = "“两新”组织党组织书记、党员学党史集中教育培训（园区书记轮值）"
TRAINING_PEOPLE = 85  # the article: 80余人
VISIT_TITLE = "参观《奠基岁月——天津市军管会和中共天津市委在张园》主题展览"
VISIT_PEOPLE = 48

PLACES = [  # (name, address, red resource, description)
    (
        "张园",
        "天津市和平区鞍山道59号",
        True,
        "《奠基岁月——天津市军管会和中共天津市委在张园》主题展览",
    ),
    ("生态城党群服务中心", "中新天津生态城和畅路", False, ""),
    ("生态城管委会会议室", "中新天津生态城中天大道", False, ""),
    ("区委党校", "天津市滨海新区", False, "邀请区委党校老师讲授《党的光辉历程》"),
    ("平津战役纪念馆", "天津市红桥区平津道8号", True, "红色教育基地"),
    ("周恩来邓颖超纪念馆", "天津市南开区水上公园西路9号", True, "红色教育基地"),
    ("天津中科生物科技有限公司", "中新天津生态城", False, ""),
]

BRANCH_TOPICS = [  # (type code, title): the branches' own activities through the year
    ("party_day", "主题党日：重温入党誓词"),
    ("group_discussion", "党史学习交流研讨"),
    ("party_day", "主题党日：学一段党史 办一件实事"),
    ("lecture", "党史专题党课"),
    ("group_discussion", "专题学习《论中国共产党历史》"),
    ("party_day", "主题党日：参观红色教育基地"),
    ("contest", "党史知识竞答"),
    ("party_day", "“七一”主题党日"),
]


@dataclass
class Plan:
    title: str
    type: str
    starts_at: dt.datetime
    hours: float
    organizers: list[Organization]
    attendees: list[Member]
    place: str | None = None
    description: str = ""
    sectors: list[str] = field(default_factory=list)
    walk_ins: int = 0
    summary: str = ""
    photos: int = 0  # placeholder pictures, drawn here


def load(*, rng: random.Random | None = None, seed: int = SEED) -> dict:
    """Build (or complete) the demo activities on the demo district. Returns counts."""
    rng = rng or random.Random(seed)
    with transaction.atomic():
        campaign = _campaign()
        places = _places()
        district = _District.read()
        types = {t.code: t for t in ActivityType.objects.all()}
        plans = _article_plans(rng, district) + _branch_plans(rng, district)
        for plan in plans:
            _ensure(plan, campaign, places, types, district)
    activities = Activity.objects.filter(campaign=campaign)
    return {
        "activities": activities.count(),
        "check_ins": CheckIn.objects.filter(activity__in=activities).count(),
    }


def _campaign() -> Campaign:
    return Campaign.objects.filter(name=CAMPAIGN).first() or services.create_campaign(
        by=None,
        name=CAMPAIGN,
        theme="学史明理、学史增信、学史崇德、学史力行",
        goals="学党史、悟思想、办实事、开新局",
        starts_on=dt.date(2021, 2, 20),
        ends_on=dt.date(2021, 12, 31),
        department=Department.objects.filter(short_name="党群部").first(),
        is_current=not Campaign.objects.filter(is_current=True).exists(),
    )


def _places() -> dict[str, Place]:
    existing = {p.name: p for p in Place.objects.all()}
    return {
        name: existing.get(name)
        or services.create_place(
            by=None, name=name, address=address, is_red_resource=red, description=text
        )
        for name, address, red, text in PLACES
    }


@dataclass
class _District:
    orgs: dict[str, Organization]  # by name
    members: dict[int, list[Member]]  # active members by organization id, in roster order
    sectors: dict[str, Sector]

    @classmethod
    def read(cls) -> "_District":
        members = defaultdict(list)
        for m in Member.objects.active().select_related("organization").order_by("id"):
            members[m.organization_id].append(m)
        return cls(
            orgs={o.name: o for o in Organization.objects.select_related("sector").order_by("id")},
            members=dict(members),
            sectors={s.code: s for s in Sector.objects.all()},
        )

    def branches(self, **where) -> list[Organization]:
        """Organizations that have members, in creation order, filtered by attributes."""
        return [
            o
            for o in self.orgs.values()
            if self.members.get(o.pk)
            and all(_attr(o, key) == value for key, value in where.items())
        ]

    def people(self, orgs) -> list[Member]:
        return [m for o in orgs for m in self.members[o.pk]]

    def org(self, name: str) -> Organization:
        return self.orgs[name]

    def org_secretary(self, org: Organization) -> Member:
        return self.members[org.pk][0]  # the first member on the roster serves as secretary


def _attr(org: Organization, key: str):
    return org.sector.code if key == "sector" else getattr(org, key)


def _at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, minute, tzinfo=TZ)


# ---------------------------------------------------------------- the article's activities


def _article_plans(rng: random.Random, d: _District) -> list[Plan]:
    root = d.org("中共中新天津生态城工作委员会")
    organs = d.org("中共生态城机关委员会")
    two_new = d.org("中共生态城“两新”组织综合委员会")
    government = d.branches(sector="government")
    return [
        Plan(
            LAUNCH_TITLE,
            "launch_ceremony",
            _at(2, 24, 14, 30),
            2.5,
            [root],
            _launch_attendees(rng, d),
            place="生态城党群服务中心",
            description="以猜灯谜、党史竞答的形式开展党史学习，寓教于乐。",
            sectors=list(d.sectors),
            summary=(
                "2月24日，生态城举办庆祝建党100周年系列活动启动仪式暨“猜灯谜、学党史”竞答活动，"
                f"{LAUNCH_ORGANIZATIONS}个党组织{LAUNCH_PEOPLE}名党员参加。活动将党史知识融入灯谜，"
                "以现场竞答的形式检验学习成效，营造了学党史、悟思想的浓厚氛围。"
            ),
            photos=2,
        ),
        Plan(
            VISIT_TITLE,
            "exhibition_visit",
            _at(3, 3, 9, 30),
            2,
            [organs],
            rng.sample(d.people(government), VISIT_PEOPLE),
            place="张园",
            description="组织机关党员干部代表参观主题展览，100余张图片和50余件重要文献、实物。",
            sectors=["government"],
            summary=(
                f"3月3日，机关党委组织{VISIT_PEOPLE}名党员干部赴张园参观主题展览。展览通过100余张"
                "图片和50余件重要文献、实物，再现了天津解放初期的奋斗历程。大家表示要从党史中汲取"
                "力量，立足岗位为群众办实事。"
            ),
            photos=1,
        ),
        Plan(
            TRAINING_TITLE,
            "training_day",
            _at(3, 9, 9, 0),
            8,
            [two_new],
            _training_attendees(rng, d),
            place="区委党校",
            description="邀请区委党校老师讲授《党的光辉历程》，实地参观红色教育基地。",
            sectors=["enterprise"],
        ),
        Plan(
            "“政企下午茶”：以党建促服务，为企业解难题",
            "enterprise_tea",
            _at(3, 10, 15, 0),
            2,
            [two_new],
            [d.org_secretary(o) for o in d.branches(is_two_new=True)[:16]],
            place="生态城党群服务中心",
            description="与“两新”组织党组织书记、企业高管面对面交流。",
            sectors=["enterprise"],
            walk_ins=9,  # executives who are not party members
        ),
        Plan(
            "党员领导干部理论中心组学习（党史专题）",
            "leadership_study",
            _at(3, 11, 9, 0),
            2.5,
            [root],
            [m for o in government for m in d.members[o.pk][:3]],
            place="生态城管委会会议室",
            description="邀请中共天津市委党史学习教育宣讲团成员辅导。",
            sectors=["government"],
        ),
        Plan(
            "管委会中层干部党史学习研讨",
            "group_discussion",
            _at(3, 13, 9, 0),
            3,
            [organs],
            [m for o in government for m in d.members[o.pk][3:8]],
            place="生态城管委会会议室",
            description="深入研读习近平《论中国共产党历史》，分组交流学习感受。",
            sectors=["government"],
        ),
        Plan(
            "一线基层党员党史宣讲报告会",
            "lecture",
            _at(3, 15, 14, 30),
            2,
            [root],
            _front_line(rng, d),
            place="生态城党群服务中心",
            description="邀请中共天津市委党史学习教育宣讲团成员宣讲。",
            sectors=["enterprise", "community", "school", "hospital", "police"],
        ),
        Plan(
            "“学一段党史 办一件实事”特色党日：走访天津中科生物科技有限公司",
            "party_day",
            _at(3, 16, 14, 0),
            2.5,
            [d.org("科技创新局党支部")],
            d.members[d.org("科技创新局党支部").pk][:8],
            place="天津中科生物科技有限公司",
            description="支部书记带队走访企业，解答申报国家高企中的问题，宣传科技政策。",
            sectors=["government"],
        ),
        Plan(
            "结合人才招聘工作走访区内重点企业",
            "party_day",
            _at(3, 17, 9, 30),
            3,
            [d.org("人力资源和社会保障局党支部")],
            d.members[d.org("人力资源和社会保障局党支部").pk][:10],
            description=(
                "走访太极智慧城市运营服务（天津）有限公司、常青树企业管理咨询（天津）有限公司，"
                "讲解人员招聘、人才政策、职称申报等政策。"
            ),
            sectors=["government"],
        ),
    ]


def _launch_attendees(rng: random.Random, d: _District) -> list[Member]:
    """Exactly LAUNCH_PEOPLE members from exactly LAUNCH_ORGANIZATIONS organizations."""
    orgs = rng.sample(d.branches(), LAUNCH_ORGANIZATIONS)
    first = [rng.choice(d.members[o.pk]) for o in orgs]
    chosen = {m.pk for m in first}
    rest = [m for m in d.people(orgs) if m.pk not in chosen]
    return first + rng.sample(rest, LAUNCH_PEOPLE - len(first))


def _training_attendees(rng: random.Random, d: _District) -> list[Member]:
    """Every two-new branch's secretary, then members of two-new branches up to the count."""
    branches = d.branches(is_two_new=True)
    secretaries = [d.org_secretary(o) for o in branches]
    others = [m for o in branches for m in d.members[o.pk][1:]]
    return secretaries + rng.sample(others, TRAINING_PEOPLE - len(secretaries))


def _front_line(rng: random.Random, d: _District) -> list[Member]:
    people = []
    for sector in ["enterprise", "community", "school", "hospital", "police"]:
        people += rng.sample(d.people(d.branches(sector=sector)), 30)
    return people


# ---------------------------------------------------------------- the branches' activities

# Months after March in which branches hold their other activities.
LATER_MONTHS = [4, 5, 6, 7, 9, 10, 11, 12]


def _branch_plans(rng: random.Random, d: _District) -> list[Plan]:
    """Every branch holds one activity in March and perhaps one more later in 2021, each attended by
    40–90% of its members (community party days also by some residents). Kept to a few
    thousand check-ins so that load_demo stays quick."""
    plans = []
    for org in d.branches():
        roster = d.members[org.pk]
        months = [3, *sorted(rng.sample(LATER_MONTHS, rng.randint(0, 1)))]
        topics = rng.sample(BRANCH_TOPICS, len(months))
        for month, (type_code, topic) in zip(months, topics, strict=True):
            day = rng.randint(18, 31) if month == 3 else rng.randint(1, 28)
            starts_at = _at(month, day, rng.choice([9, 14, 15]), rng.choice([0, 30]))
            community = org.sector.code == "community"
            plans.append(
                Plan(
                    f"{org.short_name or org.name}{topic}",
                    type_code,
                    starts_at,
                    2,
                    [org],
                    rng.sample(roster, max(1, round(len(roster) * rng.uniform(0.4, 0.9)))),
                    sectors=[org.sector.code],
                    walk_ins=rng.randint(5, 30) if community and type_code == "party_day" else 0,
                )
            )
    return plans


# ---------------------------------------------------------------- writing


def _ensure(plan: Plan, campaign: Campaign, places, types, d: _District) -> Activity:
    activity = Activity.objects.filter(
        campaign=campaign, title=plan.title, starts_at=plan.starts_at
    ).first() or services.create_activity(
        by=None,
        campaign=campaign,
        type=types[plan.type],
        title=plan.title,
        description=plan.description,
        starts_at=plan.starts_at,
        ends_at=plan.starts_at + dt.timedelta(hours=plan.hours),
        organizers=plan.organizers,
        target_sectors=[d.sectors[code] for code in plan.sectors],
        place=places.get(plan.place) if plan.place else None,
    )
    done = set(CheckIn.objects.filter(activity=activity).values_list("member_id", flat=True))
    for i, member in enumerate(plan.attendees):
        if member.pk not in done:  # the check-in constraint also holds on a re-run
            at = activity.starts_at - dt.timedelta(minutes=20) + dt.timedelta(seconds=7 * i)
            services.check_in(activity, member, method=CheckIn.Method.ROLL_CALL, by=None, at=at)
    if plan.walk_ins and activity.walk_ins != plan.walk_ins:
        services.record_walk_ins(activity, plan.walk_ins, by=None)
    if plan.summary:  # unchanged text writes nothing
        services.save_summary(activity, plan.summary, by=None)
    for index in range(plan.photos):  # the same picture again is the same photo
        upload = SimpleUploadedFile(f"photo-{index}.png", _placeholder_photo(activity.pk, index))
        services.add_photo(activity, upload, by=None, caption=f"活动现场（{index + 1}）")
    return activity


def _placeholder_photo(seed: int, index: int) -> bytes:
    """A drawn stand-in for a photo of the event: a red banner over rows of seats."""
    rng = random.Random(seed * 100 + index)
    image = Image.new("RGB", (960, 640), (236, 230, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 40, 880, 150), fill=(196, 30, 36))
    draw.rectangle((120, 70, 840, 120), outline=(250, 214, 90), width=4)
    for row in range(5):
        for seat in range(12):
            x, y = 110 + seat * 64, 250 + row * 70
            shade = rng.randint(40, 120)
            draw.ellipse((x, y, x + 36, y + 36), fill=(shade, shade, shade + 20))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
