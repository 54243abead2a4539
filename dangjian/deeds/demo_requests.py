"""The demo's service requests (群众诉求) of 2021, and the 2021 holiday table they count their
deadlines in.

A few hundred requests from residents of the twelve communities and from the district's
enterprises, spread over 2021, each taken through the services (submit, dispatch, send back,
accept, reply, close, rate) so the data obey the rules; the services stamp the present
moment, so each step's times are then set back to the planned historic moment with
queryset updates, deadlines recomputed with `add_working_days` from the historic dispatch.
Most were closed in 2021 (mostly resolved, some explained, a few outside the remit), most
closed ones rated; a few were sent back and redispatched, a few rated "不满意" and reopened.

As in the deeds demo (`deeds/demo.py`), the requests still in hand count from the day the demo
is loaded, so their deadline colours show: a few waiting for dispatch, some dispatched or in
hand, a few overdue and supervised. The blocklisted phones' requests sit in the review queue.

Deterministic for one seed; a request that exists (same phone and original text) is left
alone, so a second run adds nothing. Texts hold no phone or ID number."""

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from dangjian.core import synthetic
from dangjian.core.calendar import add_working_days, is_working_day
from dangjian.core.models import CalendarDay
from dangjian.deeds import request_services as services
from dangjian.deeds.demo_plans import YAJINGYUAN
from dangjian.deeds.models import (
    BlockedPhone,
    Deed,
    RequestCategory,
    RequestEvent,
    RequestRating,
    ServiceRequest,
    Supervision,
)
from dangjian.orgs.models import Community, Department, Enterprise

SEED = 20210312
TZ = ZoneInfo("Asia/Shanghai")
S, OUT, RATING = ServiceRequest.Status, ServiceRequest.Outcome, ServiceRequest.Rating
E = RequestEvent.Kind
YEAR_REQUESTS = 340  # generated over 2021, besides the hand-written ones below
HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY

# ---------------------------------------------------------------- the 2021 holiday table

HOLIDAYS_2021 = [  # (name, first day, last day) of the State Council's 2021 schedule
    ("元旦", dt.date(2021, 1, 1), dt.date(2021, 1, 3)),
    ("春节", dt.date(2021, 2, 11), dt.date(2021, 2, 17)),
    ("清明节", dt.date(2021, 4, 3), dt.date(2021, 4, 5)),
    ("劳动节", dt.date(2021, 5, 1), dt.date(2021, 5, 5)),
    ("端午节", dt.date(2021, 6, 12), dt.date(2021, 6, 14)),
    ("中秋节", dt.date(2021, 9, 19), dt.date(2021, 9, 21)),
    ("国庆节", dt.date(2021, 10, 1), dt.date(2021, 10, 7)),
]
WORKDAYS_2021 = [  # weekend days worked in exchange (调休上班)
    ("春节", dt.date(2021, 2, 7)),
    ("春节", dt.date(2021, 2, 20)),
    ("劳动节", dt.date(2021, 4, 25)),
    ("劳动节", dt.date(2021, 5, 8)),
    ("中秋节", dt.date(2021, 9, 18)),
    ("国庆节", dt.date(2021, 9, 26)),
    ("国庆节", dt.date(2021, 10, 9)),
]


def load_calendar_2021() -> int:
    """Every 2021 holiday date and make-up working day into CalendarDay (weekend holidays
    are stored too: harmless, and the table reads like the official notice). Idempotent.
    Returns the number of 2021 rows."""
    rows = [(name, WORKDAY, day) for name, day in WORKDAYS_2021]
    for name, first, last in HOLIDAYS_2021:
        rows += [
            (name, HOLIDAY, first + dt.timedelta(days=n)) for n in range((last - first).days + 1)
        ]
    for name, kind, day in rows:
        label = name if kind == HOLIDAY else f"{name}调休上班"
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": label})
    return CalendarDay.objects.filter(date__year=2021).count()


# ---------------------------------------------------------------- categories and places

CATEGORIES = [  # (name, respond days, resolve days, default department, for enterprises)
    ("停车难", 1, 7, "城管局", False),
    ("物业管理", 1, 7, "建设局", False),
    ("噪声扰民", 1, 5, "生态环境局", False),
    ("道路设施", 1, 10, "建设局", False),
    ("环境卫生", 1, 5, "城管局", False),
    ("企业政策咨询", 2, 10, "政务服务办", True),
    ("招聘用工", 2, 10, "人社局", True),
    ("职称评定", 2, 15, "人社局", True),
    ("其他", 1, 7, "社会事务局", False),
]
CATEGORY_WEIGHTS = [15, 18, 12, 10, 12, 10, 8, 5, 10]
FOR_ENTERPRISES = {name for name, *_, for_enterprises in CATEGORIES if for_enterprises}

