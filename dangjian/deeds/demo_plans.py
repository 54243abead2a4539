"""The demo ledger's deeds as data (`deeds/demo.py` loads them): the seed article's three, the
campaign's 2021 deeds closed out, and the deeds still open, whose days count from the day the
demo is loaded. No text here holds a phone or ID number (the masking crawl would find it)."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
SEED = 20210308  # the director's on-site visit

YAJINGYUAN = "雅境园小区停车难问题：推动新建停车场尽快投入使用"
ZHONGKE = "支持天津中科生物科技有限公司申报国家高新技术企业"
HR_VISITS = "走访重点企业开展人员招聘、人才政策和职称申报政策讲解"
PARTY_DAY = "“学一段党史 办一件实事”特色党日：走访天津中科生物科技有限公司"
HR_ACTIVITY = "结合人才招聘工作走访区内重点企业"
TEA_ACTIVITY = "“政企下午茶”：以党建促服务，为企业解难题"
ZHONGKE_NAME = "天津中科生物科技有限公司"
TAIJI = "太极智慧城市运营服务（天津）有限公司"
CHANGQINGSHU = "常青树企业管理咨询（天津）有限公司"
NAMED = (ZHONGKE_NAME, TAIJI, CHANGQINGSHU)

# A day is a date, or an int: that many days from the day the demo is loaded.
Day = dt.date | int


@dataclass
class VisitPlan:
    at: dt.datetime | int  # an aware time, or days ago (at 10:00)
    place: str
    visitors: str
    observed: str
    decided: str = ""
    department: str | None = None  # short name; the owner by default
    photos: int = 0


@dataclass
class Plan:
    title: str
    owner: str  # department short name
    source: str
    deadline: Day
    state: str  # proposed / committed / in_progress / awaiting / fixed / partly / not_fixed /
    # cancelled
    description: str = ""
    leader: str = ""
    beneficiaries: str = ""
    co: list[tuple[str, str]] = field(default_factory=list)  # (short name, task)
    owner_task: str = ""
    communities: list[str] = field(default_factory=list)  # without 社区
    enterprises: list[str | int] = field(default_factory=list)  # a name, or an index (below)
    activity: str | None = None  # the title of the activity the deed came from
    milestones: list[tuple] = field(default_factory=list)  # (title, planned, done, dept)
    visits: list[VisitPlan] = field(default_factory=list)
    progress: dict[str, tuple[int, str]] = field(default_factory=dict)  # short name → (%, note)
    evidence: str = ""
    evidence_photos: int = 0
    reason: str = ""  # why not fixed, or why cancelled
    supervision: tuple[str, str] | None = None  # (message, answer or "")


def _at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, minute, tzinfo=TZ)


def _d(month: int, day: int) -> dt.date:
    return dt.date(2021, month, day)


# ---------------------------------------------------------------- the article's deeds

ARTICLE = [
    Plan(
        YAJINGYUAN,
        "建设局",
        "research",
        _d(3, 31),
        "fixed",
        description=(
            "雅境园小区车位缺口大，夜间占道停车问题突出，居民反映强烈。小区东侧新建停车场"
            "主体已完工，须尽快完成配套工程并明确投入使用后的管理。"
        ),
        leader="管委会主任",
        beneficiaries="雅境园小区居民",
        owner_task="完成新建停车场配套工程，推动尽快投入使用",
        co=[("城管局", "制定停车场投入使用后的管理方案，整治周边占道停车")],
        communities=["和韵"],
        milestones=[
            ("新建停车场主体完工", _d(2, 28), _d(2, 26), None),
            ("管委会主任现场办公，议定剩余工程和管理办法", _d(3, 8), _d(3, 8), None),
            ("道闸、照明和地面标线施工完成", _d(3, 18), _d(3, 17), None),
            ("制定停车场管理方案，公示收费标准", _d(3, 20), _d(3, 19), "城管局"),
            ("新建停车场投入使用", _d(3, 31), _d(3, 28), None),
        ],
        visits=[
            VisitPlan(
                _at(3, 8, 9, 30),
                "雅境园小区及东侧新建停车场",
                "管委会主任带队，建设局、城管局、规划局和和韵社区负责同志",
                "小区车位缺口大，夜间占道停车严重；新建停车场主体已完工，出入口道闸、照明和"
                "地面标线尚未完成，投入使用后的管理和收费办法尚未明确。",
                "现场查看、现场办公、现场解决：建设局10日内完成道闸、照明和标线施工；城管局同步"
                "制定停车场管理方案，公示收费标准；推动新建停车场3月底前投入使用。",
                photos=2,
            ),
        ],
        progress={
            "建设局": (100, "配套工程全部完工，停车场已于3月28日投入使用。"),
            "城管局": (100, "管理方案已实施，小区周边占道停车明显减少。"),
        },
        evidence=(
            "新建停车场于3月28日投入使用，新增停车位320个；城管局管理方案同步实施，小区周边"
            "夜间占道停车明显减少。附停车场投入使用现场照片。"
        ),
        evidence_photos=1,
    ),
    Plan(
        ZHONGKE,
        "科技创新局",
        "party_day",
        _d(6, 30),
        "fixed",
        description=(
            "科技创新局党支部开展“学一段党史 办一件实事”特色党日活动，支部书记带队走访"
            "生物医药企业天津中科生物科技有限公司，解答企业申报国家高企中遇到的问题。"
        ),
        leader="科技创新局局长",
        beneficiaries="天津中科生物科技有限公司",
        owner_task="解答申报问题，纳入国家高企申报储备库，跟踪辅导申报",
        enterprises=[ZHONGKE_NAME],
        activity=PARTY_DAY,
        milestones=[
            ("走访企业，解答申报国家高企中遇到的问题", _d(3, 16), _d(3, 16), None),
            ("将企业纳入国家高企申报储备库", _d(3, 31), _d(3, 19), None),
            ("辅导企业完善研发费用归集和知识产权材料", _d(5, 31), _d(5, 27), None),
            ("企业完成国家高企申报", _d(6, 30), _d(6, 24), None),
        ],
        visits=[
            VisitPlan(
                _at(3, 16, 14, 20),
                ZHONGKE_NAME,
                "科技创新局党支部书记带队，支部党员7人",
                "企业在申报国家高企过程中，对研发费用归集口径、知识产权与主营产品的关联、"
                "高新技术产品收入核算存在疑问。",
                "逐项耐心解答，宣传科技政策；将企业纳入国家高企申报储备库，指定专人跟踪辅导。",
                photos=1,
            ),
        ],
        evidence="企业已纳入国家高企申报储备库，并在辅导下按期完成国家高新技术企业申报。",
    ),
    Plan(
        HR_VISITS,
        "人社局",
        "visit",
        _d(5, 31),
        "fixed",
        description=(
            "人社局党支部结合人才招聘工作，走访区内重点企业，针对企业关心的人员招聘、"
            "人才政策、职称申报等进行详细的政策讲解，并跟踪解决企业提出的问题。"
        ),
        leader="人社局局长",
        beneficiaries="区内重点企业",
        owner_task="走访企业讲解政策，对接招聘需求，辅导职称申报",
        enterprises=[TAIJI, CHANGQINGSHU],
        activity=HR_ACTIVITY,
        milestones=[
            ("走访重点企业，现场讲解人才和职称政策", _d(3, 17), _d(3, 17), None),
            ("为企业对接春季招聘会岗位", _d(4, 15), _d(4, 10), None),
            ("辅导企业人员完成职称申报", _d(5, 31), _d(5, 20), None),
        ],
        visits=[
            VisitPlan(
                _at(3, 17, 9, 45),
                TAIJI,
                "人社局党支部书记带队，支部党员5人",
                "企业业务扩张，急需数据分析和运维人才；关心人才落户、住房补贴政策和工程系列"
                "职称申报条件。",
                "现场讲解人才政策和职称申报条件；将企业岗位纳入春季招聘会，开通招聘绿色通道。",
            ),
            VisitPlan(
                _at(3, 17, 11, 0),
                CHANGQINGSHU,
                "人社局党支部书记带队，支部党员5人",
                "企业关心新招员工社会保险办理、稳岗补贴申领和人才引进政策。",
                "现场讲解稳岗补贴和人才引进政策，指导企业通过网上渠道申领补贴。",
            ),
        ],
        evidence="两家企业的招聘岗位已纳入春季招聘会，稳岗补贴已申领到位，职称申报已完成。",
    ),
]

# ---------------------------------------------------------------- the 2021 deeds, closed out

CLOSED = [
    Plan(
        "“项目审批服务季”：为124个新建项目提供一对一跟踪服务",
        "政务服务办",
        "assignment",
        _d(12, 31),
        "fixed",
        description=(
            "政务服务办会同建设局等部门组织审批人员成立前期手续审批服务小组，以“政务小飞侠”"
            "的服务方式，为生态城内124个新建项目提供主动审批服务。"
        ),
        leader="政务服务办主任",
        beneficiaries="124个新建项目的建设单位",
        owner_task="建立项目服务台账，一对一跟踪服务",
        co=[("建设局", "施工许可并联审批"), ("规划局", "规划许可提前介入")],
        milestones=[
            ("组建前期手续审批服务小组", _d(3, 15), _d(3, 12), None),
            ("建立124个新建项目服务台账", _d(3, 20), _d(3, 18), None),
            ("上半年开工项目前期手续全部办结", _d(6, 30), _d(6, 28), "建设局"),
            ("全部项目规划许可办结", _d(9, 30), _d(9, 26), "规划局"),
            ("全部项目前期手续办结", _d(12, 15), _d(12, 10), None),
        ],
        evidence="124个新建项目前期手续全部办结，平均审批时间缩短四成。",
    ),
    Plan(
        "企业开办“一窗通办”，开办时间压缩至1个工作日",
        "政务服务办",
        "enterprise",
        _d(6, 30),
        "fixed",
        description="整合企业登记、刻章、申领发票和社保登记，一个窗口受理，一个工作日办结。",
        leader="政务服务办副主任",
        beneficiaries="新开办企业",
        milestones=[
            ("梳理企业开办全部环节和材料", _d(4, 15), _d(4, 12), None),
            ("“一窗通办”窗口开通", _d(5, 10), _d(5, 8), None),
        ],
        evidence="“一窗通办”窗口已开通，企业开办全程1个工作日办结。",
    ),
    Plan(
        "党群服务中心延长开放时间，周末为党员群众提供服务",
        "党群部",
        "resident",
        _d(5, 31),
        "fixed",
        description="党员群众反映工作日无暇办理党员组织关系转接等事项，党群服务中心周末开放。",
        leader="党群工作部部长",
        beneficiaries="辖区党员群众",
        milestones=[("制定周末值班安排", _d(4, 10), _d(4, 8), None)],
        evidence="党群服务中心自4月起周六全天开放，已接待党员群众办事。",
    ),
    Plan(
        "和畅路夜间占道停车综合整治",
        "城管局",
        "resident",
        _d(7, 31),
        "fixed",
        description="和畅路沿线夜间路侧违停多，影响公交通行和居民出行。",
        leader="城管局局长",
        beneficiaries="和畅社区居民",
        co=[("建设局", "增设临时停车泊位")],
        communities=["和畅"],
        milestones=[
            ("施划临时停车泊位", _d(6, 10), _d(6, 5), "建设局"),
            ("开展夜间集中整治", _d(6, 30), _d(6, 30), None),
        ],
        visits=[
            VisitPlan(
                _at(5, 12, 20, 30),
                "和畅路沿线",
                "城管局分管负责同志、执法大队、和畅社区网格员",
                "夜间路侧违停车辆较多，部分占用公交站台，公交车进出站困难。",
                "建设局在周边空地施划临时泊位；执法大队每晚开展巡查劝导。",
            ),
        ],
        evidence="新增临时泊位180个，夜间巡查常态化，占道停车基本消除。",
    ),
    Plan(
        "增设社区垃圾分类驿站并开展分类指导",
        "城管局",
        "resident",
        _d(9, 30),
        "fixed",
        leader="城管局副局长",
        beneficiaries="和美、和睦、和顺社区居民",
        communities=["和美", "和睦", "和顺"],
        milestones=[
            ("完成驿站选址", _d(6, 30), _d(6, 25), None),
            ("12处分类驿站投入使用", _d(9, 15), _d(9, 10), None),
        ],
        evidence="三个社区新增分类驿站12处，志愿者定时指导，居民分类投放率明显提高。",
    ),
    Plan(
        "宜禾社区周边餐饮油烟扰民整治",
        "生态环境局",
        "resident",
        _d(6, 30),
        "fixed",
        description="宜禾社区居民反映周边餐饮商户油烟扰民。",
        leader="生态环境局局长",
        beneficiaries="宜禾社区居民",
        co=[("城管局", "督促商户规范经营")],
        communities=["宜禾"],
        milestones=[
            ("逐户排查餐饮商户油烟净化设施", _d(5, 10), _d(5, 6), None),
            ("完成净化设施更换和清洗", _d(6, 20), _d(6, 18), None),
        ],
        visits=[
            VisitPlan(
                _at(4, 22, 15, 0),
                "宜禾社区商业街",
                "生态环境局、城管局执法人员，宜禾社区党委书记",
                "部分商户油烟净化设施老化、清洗不及时，排烟口正对居民楼。",
                "限期更换净化设施、调整排烟口方向；建立定期清洗台账。",
                department="生态环境局",
            ),
        ],
        evidence="23户餐饮商户完成净化设施更换和清洗，排烟口全部改向，居民回访满意。",
    ),
    Plan(
        "社区老年助餐点建设",
        "社会事务局",
        "resident",
        _d(10, 31),
        "fixed",
        description="为社区老年人提供就近用餐服务，解决老年人“吃饭难”。",
        leader="社会事务局局长",
        beneficiaries="和风、季景、惠风社区老年人",
        communities=["和风", "季景", "惠风"],
        milestones=[
            ("确定助餐点和供餐单位", _d(6, 30), _d(6, 28), None),
            ("三处助餐点开业", _d(10, 15), _d(10, 9), None),
        ],
        visits=[
            VisitPlan(
                _at(9, 28, 11, 0),
                "和风社区老年助餐点",
                "社会事务局分管负责同志、和风社区党委书记",
                "助餐点装修完成，厨房和消防设施验收合格，正在试运行。",
                "10月上旬正式开业，对高龄、独居老人提供送餐上门。",
            ),
        ],
        evidence="三处老年助餐点已开业运营，日均就餐老人约200人次。",
    ),
    Plan(
        "科技型中小企业评价入库“一对一”辅导",
        "科技创新局",
        "enterprise",
        _d(5, 31),
        "fixed",
        leader="科技创新局副局长",
        beneficiaries="区内科技型中小企业",
        enterprises=[0, 1, 2, 3],
        milestones=[("完成企业摸底", _d(4, 10), _d(4, 9), None)],
        evidence="辅导的4家企业全部通过科技型中小企业评价入库。",
    ),
    Plan(
        "高校毕业生就业见习岗位对接",
        "人社局",
        "enterprise",
        _d(8, 31),
        "fixed",
        leader="人社局副局长",
        beneficiaries="高校毕业生、区内企业",
        enterprises=[4, 5],
        milestones=[
            ("征集企业见习岗位", _d(5, 31), _d(5, 28), None),
            ("举办见习岗位对接会", _d(7, 15), _d(7, 13), None),
        ],
        evidence="征集见习岗位86个，已有61名高校毕业生上岗见习。",
    ),
    Plan(
        "惠企资金兑付“免申即享”",
        "财政局",
        "tea",
        _d(9, 30),
        "fixed",
        description="企业在“政企下午茶”上反映惠企资金申报材料多、兑付慢。",
        leader="财政局局长",
        beneficiaries="区内企业",
        co=[("投促局", "梳理政策清单，推送企业")],
        milestones=[
            ("梳理可“免申即享”的政策清单", _d(6, 30), _d(6, 25), "投促局"),
            ("首批资金兑付到位", _d(9, 15), _d(9, 10), None),
        ],
        evidence="首批12项政策实现“免申即享”，资金直接拨付到企业账户。",
    ),
    Plan(
        "机关停车位错时向周边居民开放",
        "办公室",
        "resident",
        _d(4, 30),
        "fixed",
        leader="管委会办公室主任",
        beneficiaries="和畅社区居民",
        communities=["和畅"],
        milestones=[("制定错时开放管理办法", _d(4, 15), _d(4, 12), None)],
        evidence="机关停车场夜间和节假日向周边居民开放，提供车位150个。",
    ),
    Plan(
        "“政企下午茶”企业诉求限时办结",
        "投促局",
        "tea",
        _d(6, 30),
        "fixed",
        description="对“政企下午茶”上企业提出的问题建立清单，明确责任单位和时限，逐项办结。",
        leader="投促局局长",
        beneficiaries="参加“政企下午茶”的企业",
        enterprises=[6, 7, 8],
        activity=TEA_ACTIVITY,
        milestones=[
            ("建立企业诉求清单", _d(3, 15), _d(3, 12), None),
            ("全部诉求办结并回访", _d(6, 20), _d(6, 18), None),
        ],
        evidence="企业提出的17项诉求全部办结，回访企业均表示满意。",
    ),
    Plan(
        "和风社区老旧供热管网改造",
        "建设局",
        "resident",
        _d(10, 15),
        "partly",
        description="和风社区部分楼栋供热管网老化，冬季室温偏低。",
        leader="建设局副局长",
        beneficiaries="和风社区居民",
        co=[("财政局", "改造资金保障")],
        communities=["和风"],
        milestones=[
            ("完成主管网改造", _d(9, 30), _d(9, 27), None),
            ("完成入户支管改造", _d(10, 15), None, None),
        ],
        progress={
            "建设局": (80, "主管网改造完成；6个楼栋因居民意见不一，入户支管未改造。"),
            "财政局": (100, "改造资金已拨付。"),
        },
        evidence="主管网改造全部完成，供暖季室温达标；6个楼栋入户支管待居民协商一致后改造。",
    ),
    Plan(
        "海滨片区夜间施工噪声治理",
        "生态环境局",
        "resident",
        _d(8, 31),
        "partly",
        leader="生态环境局副局长",
        beneficiaries="海滨社区居民",
        co=[("建设局", "督促施工单位错峰施工")],
        communities=["海滨"],
        visits=[
            VisitPlan(
                _at(7, 6, 22, 30),
                "海滨片区在建工地",
                "生态环境局执法人员、建设局质安站",
                "两处工地夜间混凝土浇筑噪声超标。",
                "责令夜间停止高噪声作业，确需连续施工的须办理夜间施工许可并公示。",
            ),
        ],
        progress={
            "生态环境局": (100, "夜间巡查常态化。"),
            "建设局": (60, "一处工地因工艺须连续浇筑，仍有少量夜间施工。"),
        },
        evidence="夜间施工噪声投诉下降七成；一处工地因工艺须连续浇筑，已公示并加装隔声屏障。",
    ),
    Plan(
        "新增公办幼儿园学位",
        "社会事务局",
        "resident",
        _d(9, 1),
        "partly",
        leader="社会事务局副局长",
        beneficiaries="红树、锦庐社区适龄儿童家庭",
        communities=["红树", "锦庐"],
        milestones=[("新建幼儿园竣工验收", _d(8, 15), _d(8, 12), None)],
        progress={"社会事务局": (75, "新增学位270个，仍有部分适龄儿童须跨片区入园。")},
        evidence="新增公办学位270个；片区内仍有部分适龄儿童须跨片区入园，已安排校车接送。",
    ),
    Plan(
        "锦庐社区公共服务配套用地规划调整",
        "规划局",
        "resident",
        _d(11, 30),
        "not_fixed",
        leader="规划局局长",
        beneficiaries="锦庐社区居民",
        communities=["锦庐"],
        progress={"规划局": (30, "已完成方案研究，须报市级规划主管部门审批。")},
        evidence="已完成调整方案研究并征求居民意见。",
        reason="涉及控制性详细规划调整，须报市级规划主管部门审批，年内无法完成；已纳入下一年度"
        "规划修编。",
    ),
    Plan(
        "延伸公交线路至红树社区",
        "建设局",
        "resident",
        _d(12, 31),
        "not_fixed",
        leader="建设局副局长",
        beneficiaries="红树社区居民",
        communities=["红树"],
        progress={"建设局": (40, "已与公交企业多次协商。")},
        evidence="已与公交企业多次协商，提出线路延伸方案。",
        reason="公交线路调整须公交企业和市交通主管部门同意，现阶段客流不足，暂不具备延伸条件；"
        "已开通社区微循环接驳车作为过渡。",
    ),
    Plan(
        "12345热线诉求办理情况回访",
        "办公室",
        "assignment",
        _d(6, 30),
        "cancelled",
        leader="管委会办公室副主任",
        reason="与政务服务办“接诉即办”工作重复，并入该项工作办理",
    ),
    Plan(
        "季景社区篮球场翻新",
        "社会事务局",
        "resident",
        _d(8, 31),
        "cancelled",
        beneficiaries="季景社区居民",
        communities=["季景"],
        progress={"社会事务局": (20, "已完成场地勘察。")},
        reason="该场地纳入季景片区城市更新项目统一实施",
    ),
]

# ---------------------------------------------------------------- still open, relative to today

OPEN = [
    Plan(
        "政府采购合同预付款支持中小企业",
        "财政局",
        "enterprise",
        -2,
        "awaiting",
        leader="财政局副局长",
        beneficiaries="中标的中小企业",
        milestones=[("出台预付款操作办法", -60, -62, None)],
        progress={"财政局": (100, "预付款比例提高至合同金额的三成。")},
        evidence="操作办法已出台，已有9家中小企业获得预付款。",
    ),
    Plan(
        "红树社区口袋公园建设",
        "规划局",
        "resident",
        10,
        "awaiting",
        leader="规划局副局长",
        beneficiaries="红树社区居民",
        co=[("城管局", "建成后的养护管理")],
        communities=["红树"],
        milestones=[
            ("完成设计方案并公示", -90, -92, None),
            ("口袋公园完工开放", -5, -6, None),
        ],
        visits=[
            VisitPlan(
                -30,
                "红树社区口袋公园工地",
                "规划局、城管局负责同志，红树社区居民代表",
                "园路和绿化基本完成，居民建议增设遮阳座椅和儿童游乐设施。",
                "增设遮阳座椅8处和儿童游乐区，完工前再次征求居民意见。",
                photos=1,
            ),
        ],
        progress={
            "规划局": (100, "公园已完工开放。"),
            "城管局": (100, "养护单位已确定。"),
        },
        evidence="口袋公园已完工开放，增设遮阳座椅和儿童游乐区，养护单位已确定。",
    ),
    Plan(
        "为社区离退休老党员送学上门",
        "党群部",
        "party_day",
        20,
        "awaiting",
        leader="党群工作部副部长",
        beneficiaries="行动不便的离退休老党员",
        communities=["和风", "和韵", "宜禾"],
        progress={"党群部": (100, "已为三个社区的老党员送学上门。")},
        evidence="已为三个社区行动不便的老党员送学上门，配发学习书目和大字版学习材料。",
    ),
    Plan(
        "推行高频政务服务事项“掌上办”",
        "政务服务办",
        "resident",
        2,
        "in_progress",
        leader="政务服务办主任",
        beneficiaries="办事群众和企业",
        milestones=[
            ("梳理高频事项清单", -80, -82, None),
            ("首批事项上线", -20, -21, None),
            ("全部高频事项上线", 2, None, None),
        ],
        progress={"政务服务办": (85, "首批86项已上线，其余事项正在联调。")},
    ),
    Plan(
        "生态城第一中学周边上下学时段交通疏导",
        "城管局",
        "resident",
        1,
        "in_progress",
        leader="城管局副局长",
        beneficiaries="学生和家长",
        co=[("社会事务局", "协调学校错峰放学")],
        communities=["和顺"],
        milestones=[("施划家长临时停车区", -10, -12, None)],
        progress={
            "城管局": (90, "临时停车区已施划，上下学时段安排专人疏导。"),
            "社会事务局": (60, "错峰放学方案待学校家委会讨论。"),
        },
    ),
    Plan(
        "中天大道人行过街设施建设",
        "建设局",
        "resident",
        -3,
        "in_progress",
        description="中天大道车流量大，行人过街不安全，居民呼吁建设人行过街设施。",
        leader="建设局局长",
        beneficiaries="中天大道两侧居民和上班族",
        co=[("规划局", "过街设施规划选址")],
        milestones=[
            ("完成规划选址", -120, -118, "规划局"),
            ("主体结构施工完成", -20, -15, None),
            ("过街设施投入使用", -3, None, None),
        ],
        visits=[
            VisitPlan(
                -10,
                "中天大道过街设施施工现场",
                "建设局局长、施工和监理单位负责人",
                "主体结构已完成，电梯设备到货延迟。",
                "督促供货单位加快发货，电梯到货后一周内完成安装调试。",
                photos=1,
            ),
        ],
        progress={"建设局": (75, "主体结构完成，等待电梯安装。"), "规划局": (100, "选址完成。")},
    ),
    Plan(
        "企业职称申报“一站式”服务",
        "人社局",
        "enterprise",
        -6,
        "in_progress",
        leader="人社局副局长",
        beneficiaries="区内企业专业技术人员",
        milestones=[("开设职称申报咨询窗口", -60, -58, None)],
        progress={"人社局": (70, "咨询窗口已开设，网上申报系统正在调试。")},
        supervision=("请说明网上申报系统调试进度，于三日内报送。", ""),
    ),
    Plan(
        "惠风社区雨污管网混接改造",
        "生态环境局",
        "resident",
        -15,
        "in_progress",
        description="惠风社区雨污管网混接，雨天污水外溢。",
        leader="生态环境局局长",
        beneficiaries="惠风社区居民",
        co=[("建设局", "管网改造施工")],
        communities=["惠风"],
        milestones=[
            ("完成混接点排查", -90, -88, None),
            ("完成管网改造施工", -20, None, "建设局"),
        ],
        visits=[
            VisitPlan(
                -40,
                "惠风社区",
                "生态环境局、建设局负责同志",
                "排查发现混接点27处，其中5处位于楼栋地下，施工难度大。",
                "先行改造22处，楼栋地下5处制定专项方案。",
            ),
        ],
        progress={"生态环境局": (100, "排查完成。"), "建设局": (55, "已改造混接点15处。")},
        supervision=(
            "已逾期，请加快施工进度并报送完成时间。",
            "已增加两个施工班组，剩余混接点两周内改造完成。",
        ),
    ),
    Plan(
        "重点企业用工用地需求对接",
        "投促局",
        "visit",
        -40,
        "in_progress",
        leader="投促局局长",
        beneficiaries="区内重点企业",
        co=[("人社局", "用工需求对接"), ("规划局", "用地需求对接")],
        enterprises=[9, 10, 11],
        milestones=[("建立企业需求清单", -100, -98, None)],
        progress={
            "投促局": (60, "需求清单已建立。"),
            "人社局": (80, "用工需求已对接。"),
            "规划局": (20, "两家企业扩建用地仍在论证。"),
        },
        supervision=("严重逾期，请说明用地需求对接进展和完成时限。", ""),
    ),
    Plan(
        "生物医药企业研发平台建设扶持",
        "科技创新局",
        "enterprise",
        30,
        "in_progress",
        leader="科技创新局局长",
        beneficiaries="区内生物医药企业",
        enterprises=[ZHONGKE_NAME, 12],
        milestones=[
            ("出台研发平台认定办法", -30, -33, None),
            ("首批研发平台认定", 25, None, None),
        ],
        progress={"科技创新局": (50, "认定办法已出台，首批申报正在评审。")},
    ),
    Plan(
        "机关食堂向社区老年人开放助餐",
        "办公室",
        "resident",
        75,
        "in_progress",
        leader="管委会办公室主任",
        beneficiaries="和畅社区老年人",
        co=[("社会事务局", "助餐补贴")],
        communities=["和畅"],
        milestones=[("制定开放方案", -15, -16, None), ("食堂开放", 60, None, None)],
        progress={"办公室": (30, "开放方案已制定。"), "社会事务局": (10, "")},
    ),
    Plan(
        "财政惠企政策“一本通”编印发放",
        "财政局",
        "tea",
        3,
        "committed",
        leader="财政局副局长",
        beneficiaries="区内企业",
    ),
    Plan(
        "和美社区增设电动自行车集中充电设施",
        "城管局",
        "resident",
        45,
        "committed",
        leader="城管局局长",
        beneficiaries="和美社区居民",
        co=[("建设局", "充电设施施工")],
        communities=["和美"],
        milestones=[("完成选址", 15, None, None)],
    ),
    Plan(
        "宜禾社区老旧小区加装电梯试点",
        "建设局",
        "resident",
        120,
        "proposed",
        leader="建设局副局长",
        beneficiaries="宜禾社区多层住宅居民",
        communities=["宜禾"],
    ),
    Plan(
        "科技企业人才公寓配租",
        "人社局",
        "enterprise",
        90,
        "proposed",
        leader="人社局局长",
        beneficiaries="科技企业引进人才",
        co=[("投促局", "企业需求摸底")],
    ),
]

PLANS = ARTICLE + CLOSED + OPEN