ESTATES = {  # residential estates per community (雅境园 is the seed article's)
    "和风": ["和风苑", "锦绣园"],
    "和韵": ["雅境园", "和韵家园"],
    "宜禾": ["宜禾里", "美林园"],
    "和畅": ["和畅园", "枫叶苑"],
    "和美": ["和美家园", "悦水园"],
    "和睦": ["和睦里", "康馨园"],
    "和顺": ["和顺苑", "蓝庭园"],
    "季景": ["季景花园", "晴翠园"],
    "惠风": ["惠风溪岸", "云锦园"],
    "锦庐": ["锦庐家园", "樱花苑"],
    "红树": ["红树湾", "沁园"],
    "海滨": ["海滨花园", "观澜苑"],
}
ROADS = ["中天大道", "中新大道", "和畅路", "和旭路", "和风路", "海博道", "汉北路", "中成大道"]
NAMES = [f"{s}{t}" for s in "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林" for t in ("女士", "先生")]

# (text, place); {estate} {road} {road2} {n} {d} are filled in
TEXTS = {
    "停车难": [
        (
            "{estate}小区车位紧张，晚上下班回来找不到车位，很多车停在消防通道上，希望尽快解决。",
            "{estate}小区",
        ),
        ("{road}路边晚上乱停车严重，早上车辆通行困难，请加强管理。", "{road}"),
        (
            "{estate}小区地下车库有空车位但长期不开放，地面停车太挤，希望协调物业开放。",
            "{estate}小区地下车库",
        ),
        ("{estate}小区门口私家车乱停，老人和孩子出门很不方便。", "{estate}小区正门"),
        ("外来车辆长期占用{estate}小区公共车位，多次反映物业未处理。", "{estate}小区"),
        ("{road}附近充电桩车位经常被燃油车占用，电动车没法充电。", "{road}充电站"),
    ],
    "物业管理": [
        ("{estate}小区{n}号楼电梯经常故障，已经停运{d}天，物业迟迟不修。", "{estate}小区{n}号楼"),
        ("{estate}小区物业收费后服务不到位，楼道卫生长期没人打扫。", "{estate}小区"),
        ("{estate}小区{n}号楼楼顶漏水，报修物业一个多月没有处理。", "{estate}小区{n}号楼"),
        ("{estate}小区门禁系统坏了很久，外来人员随意进出，存在安全隐患。", "{estate}小区"),
        ("{estate}小区绿化带杂草丛生，物业不管理，蚊虫很多。", "{estate}小区"),
        ("{estate}小区{n}号楼地下室积水，物业抽水不及时。", "{estate}小区{n}号楼"),
    ],
    "噪声扰民": [
        ("{road}附近工地夜间施工，晚上十一点以后还在作业，严重影响休息。", "{road}施工工地"),
        ("{estate}小区楼下商铺晚上音响声音太大，影响居民休息。", "{estate}小区底商"),
        ("{estate}小区广场舞音量过大，早上六点就开始，希望协调。", "{estate}小区广场"),
        ("{estate}小区{n}号楼有住户装修，周末中午也在施工，噪声很大。", "{estate}小区{n}号楼"),
        ("{road}沿街餐饮店排风设备噪声很大，晚上睡不着。", "{road}沿街商铺"),
    ],
    "道路设施": [
        ("{road}与{road2}交口路灯不亮已经一周，晚上走路很不安全。", "{road}与{road2}交口"),
        ("{road}人行道地砖破损翘起，老人孩子容易绊倒。", "{road}人行道"),
        ("{estate}小区北门外井盖松动，车辆经过响声很大，存在隐患。", "{estate}小区北门"),
        ("{road}公交站附近路面坑洼，雨后积水严重。", "{road}公交站"),
        ("{road}与{road2}交口红绿灯时间太短，行人过马路来不及。", "{road}与{road2}交口"),
    ],
    "环境卫生": [
        ("{estate}小区垃圾分类投放点垃圾满溢，清运不及时，气味很大。", "{estate}小区垃圾投放点"),
        ("{road}绿化带里有大量建筑垃圾，长期没人清理。", "{road}绿化带"),
        ("{road}人行道上宠物粪便多，希望加强宣传和清扫。", "{road}人行道"),
        ("{estate}小区旁边空地堆放杂物，夏天蚊蝇滋生。", "{estate}小区东侧空地"),
        ("{estate}小区周边流浪猫狗较多，卫生状况差。", "{estate}小区周边"),
    ],
    "企业政策咨询": [
        ("我公司想了解申报国家高新技术企业的条件和流程，以及生态城的配套奖励政策。", ""),
        ("企业租用办公用房，想咨询生态城房租补贴政策的申请条件。", ""),
        ("我公司是新注册企业，想了解开办企业有哪些扶持政策。", ""),
        ("咨询研发费用加计扣除政策的办理流程。", ""),
        ("企业想申请科技型中小企业评价入库，不清楚需要准备哪些材料。", ""),
        ("我公司营业执照经营范围变更，想了解能否全程网上办理。", ""),
    ],
    "招聘用工": [
        ("公司急需招聘研发和技术岗位人员，希望人社部门帮助对接招聘渠道。", ""),
        ("咨询招用应届高校毕业生的社保补贴政策。", ""),
        ("企业想参加生态城组织的招聘会，请问如何报名。", ""),
        ("公司引进外地人才，想了解人才落户和住房政策。", ""),
        ("咨询企业稳岗返还政策的申领条件和时间。", ""),
    ],
    "职称评定": [
        ("我公司技术人员想申报中级工程师职称，请问申报渠道和时间。", ""),
        ("咨询民营企业专业技术人员职称评审的条件，公司有多名员工符合年限。", ""),
        ("企业员工的职称申报材料需要单位审核，想了解非公企业的审核流程。", ""),
        ("想了解高级职称评审中论文和业绩成果的具体要求。", ""),
    ],
    "其他": [
        ("{estate}小区附近缺少便民菜市场，买菜很不方便，希望增设。", "{estate}小区周边"),
        ("{estate}小区周边公交线路少，早高峰等车时间长，希望增开班次。", "{road}公交站"),
        ("{estate}小区的社区卫生服务站能否增加周末门诊时间。", "{estate}小区"),
        ("{estate}小区楼下快递柜太少，快递经常放不下。", "{estate}小区"),
        ("{road}附近能否增设公共卫生间。", "{road}"),
        ("{estate}小区儿童游乐设施损坏，希望尽快维修更换。", "{estate}小区游乐场"),
    ],
}

RESOLVED = {
    "停车难": [
        "已联合社区和物业对小区周边占道停车进行整治，施划临时停车位，并安排夜间巡查。",
        "已协调物业开放地下车库车位，居民可按月租用。",
        "已对占用消防通道车辆进行劝离和处罚，设置了禁停标识。",
    ],
    "物业管理": [
        "已督促物业公司完成维修，并约谈物业负责人，要求限期整改服务问题。",
        "物业已完成维修，经现场查看问题已解决。",
        "已责成物业加强保洁和巡查，社区将定期跟踪检查。",
    ],
    "噪声扰民": [
        "已责令施工单位停止夜间施工，确需夜间施工须办理许可并公示。",
        "已约谈商户，降低音量并调整营业时间。",
        "已与相关人员沟通，调整活动时间和音量。",
    ],
    "道路设施": [
        "已完成维修，恢复正常使用。",
        "破损部位已修复，并对周边路段进行了排查。",
    ],
    "环境卫生": [
        "已增加清运频次，垃圾满溢问题已解决。",
        "已组织清理并开展消杀，将加强日常巡查。",
    ],
    "企业政策咨询": [
        "已电话联系企业，详细讲解了相关政策和办理流程，并发送政策文件。",
        "已安排政务服务专员上门指导，企业已提交申请。",
    ],
    "招聘用工": [
        "已将企业岗位需求纳入生态城招聘会，并推送到人才服务平台。",
        "已讲解补贴政策，企业已按流程提交申领材料。",
    ],
    "职称评定": [
        "已向企业讲解职称申报渠道和评审条件，员工已在申报系统完成提交。",
        "已上门指导企业完成申报材料审核。",
    ],
    "其他": [
        "已协调相关单位落实，问题已解决。",
        "已安排维修更换，现已恢复使用。",
    ],
}
EXPLAINED = {
    "停车难": "小区车位缺口属历史遗留问题，周边新建停车场正在规划建设中，建成后将优先满足"
    "周边居民需求，已向诉求人解释说明。",
    "物业管理": "该问题属业主与物业服务企业之间的合同事项，已向诉求人说明可通过业主大会依法"
    "解决，社区将提供指导。",
    "噪声扰民": "该工地属重点工程，经批准连续施工，已要求施工单位采取降噪措施，并向诉求人"
    "解释说明。",
    "道路设施": "该路段已列入年度道路维修计划，将统一施工，已向诉求人解释说明。",
    "环境卫生": "该地块权属单位正在办理手续，暂时无法清理，已督促权属单位尽快处置，并向"
    "诉求人解释说明。",
    "企业政策咨询": "企业目前尚不符合申报条件，已讲解政策要求，建议条件成熟后申报。",
    "招聘用工": "该补贴本期申领已截止，已向企业解释，并告知下一期申报时间。",
    "职称评定": "申报人员专业工作年限尚不满足要求，已向企业解释说明。",
    "其他": "该事项需统筹规划，已纳入研究，已向诉求人解释说明。",
}
OUTSIDE = ["公安交管部门", "供热企业", "通信运营商", "市级主管部门"]
INTERIM = [
    "已收到您的诉求，已安排工作人员现场查看，将尽快处理。",
    "已与您电话联系了解详细情况，正在协调处理。",
    "已转相关科室办理，处理结果将及时告知您。",
]
COMMENTS = {
    RATING.SATISFIED: ["处理很及时，谢谢！", "问题解决了，感谢。", ""],
    RATING.BASICALLY: ["问题基本解决，希望长期保持。", "处理得还可以，就是有点慢。", ""],
    RATING.UNSATISFIED: ["问题没有解决，只是解释了一下。", "处理后又出现同样的问题。"],
}
SEND_BACK = {  # category: (the department it was wrongly sent to, its reason, the right one)
    "停车难": ("建设局", "占道停车管理属城管局职责，请改派。", "城管局"),
    "噪声扰民": ("生态环境局", "建筑施工噪声由建设局监管，请改派。", "建设局"),
    "道路设施": ("建设局", "路灯维护属城管局职责，请改派。", "城管局"),
    "企业政策咨询": ("政务服务办", "人才政策由人社局解答，请改派。", "人社局"),
    "其他": ("社会事务局", "便民设施规划属规划局职责，请改派。", "规划局"),
}
BLOCKED = [  # (reason, requests sitting in review)
    ("多次提交与事实不符的诉求", 2),
    ("反复提交内容重复的诉求", 3),
    ("提交广告推销信息", 2),
    ("多次提交辱骂工作人员的内容", 1),
]
SPAM = [
    "专业疏通下水道、开锁换锁，价格优惠，上门服务。",
    "重复反映：小区所有问题都没人管，要求领导马上答复。",
    "家政保洁特价优惠，欢迎联系。",
]

# ---------------------------------------------------------------- plans


@dataclass
class Step:
    at: dt.datetime
    action: str  # submit dispatch send_back accept reply close rate edit supervise link
    args: dict = field(default_factory=dict)


@dataclass
class RequestPlan:
    category: str
    text: str
    phone: str
    community: str | None  # without 社区
    enterprise: str = ""
    place: str = ""
    name: str = ""
    steps: list[Step] = field(default_factory=list)


@dataclass
class _World:
    today: dt.date
    departments: dict[str, Department]
    communities: dict[str, Community]
    enterprises: list[Enterprise]
    categories: dict[str, RequestCategory]
    calendar: dict[dt.date, str]
    tracking_numbers: set[str]


def load(*, today: dt.date | None = None) -> dict:
    """Build (or complete) the demo requests. Returns counts of what exists afterwards."""
    with transaction.atomic():
        calendar_days = load_calendar_2021()
        departments = {d.short_name: d for d in Department.objects.all()}
        if all(short in departments for _, _, _, short, _ in CATEGORIES):
            world = _World(
                today=today or timezone.localdate(),
                departments=departments,
                communities={c.name.removesuffix("社区"): c for c in Community.objects.all()},
                enterprises=list(Enterprise.objects.select_related("community").order_by("id")),
                categories=_categories(departments),
                calendar=dict(CalendarDay.objects.values_list("date", "kind")),
                tracking_numbers=set(
                    ServiceRequest.objects.values_list("tracking_number", flat=True)
                ),
            )
            _load_requests(world)
    return {
        "requests": ServiceRequest.objects.count(),
        "closed": ServiceRequest.objects.filter(status=S.CLOSED).count(),
        "rated": ServiceRequest.objects.exclude(rating="").count(),
        "calendar_days": calendar_days,
    }


def _categories(departments: dict[str, Department]) -> dict[str, RequestCategory]:
    out = {}
    for position, (name, respond, resolve, short, for_enterprises) in enumerate(CATEGORIES, 1):
        out[name], _ = RequestCategory.objects.get_or_create(
            name=name,
            defaults={
                "respond_days": respond,
                "resolve_days": resolve,
                "department": departments[short],
                "for_enterprises": for_enterprises,
                "position": position,
            },
        )
    return out


def _load_requests(w: _World) -> None:
    rng = random.Random(SEED)
    plans = _plans(w, rng)
    existing = set(ServiceRequest.objects.values_list("phone", "original_text"))
    for index, plan in enumerate(plans):
        if (plan.phone, plan.text) not in existing:
            _build(plan, index, w, random.Random(SEED + index))


def _plans(w: _World, rng: random.Random) -> list[RequestPlan]:
    seen: set[tuple[str, str]] = set()
    residents = [synthetic.mobile(rng) for _ in range(260)]
    contacts = {e.name: synthetic.mobile(rng) for e in w.enterprises}
    plans = _article_plans(w, rng)
    total = sum(MONTH_WEIGHTS)
    months = [  # spread over the year as the weights say, not as the dice fall
        month
        for month, weight in enumerate(MONTH_WEIGHTS, 1)
        for _ in range(round(YEAR_REQUESTS * weight / total))
    ]
    for month in months:
        plan = _year_plan(w, rng, month, residents, contacts, seen)
        if plan is not None:
            plans.append(plan)
    plans += _open_plans(w, rng, residents, contacts, seen)
    plans += _blocked_plans(w, rng)
    return plans


# ---------------------------------------------------------------- the year's requests


def _article_plans(w: _World, rng: random.Random) -> list[RequestPlan]:
    """Two 雅境园 residents' parking requests, taken up by the director's on-site visit on
    8 March and closed when the new car park opened (the ledger's deed)."""
    plans = []
    texts = [
        ("雅境园小区停车太难了，东侧新建停车场盖好很久了，什么时候能投入使用？", 2, 22),
        ("雅境园小区晚上车辆占道停车，消防通道经常被堵，希望尽快解决停车问题。", 3, 2),
    ]
    for index, (text, month, day) in enumerate(texts):
        submitted = dt.datetime(2021, month, day, 20, 15 + index * 20, tzinfo=TZ)
        dispatched = _office(submitted + dt.timedelta(hours=1), rng, w)
        steps = [Step(submitted, "submit"), _dispatch(w, "停车难", "建设局", dispatched)]
        accepted = dispatched + dt.timedelta(hours=2)
        steps += [
            Step(accepted, "accept"),
            Step(accepted + dt.timedelta(minutes=30), "reply", {"text": INTERIM[0]}),
            Step(dt.datetime(2021, 3, 8, 11, 30, tzinfo=TZ), "link", {"title": YAJINGYUAN}),
        ]
        closed = dt.datetime(2021, 3, 29, 10, 0, tzinfo=TZ)
        result = "东侧新建停车场已于3月28日投入使用，新增停车位320个，周边占道停车同步整治。"
        steps.append(Step(closed, "close", {"outcome": OUT.RESOLVED, "text": result}))
        steps.append(Step(closed + dt.timedelta(hours=9), "rate", {"value": RATING.SATISFIED}))
        plans.append(
            RequestPlan(
                "停车难",
                text,
                synthetic.mobile(rng),
                "和韵",
                place="雅境园小区",
                name=NAMES[index * 3],
                steps=steps,
            )
        )
    return plans


MONTH_WEIGHTS = [22, 16, 28, 30, 32, 34, 36, 34, 30, 30, 26, 24]  # fewer in the Spring Festival


def _year_plan(w, rng, month, residents, contacts, seen) -> RequestPlan | None:
    last = (dt.date(2021 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    hour = rng.choices(range(7, 23), [2, 6, 8, 8, 6, 5, 6, 7, 7, 6, 5, 6, 8, 8, 6, 3])[0]
    submitted = dt.datetime(2021, month, rng.randint(1, last), hour, rng.randrange(60), tzinfo=TZ)
    plan = _new_plan(w, rng, residents, contacts, seen)
    if plan is None:
        return None
    plan.steps = [Step(submitted, "submit")]
    if plan.name and rng.random() < 0.015:  # the operator takes out a name typed into the text
        plan.text = f"我姓{plan.name[0]}，住在附近。{plan.text}"
        plan.steps.append(Step(submitted + dt.timedelta(minutes=40), "edit"))
    _handle(plan, w, rng, _office(submitted + dt.timedelta(hours=rng.uniform(0.3, 3)), rng, w))
    return plan


def _new_plan(w, rng, residents, contacts, seen, category=None) -> RequestPlan | None:
    """A request's who, where and what; None when no new (phone, text) pair turns up."""
    for _ in range(10):
        category = category or rng.choices([c[0] for c in CATEGORIES], CATEGORY_WEIGHTS)[0]
        template, place = rng.choice(TEXTS[category])
        if category in FOR_ENTERPRISES:
            enterprise = w.enterprises[min(int(rng.expovariate(0.08)), len(w.enterprises) - 1)]
            community = enterprise.community.name.removesuffix("社区")
            phone, name = contacts[enterprise.name], f"{rng.choice('王李张刘陈杨')}经理"
            enterprise_name = enterprise.name
        else:
            community = rng.choice(list(ESTATES))
            phone, name, enterprise_name = rng.choice(residents), rng.choice(NAMES), ""
        roads = rng.sample(ROADS, 2)
        values = {
            "estate": rng.choice(ESTATES[community]),
            "road": roads[0],
            "road2": roads[1],
            "n": rng.randint(1, 28),
            "d": rng.randint(2, 9),
        }
        text = template.format(**values)
        if (phone, text) in seen or sum(p == phone for p, _ in seen) >= 5:
            continue
        seen.add((phone, text))
        return RequestPlan(
            category,
            text,
            phone,
            community if community in w.communities else None,
            enterprise=enterprise_name,
            place=place.format(**values),
            name=name if rng.random() < 0.7 else "",
        )
    return None


def _handle(plan: RequestPlan, w: _World, rng: random.Random, dispatched: dt.datetime) -> None:
    """Dispatch, (send back), respond, (reply), close and (rate) a request of 2021."""
    category, steps = plan.category, plan.steps
    department = w.categories[category].department.short_name
    if category in SEND_BACK and rng.random() < 0.08:
        wrong, reason, department = SEND_BACK[category]
        steps.append(_dispatch(w, category, wrong, dispatched))
        back = _office(dispatched + dt.timedelta(hours=rng.uniform(1, 6)), rng, w)
        steps.append(Step(back, "send_back", {"reason": reason}))
        dispatched = _office(back + dt.timedelta(hours=rng.uniform(0.5, 3)), rng, w)
    steps.append(_dispatch(w, category, department, dispatched))
    respond_by, resolve_by = steps[-1].args["respond_by"], steps[-1].args["resolve_by"]
    if rng.random() < 0.08:  # a late response
        responded = _office(respond_by + dt.timedelta(hours=rng.uniform(1, 48)), rng, w)
    else:
        responded = _office(dispatched + dt.timedelta(hours=rng.uniform(0.2, 5)), rng, w)
        responded = min(responded, respond_by - dt.timedelta(minutes=rng.randint(30, 300)))
    last = responded
    if rng.random() < 0.15:  # answered straight away: the reply is the response
        steps.append(Step(responded, "reply", {"text": rng.choice(INTERIM)}))
    else:
        steps.append(Step(responded, "accept"))
        if rng.random() < 0.6:
            last = _office(responded + dt.timedelta(hours=rng.uniform(1, 30)), rng, w)
            steps.append(Step(last, "reply", {"text": rng.choice(INTERIM)}))
    outcome = rng.choices([OUT.RESOLVED, OUT.EXPLAINED, OUT.OUT_OF_REMIT], [78, 16, 6])[0]
    if rng.random() < 0.1:  # closed late
        closed = resolve_by + dt.timedelta(days=rng.uniform(1, 10))
    else:
        closed = dispatched + (resolve_by - dispatched) * rng.uniform(0.15, 0.9)
    closed = _office(max(closed, last + dt.timedelta(hours=2)), rng, w)
    steps.append(
        Step(closed, "close", {"outcome": outcome, "text": _result(category, outcome, rng)})
    )
    _follow_up(plan, w, rng, outcome, closed)


def _dispatch(w: _World, category: str, department: str, at: dt.datetime) -> Step:
    kind = w.categories[category]
    args = {
        "department": department,
        "respond_by": add_working_days(at, kind.respond_days),
        "resolve_by": add_working_days(at, kind.resolve_days),
    }
    return Step(at, "dispatch", args)


def _result(category: str, outcome: str, rng: random.Random) -> str:
    if outcome == OUT.RESOLVED:
        return rng.choice(RESOLVED[category])
    if outcome == OUT.EXPLAINED:
        return EXPLAINED[category]
    unit = rng.choice(OUTSIDE)
    return f"经核实，该事项属{unit}职责，已告知诉求人向{unit}反映，并将诉求转告该单位。"


RATE_CHANCE = {OUT.RESOLVED: 0.75, OUT.EXPLAINED: 0.65, OUT.OUT_OF_REMIT: 0.35}
RATE_VALUES = {  # outcome: weights of 满意, 基本满意, 不满意
    OUT.RESOLVED: [78, 15, 7],
    OUT.EXPLAINED: [30, 40, 30],
    OUT.OUT_OF_REMIT: [30, 40, 30],
}


def _follow_up(plan, w, rng, outcome, closed) -> None:
    """Rated by most, on the tracking page or in the operator's phone follow-up; "不满意"
    reopens the request, which the department closes again and is mostly rated again."""
    if rng.random() >= RATE_CHANCE[outcome]:
        return
    value = rng.choices(list(RATING.values), RATE_VALUES[outcome])[0]
    rated = _rate(plan, w, rng, value, closed)
    if value != RATING.UNSATISFIED:
        return
    last = rated
    if rng.random() < 0.6:
        last = _office(rated + dt.timedelta(hours=rng.uniform(2, 48)), rng, w)
        plan.steps.append(Step(last, "reply", {"text": "已再次安排人员现场核查，正在整改。"}))
    outcome = rng.choices([OUT.RESOLVED, OUT.EXPLAINED], [70, 30])[0]
    closed = _office(last + dt.timedelta(days=rng.uniform(1, 6)), rng, w)
    text = _result(plan.category, outcome, rng)
    plan.steps.append(Step(closed, "close", {"outcome": outcome, "text": text}))
    if rng.random() < 0.85:
        _rate(plan, w, rng, rng.choices(list(RATING.values), [40, 35, 25])[0], closed)


def _rate(plan, w, rng, value, closed) -> dt.datetime:
    args = {"value": value, "comment": rng.choice(COMMENTS[value])}
    if rng.random() < 0.1:  # the operator's phone follow-up (电话回访)
        at = _office(closed + dt.timedelta(days=rng.uniform(1, 5)), rng, w)
        args["phone"] = True
    else:
        at = closed + dt.timedelta(hours=rng.uniform(2, 96))
    first = not any(step.action == "rate" for step in plan.steps)
    if value == RATING.UNSATISFIED and first:  # reopens: a new resolution deadline
        args["resolve_by"] = add_working_days(at, w.categories[plan.category].resolve_days)
    plan.steps.append(Step(at, "rate", args))
    return at


def _office(moment: dt.datetime, rng: random.Random, w: _World) -> dt.datetime:
    """`moment`, or the next office hour (08:30 to 17:30 of a working day) after it."""
    local = moment.astimezone(TZ)
    day = local.date()
    opens = dt.datetime.combine(day, dt.time(8, 30), tzinfo=TZ)
    if is_working_day(day, w.calendar) and local.time() < dt.time(17, 30):
        if local >= opens:
            return local
        return opens + dt.timedelta(minutes=rng.randrange(90))
    day += dt.timedelta(days=1)
    while not is_working_day(day, w.calendar):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ) + dt.timedelta(
        minutes=rng.randrange(120)
    )


# ---------------------------------------------------------------- in hand on the load day

OPEN = [  # (category, days since dispatch or None for 待派单, state, replied, supervised)
    ("停车难", None, S.PENDING, False, False),
    ("环境卫生", None, S.PENDING, False, False),
    ("噪声扰民", 1, S.DISPATCHED, False, False),
    ("职称评定", 2, S.DISPATCHED, False, False),
    ("物业管理", 5, S.DISPATCHED, False, False),  # not even accepted: the response is late
    ("物业管理", 2, S.ACCEPTED, False, False),
    ("企业政策咨询", 3, S.ACCEPTED, True, False),
    ("道路设施", 6, S.ACCEPTED, True, False),
    ("噪声扰民", 3, S.ACCEPTED, True, False),
    ("环境卫生", 4, S.ACCEPTED, False, False),
    ("环境卫生", 7, S.ACCEPTED, False, False),
    ("招聘用工", 9, S.ACCEPTED, True, False),
    ("停车难", 12, S.ACCEPTED, True, False),
    ("其他", 16, S.ACCEPTED, False, False),
    ("物业管理", 24, S.ACCEPTED, True, True),
    ("停车难", 30, S.ACCEPTED, True, True),
]


def _open_plans(w, rng, residents, contacts, seen) -> list[RequestPlan]:
    plans = []
    for category, days, state, replied, supervised in OPEN:
        plan = _new_plan(w, rng, residents, contacts, seen, category)
        if plan is None:
            continue
        base = w.today - dt.timedelta(days=days or 1)
        submitted = dt.datetime.combine(base, dt.time(9), tzinfo=TZ) - dt.timedelta(
            hours=rng.uniform(0.5, 12)
        )
        plan.steps = [Step(submitted, "submit")]
        if state != S.PENDING:
            dispatched = dt.datetime.combine(base, dt.time(9, 20), tzinfo=TZ)
            department = w.categories[category].department.short_name
            plan.steps.append(_dispatch(w, category, department, dispatched))
        if state == S.ACCEPTED:
            accepted = dispatched + dt.timedelta(hours=rng.uniform(0.5, 6))
            plan.steps.append(Step(accepted, "accept"))
            if replied:
                at = accepted + dt.timedelta(days=1)
                plan.steps.append(Step(at, "reply", {"text": rng.choice(INTERIM)}))
        if supervised:
            at = dt.datetime.combine(w.today - dt.timedelta(days=1), dt.time(10), tzinfo=TZ)
            message = "该诉求已超过办理时限，请于3个工作日内办结并反馈。"
            plan.steps.append(Step(at, "supervise", {"message": message}))
        plans.append(plan)
    return plans


def _blocked_plans(w: _World, rng: random.Random) -> list[RequestPlan]:
    """The blocklisted phones (listed in 2021) and their recent requests, held for review."""
    plans = []
    for index, (reason, count) in enumerate(BLOCKED):
        phone = synthetic.mobile(rng)
        community = rng.choice(list(ESTATES))
        for n in range(count):
            submitted = dt.datetime.combine(
                w.today - dt.timedelta(days=2 + 3 * n + index), dt.time(23, 5 + index), tzinfo=TZ
            )
            steps = [Step(submitted, "submit", {"block": reason})]
            text = f"{SPAM[(index + n) % len(SPAM)]}（第{n + 1}次）"
            plans.append(
                RequestPlan(
                    "其他", text, phone, community, place=ESTATES[community][0], steps=steps
                )
            )
    return plans


# ---------------------------------------------------------------- building


def _build(plan: RequestPlan, index: int, w: _World, rng: random.Random) -> None:
    """Run the plan's steps through the services, then set the times they stamped to the
    planned moments."""
    request, extra = None, {}
    for done, step in enumerate(plan.steps):
        if step.action == "supervise":  # its level reads the (historic) deadline
            _stamp(request, plan.steps[:done], extra)
        request, fields = _run(request, plan, step, w, rng, index)
        extra.update(fields)
    _stamp(request, plan.steps, extra)


EVENT_KINDS = {  # the timeline entries each step writes
    "submit": {E.SUBMITTED, E.HELD},
    "dispatch": {E.DISPATCHED},
    "send_back": {E.SENT_BACK},
    "accept": {E.ACCEPTED},
    "reply": {E.REPLIED},
    "close": {E.CLOSED},
    "rate": {E.RATED, E.REOPENED},
    "edit": set(),
    "supervise": {E.SUPERVISED},
    "link": {E.LINKED},
}


def _stamp(request: ServiceRequest, steps: list[Step], extra: dict) -> None:
    """The request's times, its timeline's and its ratings' as the steps planned them."""
    events = list(request.events.order_by("id"))
    at = iter(steps)
    step = next(at)
    for event in events:
        while event.kind not in EVENT_KINDS[step.action]:
            step = next(at)
        event.at = step.at
    RequestEvent.objects.bulk_update(events, ["at"])
    fields = {"created_at": steps[0].at, "updated_at": steps[-1].at, **extra}
    rated = 0
    for step in steps:
        if step.action == "dispatch":
            fields.setdefault("first_dispatched_at", step.at)
            fields.update(dispatched_at=step.at)
            fields.update((k, step.args[k]) for k in ("respond_by", "resolve_by"))
        elif step.action in ("accept", "reply"):
            fields.setdefault("responded_at", step.at)
        elif step.action == "close":
            fields["closed_at"] = step.at
        elif step.action == "rate":
            rated += 1
            fields["rated_at"] = step.at
            RequestRating.objects.filter(request=request, round=rated).update(at=step.at)
            if "resolve_by" in step.args:  # reopened
                fields.update(closed_at=None, resolve_by=step.args["resolve_by"])
    ServiceRequest.objects.filter(pk=request.pk).update(**fields)


def _run(request, plan, step, w, rng, index) -> tuple[ServiceRequest, dict]:
    """One step through its service. Returns the request and fields to set when stamping."""
    args = step.args
    if step.action == "submit":
        return _submit(plan, step, w, rng, index), {}
    if step.action == "dispatch":
        department = w.departments[args["department"]]
        services.dispatch_request(request, by=None, department=department)
    elif step.action == "send_back":
        services.send_back_request(request, by=None, reason=args["reason"])
    elif step.action == "accept":
        services.accept_request(request, by=None)
    elif step.action == "reply":
        services.reply_to_request(request, by=None, text=args["text"])
    elif step.action == "close":
        services.close_request(request, by=None, outcome=args["outcome"], text=args["text"])
    elif step.action == "rate":
        rate = services.record_phone_rating if args.get("phone") else services.rate_request
        rate(request, by=None, value=args["value"], comment=args.get("comment", ""))
    elif step.action == "edit":  # without the sentence that named the requester
        services.edit_request_text(request, by=None, text=plan.text.split("。", 1)[1])
    elif step.action == "supervise":
        notice = services.supervise_request(request, by=None, message=args["message"])
        Supervision.objects.filter(pk=notice.pk).update(issued_at=step.at)
    elif step.action == "link":
        return request, _link(request, step)
    return request, {}


def _submit(plan, step, w, rng, index) -> ServiceRequest:
    if "block" in step.args:
        blocked = services.block_phone(plan.phone, by=None, reason=step.args["block"])
        BlockedPhone.objects.filter(pk=blocked.pk).update(
            created_at=dt.datetime(2021, 11, 15, 10, index % 50, tzinfo=TZ)
        )
    request = services.submit_request(
        category=w.categories[plan.category],
        text=plan.text,
        phone=plan.phone,
        community=w.communities.get(plan.community) if plan.community else None,
        enterprise_name=plan.enterprise,
        place=plan.place,
        name=plan.name,
        ip=f"{('198.51.100', '192.0.2')[index % 2]}.{index // 2 % 254 + 1}",  # documentation
    )
    number = None
    while number is None or number in w.tracking_numbers:
        number = f"{timezone.localtime(step.at):%Y%m%d}{rng.randrange(10**6):06d}"
    w.tracking_numbers.add(number)
    # now, so that the audit entries of the later steps name the request by its number
    ServiceRequest.objects.filter(pk=request.pk).update(tracking_number=number)
    request.tracking_number = number
    return request


def _link(request: ServiceRequest, step: Step) -> dict:
    """The request taken up by an existing deed of the ledger (when the deeds demo is there)."""
    deed = Deed.objects.filter(title=step.args["title"]).first()
    if deed is None:
        return {}
    RequestEvent.objects.create(
        request=request, kind=E.LINKED, at=step.at, department=deed.owner, text=deed.title
    )
    return {"deed": deed}


def credit_phone_ratings(username: str) -> int:
    """The demo's phone follow-ups were recorded before the demo accounts existed: name the
    operator's account as their recorder (记录人), as a real follow-up would."""
    from dangjian.accounts.models import User
    from dangjian.deeds.models import RequestRating

    operator = User.objects.filter(username=username).first()
    if operator is None:
        return 0
    phone = RequestRating.objects.filter(via=RequestRating.Via.PHONE, recorded_by=None)
    return phone.update(recorded_by=operator)
