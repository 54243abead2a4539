"""The member roster and the organization tree, imported from the workbooks offices keep.

Each import is two steps on the core framework (core.spreadsheets, core.imports):
- plan: read the file, parse every cell, check every row against the database and the user's
  scope, and classify each good row as create, update (with the changed fields, old → new) or
  unchanged. Reads only, in a fixed number of queries (batches of 500 ID numbers).
- commit: refuse a plan with problems; otherwise write every row in one transaction through the
  services, ending with one audit entry for the import (file name, SHA-256, counts).

Rules of the roster import:
- Members are matched by ID number. A blank cell, or a column the file lacks, keeps the stored
  value: an import fills and corrects, it never erases. A date the file gives to the month only
  (198503) where the stored date to the day lies in that month is no change.
- A new organization is a transfer (services.transfer_member, history kept); a new status goes
  through services.change_member_status with the reason "名册导入". An import never takes a
  member off the roster (已转出 / 已去世 are recorded on the member page, with their reason),
  and never enters a new member who has left.
- A secretary imports only into organizations they manage; an ID number registered outside
  their scope is refused without saying where.

Rules of the organization import: organizations are matched by full name; parents may come
later in the file than their children (rows are written parents first); a parent is named by
full name or unique short name; a cycle or an unknown parent is a row problem."""

import copy
import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from dangjian.accounts.permissions import (
    MANAGE_MEMBERS,
    MANAGE_ORGANIZATIONS,
    VIEW_ORGS,
    scope_for,
)
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.imports import (
    Column,
    Day,
    Parsed,
    ParsedRow,
    Problem,
    cell_text,
    parse_choice,
    parse_day,
    parse_id_number,
    parse_mobile,
    parse_table,
    parse_text,
    report_workbook,
)
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.spreadsheets import Table, read_table
from dangjian.orgs import queries, services
from dangjian.orgs.models import (
    Community,
    DatePrecision,
    Department,
    Enterprise,
    Institution,
    Member,
    Organization,
    Sector,
)

IMPORT_REASON = "名册导入"
PREVIEW_ROWS = 500  # new rows a preview lists (all are counted)
OUTSIDE_SCOPE = "该身份证号已登记在您管理范围以外的党组织，请联系上级党组织办理转接"


def _text(max_length: int):
    return partial(parse_text, max_length=max_length)


def _choice(choices: dict[str, str]):
    return partial(parse_choice, choices=choices)


def _labels(choices) -> dict[str, str]:
    return {label: code for code, label in choices.choices}


GENDERS = {**_labels(Member.Gender), "男性": "M", "女性": "F"}
EDUCATION = {
    **_labels(Member.Education),
    "硕士": "postgraduate",
    "博士": "postgraduate",
    "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate",
    "本科": "bachelor",
    "大专": "college",
    "专科": "college",
    "高中": "secondary",
    "中专": "secondary",
    "高中/中专": "secondary",
    "初中": "junior",
    "小学": "junior",
}
STATUSES = {**_labels(Member.Status), "正式": "full", "预备": "probationary"}
KINDS = {**_labels(Organization.Kind), "党工委": "committee", "总支": "general_branch"}
YES_NO = {"是": "yes", "否": "no"}

# The template's and the export's layout, in this order (orgs.exports reuses it).
MEMBER_COLUMNS = [
    Column("name", "姓名", ("党员姓名",), _text(50), required=True, note="必填"),
    Column(
        "id_number",
        "身份证号",
        ("公民身份号码", "身份证号码"),
        parse_id_number,
        required=True,
        note="必填，18位。请把这一列设为“文本”格式，否则Excel会丢掉后几位",
    ),
    Column("gender", "性别", (), _choice(GENDERS), note="男或女；不填则按身份证号"),
    Column("ethnicity", "民族", (), _text(20), note="如“汉族”；新登记的党员不填则为汉族"),
    Column(
        "education",
        "学历",
        (),
        _choice(EDUCATION),
        note="研究生、大学本科、大学专科、中专/高中、初中及以下",
    ),
    Column(
        "phone",
        "手机号",
        ("手机", "手机号码", "联系电话"),
        parse_mobile,
        note="11位手机号，每名党员各不相同；党员用它登录",
    ),
    Column(
        "organization",
        "所在党组织",
        ("所属支部", "党支部", "所属党组织"),
        _text(100),
        required=True,
        note="必填，党组织全称或简称；与系统中不同即办理组织关系转接",
    ),
    Column(
        "joined_on",
        "入党日期",
        ("入党时间",),
        parse_day,
        note="如1985-03-12；只知道年月可填1985-03",
    ),
    Column("full_member_on", "转正日期", ("转正时间",), parse_day, note="预备党员不填"),
    Column(
        "status",
        "党员类别",
        ("人员类别", "党员状态"),
        _choice(STATUSES),
        note="正式党员或预备党员；新登记的党员不填则为正式党员",
    ),
    Column("post", "职务", (), _text(100), note="如“组织委员”，可不填"),
]

ORGANIZATION_COLUMNS = [
    Column(
        "name", "名称", ("党组织名称", "组织名称"), _text(100), required=True, note="必填，全称"
    ),
    Column("short_name", "简称", ("党组织简称",), _text(50), note="各党组织的简称不能相同"),
    Column("kind", "类型", ("党组织类型", "组织类型"), _choice(KINDS), note="党委、党总支或党支部"),
    Column("sector", "领域", ("所属领域",), _text(20), note="党支部必填，或随上级党组织"),
    Column(
        "parent",
        "上级党组织",
        ("上级组织",),
        _text(100),
        note="全称或简称；可以是本文件中后面的行",
    ),
    Column(
        "unit",
        "所属单位",
        ("所在单位",),
        _text(100),
        note="已登记的部门、社区、企业或单位的名称",
    ),
    Column(
        "is_two_new",
        "“两新”组织",
        ("两新组织", '"两新"组织', "是否“两新”组织"),
        _choice(YES_NO),
        note="是或否",
    ),
    Column("founded_on", "成立日期", ("成立时间",), parse_day, note="如2012-07-01"),
    Column("term_ends_on", "届满日期", ("届满时间",), parse_day, note="如2023-06-30"),
]

MEMBER_HEADERS = {c.key: c.header for c in MEMBER_COLUMNS}
ORGANIZATION_HEADERS = {c.key: c.header for c in ORGANIZATION_COLUMNS}
# A service's error names a model field; the problem names the column that holds it.
FIELD_COLUMNS = {
    "joined_on_precision": "joined_on",
    "full_member_on_precision": "full_member_on",
    "to_organization": "organization",
    **dict.fromkeys(Organization.UNIT_FIELDS, "unit"),
}


# ---------------------------------------------------------------- plans


@dataclass
class PlannedRow:
    number: int  # the row number the user sees
    data: dict  # the fields as the services' clean_* functions return them
    existing: object = None  # the member or organization this row matches, if any
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # header, old, new

    @property
    def action(self) -> str:
        if self.existing is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class Plan:
    table: Table
    parsed: Parsed
    problems: list[Problem] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)

    def _of(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def creates(self) -> list[PlannedRow]:
        return self._of("create")

    @property
    def updates(self) -> list[PlannedRow]:
        return self._of("update")

    @property
    def counts(self) -> dict[str, int]:
        actions = [r.action for r in self.rows]
        return {
            "created": actions.count("create"),
            "updated": actions.count("update"),
            "unchanged": actions.count("unchanged"),
        }

    @property
    def preview_creates(self) -> list[tuple[int, dict]]:
        """Row number and display texts (personal data masked) of the first new rows."""
        return [(r.number, self.texts(r.data)) for r in self.creates[:PREVIEW_ROWS]]

    def texts(self, values: dict) -> dict[str, str]:
        raise NotImplementedError

    def report(self, data: bytes) -> bytes:
        """The user's file with the problem cells filled red and a 问题说明 column."""
        return report_workbook(data, self.table, self.parsed, self.problems)

    def add_problem(self, row: ParsedRow, exc: DomainError) -> None:
        """A service's refusal as a problem on the cell of the field it names."""
        key = FIELD_COLUMNS.get(exc.field, exc.field)
        if key in self.parsed.headers:
            column, value = self.parsed.headers[key], cell_text(row.raw.get(key))
        else:
            column, value = "", ""
        self.problems.append(Problem(row.number, column, value, exc.message))

    def finish(self, noun: str) -> None:
        if not self.parsed.rows and not self.problems:
            self.problems.append(Problem(0, "", "", f"文件中没有{noun}数据"))
        self.problems.sort(key=lambda p: p.row)


class MemberPlan(Plan):
    def texts(self, values: dict) -> dict[str, str]:
        return member_texts(values)


class OrganizationPlan(Plan):
    def texts(self, values: dict) -> dict[str, str]:
        return organization_texts(values)


def _key(name: str) -> str:
    """Names compare as people mean them: full-width brackets and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _without_duplicates(plan: Plan, rows: list[ParsedRow], key: str, what: str) -> list:
    """Rows whose `key` value appears once; every occurrence of a repeated one is a problem."""
    seen: dict[str, list[ParsedRow]] = {}
    for row in rows:
        if row.values.get(key):
            seen.setdefault(_key(str(row.values[key])), []).append(row)
    repeated = {k: rs for k, rs in seen.items() if len(rs) > 1}
    for same in repeated.values():
        numbers = "、".join(str(r.number) for r in same)
        for row in same:
            plan.add_problem(
                row, DomainError(f"{what}在文件中重复出现（第{numbers}行）", "", field=key)
            )
    bad = {r.number for rs in repeated.values() for r in rs}
    return [r for r in rows if r.number not in bad]


def _day_text(day, precision: str = DatePrecision.DAY) -> str:
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def _knows_less(day: Day, stored, stored_precision: str = DatePrecision.DAY) -> bool:
    """The file gives only the month of a date stored to the day: not a change."""
    return (
        day.precision == DatePrecision.MONTH
        and stored_precision == DatePrecision.DAY
        and stored is not None
        and (stored.year, stored.month) == (day.date.year, day.date.month)
    )


def _unless_same_text(given: dict, obj) -> dict:
    """Drop texts that differ from the stored ones only as the parser normalises them (full-width
    letters and brackets, spaces): reading a stored value back is no change."""
    return {
        k: v
        for k, v in given.items()
        if not (isinstance(v, str) and _key(v) == _key(str(getattr(obj, k) or "")))
    }


def _changes(keys: list[str], headers: dict, old: dict, new: dict) -> list[tuple[str, str, str]]:
    return [(headers[k], old[k], new[k]) for k in headers if k in keys]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse_with_problems(plan: Plan) -> None:
    if plan.problems:
        raise DomainError(
            f"文件中有{len(plan.problems)}处问题，未导入任何数据", "import_has_problems"
        )


# ---------------------------------------------------------------- organization names


class OrganizationNames:
    """Full names of organizations, found by full name or by a short name that names only one
    (a full name wins over another organization's short name)."""

    def __init__(self, orgs=()):
        self.names: dict[str, str] = {}
        self.shorts: dict[str, str | None] = {}  # None: two organizations use it
        for org in orgs:
            self.add(org.name, org.short_name)

    def add(self, name: str, short_name: str = "") -> None:
        self.names[_key(name)] = name
        short = _key(short_name)
        if short:
            self.shorts[short] = name if self.shorts.get(short, name) == name else None

    def find(self, text: str) -> str | None:
        key = _key(text)
        return self.names.get(key) or self.shorts.get(key)


def _not_found(text: str, field_name: str) -> DomainError:
    return DomainError(f"找不到党组织“{text}”", "organization_not_found", field=field_name)


# ---------------------------------------------------------------- the member roster

MEMBER_TEXT_FIELDS = ("name", "id_number", "gender", "ethnicity", "education", "phone", "post")


def plan_member_import(data: bytes, filename: str, *, user) -> MemberPlan:
    """Everything the roster import would do, and every problem it finds; writes nothing.
    Raises SpreadsheetError when the file as a whole cannot be read."""
    table = read_table(data, filename=filename)
    parsed = parse_table(table, MEMBER_COLUMNS)
    plan = MemberPlan(table=table, parsed=parsed, problems=list(parsed.problems))
    rows = _without_duplicates(plan, parsed.rows, "id_number", "身份证号")
    rows = _without_duplicates(plan, rows, "phone", "手机号")
    visible = {o.name: o for o in Organization.objects.visible_to(user, VIEW_ORGS)}
    context = _MemberContext(
        orgs=visible,
        names=OrganizationNames(visible.values()),
        manageable=scope_for(user, MANAGE_MEMBERS),
        members=queries.members_by_id_number(r.values["id_number"] for r in rows),
        phones=queries.phone_holders(r.values["phone"] for r in rows if r.values.get("phone")),
    )
    for row in rows:
        try:
            plan.rows.append(_plan_member(row, context))
        except DomainError as exc:
            plan.add_problem(row, exc)
    plan.finish("党员")
    return plan


@dataclass
class _MemberContext:
    orgs: dict[str, Organization]  # the organizations the user sees, by full name
    names: OrganizationNames  # …found by full or short name
    manageable: object  # the user's Scope for can_manage_members
    members: dict[str, Member]  # existing members by ID number
    phones: dict[str, str]  # phone → ID number of the member who has it


def _plan_member(row: ParsedRow, context: _MemberContext) -> PlannedRow:
    values = row.values
    member = context.members.get(values["id_number"])
    if member is not None and not context.manageable.covers_path(member.organization.path):
        raise DomainError(OUTSIDE_SCOPE, "member_out_of_scope", field="id_number")
    org = _member_organization(values["organization"], context)
    current = {k: getattr(member, k) for k in services.MEMBER_FIELDS} if member else {}
    data = services.clean_member({**current, **_member_given(values, member)}, instance=member)
    holder = context.phones.get(data["phone"])
    if holder and holder != data["id_number"]:
        raise DomainError("该手机号已被其他党员使用", "phone_taken", field="phone")
    data["organization"] = org
    if member is None:
        services.check_new_member_status(data["status"])
        return PlannedRow(row.number, data)
    return PlannedRow(row.number, data, member, _member_changes(member, current, data))


def _member_organization(text: str, context: _MemberContext) -> Organization:
    org = context.orgs.get(context.names.find(text))
    if org is None:
        raise _not_found(text, "organization")
    if not context.manageable.covers_path(org.path):
        raise DomainError(
            f"党组织“{text}”不在您的管理范围内", "organization_out_of_scope", field="organization"
        )
    return org


def _member_given(values: dict, member: Member | None) -> dict:
    """The member fields the file gives: non-blank cells only (a blank keeps the stored value)."""
    given = {k: values[k] for k in MEMBER_TEXT_FIELDS if values.get(k) not in (None, "")}
    if member is not None:
        given = _unless_same_text(given, member)
    if values.get("status"):
        given["status"] = values["status"]
    for key in ("joined_on", "full_member_on"):
        day = values.get(key)
        stored = (getattr(member, key), getattr(member, f"{key}_precision")) if member else (None,)
        if day is not None and not _knows_less(day, *stored):
            given[key], given[f"{key}_precision"] = day.date, day.precision
    return given


def _member_changes(member: Member, current: dict, data: dict) -> list:
    changed = [FIELD_COLUMNS.get(f, f) for f in services.MEMBER_FIELDS if data[f] != current[f]]
    if data["status"] != member.status:
        _check_import_status(member, data["status"])
    if data["organization"].pk != member.organization_id:
        changed.append("organization")
        services.check_transfer(_with_status(member, data["status"]), data["organization"])
    old = member_texts({**current, "organization": member.organization})
    return _changes(changed, MEMBER_HEADERS, old, member_texts(data))


def _with_status(member: Member, status: str) -> Member:
    """The member as the import leaves them: a status change comes before a transfer."""
    after = copy.copy(member)
    after.status = status
    return after


def _check_import_status(member: Member, status: str) -> None:
    if status not in Member.ACTIVE_STATUSES:
        raise DomainError(
            "名册导入不办理党员转出或去世，请在党员页面办理状态变更",
            "status_off_roster_by_import",
            field="status",
        )
    services.check_status_change(member, status, reason=IMPORT_REASON)


def member_texts(values: dict) -> dict[str, str]:
    """A member's fields as the preview shows them; ID number and phone masked."""
    org = values["organization"]
    return {
        "name": values["name"],
        "id_number": mask_id_number(values["id_number"]),
        "gender": _label(Member.Gender, values["gender"]),
        "ethnicity": values["ethnicity"],
        "education": _label(Member.Education, values["education"]),
        "phone": mask_phone(values["phone"]),
        "organization": org.name if org else "",
        "joined_on": _day_text(values["joined_on"], values["joined_on_precision"]),
        "full_member_on": _day_text(values["full_member_on"], values["full_member_on_precision"]),
        "status": _label(Member.Status, values["status"]),
        "post": values["post"],
    }


def _label(choices, value) -> str:
    return dict(choices.choices).get(value, value or "")


def commit_member_import(plan: MemberPlan, *, user, filename: str, data: bytes) -> dict:
    """Write a plan without problems in one transaction: updates, transfers and status changes
    first (a phone freed by an update may go to a new member), then the new members in one
    batch that writes the import's one audit entry. Returns the counts."""
    _refuse_with_problems(plan)
    counts = plan.counts
    with transaction.atomic():
        for row in plan.updates:
            _at_row(row, _update_member, row, by=user)
        services.create_members(
            [{**r.data, "row": r.number} for r in plan.creates],
            by=user,
            source=filename,
            audit_action="orgs.member.imported",
            details={"sha256": _sha256(data), **counts},
        )
    return counts


def _at_row(row: PlannedRow, action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except DomainError as exc:
        raise DomainError(f"第{row.number}行：{exc.message}", exc.code, field=exc.field) from None


def _update_member(row: PlannedRow, *, by) -> None:
    member, data = row.existing, row.data
    if data["status"] != member.status:
        member = services.change_member_status(
            member, data["status"], by=by, reason=IMPORT_REASON, on=data["full_member_on"]
        )
    own = {f: data[f] for f in services.MEMBER_FIELDS if f != "status"}
    member = services.update_member(member, by=by, **own)
    if data["organization"].pk != member.organization_id:
        services.transfer_member(member, data["organization"], by=by, reason=IMPORT_REASON)


# ---------------------------------------------------------------- the organization tree

ORGANIZATION_TEXTS = ("name", "short_name", "kind")


def plan_organization_import(data: bytes, filename: str, *, user) -> OrganizationPlan:
    """Everything the organization import would do, parents before children; writes nothing."""
    table = read_table(data, filename=filename)
    parsed = parse_table(table, ORGANIZATION_COLUMNS)
    plan = OrganizationPlan(table=table, parsed=parsed, problems=list(parsed.problems))
    rows = _without_duplicates(plan, parsed.rows, "name", "党组织名称")
    rows = _without_duplicates(plan, rows, "short_name", "简称")
    context = _OrganizationContext.load(user, rows)
    for row in _parents_first(plan, rows, context):
        try:
            plan.rows.append(_plan_organization(row, context, user))
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(_key(row.values["name"]))
    plan.finish("党组织")
    return plan


@dataclass
class _OrganizationContext:
    existing: dict[str, Organization]  # every organization by name (names are unique)
    short_names: dict[str, Organization]  # every organization with a short name, by it
    names: OrganizationNames  # what a parent cell may name: visible ones and the file's rows
    manageable: object  # the user's Scope for can_manage_organizations
    sectors: dict[str, Sector]
    units: dict[str, list]  # name → departments, communities, enterprises, institutions
    planned: dict[str, Organization] = field(default_factory=dict)  # name → as the import leaves it
    failed: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, user, rows: list[ParsedRow]) -> "_OrganizationContext":
        orgs = list(
            Organization.objects.select_related(
                "sector", "parent", "secretary", *Organization.UNIT_FIELDS
            )
        )
        visible = scope_for(user, VIEW_ORGS)
        existing = {_key(o.name): o for o in orgs}
        names = OrganizationNames(o for o in orgs if visible.covers_path(o.path))
        for row in rows:
            stored = existing.get(_key(row.values["name"]))
            names.add(stored.name if stored else row.values["name"], row.values.get("short_name"))
        sectors = {_key(s.name): s for s in Sector.objects.all()}
        sectors |= {s.code: s for s in sectors.values()}
        return cls(
            existing=existing,
            short_names={o.short_name: o for o in orgs if o.short_name},
            names=names,
            manageable=scope_for(user, MANAGE_ORGANIZATIONS),
            sectors=sectors,
            units=_units() if any(r.values.get("unit") for r in rows) else {},
        )

    def parent_name(self, row: ParsedRow) -> str | None:
        """The full name of the row's parent as the import leaves it (None: top level)."""
        text = row.values.get("parent")
        if not text:
            current = self.existing.get(_key(row.values["name"]))
            return current.parent.name if current and current.parent else None
        found = self.names.find(text)
        if found is None:
            raise _not_found(text, "parent")
        return found


def _units() -> dict[str, list]:
    """Every department (by name and short name), community, enterprise and institution, by
    name as _key compares it (the file's text is NFKC, the database's may be full-width): one
    query each."""
    found: dict[str, list] = {}
    for department in Department.objects.all():
        for name in {_key(department.name), _key(department.short_name)} - {""}:
            found.setdefault(name, []).append(department)
    for model in (Community, Enterprise, Institution):
        for unit in model.objects.only("id", "name"):
            found.setdefault(_key(unit.name), []).append(unit)
    return found


def _parents_first(plan: Plan, rows: list[ParsedRow], context: _OrganizationContext) -> list:
    """The rows in tree order; an unknown parent or a cycle is a problem for the row."""
    parents: dict[str, str | None] = {}
    good = []
    for row in rows:
        try:
            parents[_key(row.values["name"])] = context.parent_name(row)
            good.append(row)
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(_key(row.values["name"]))
    depths = {}
    for row in good:
        try:
            depths[row.number] = _depth(_key(row.values["name"]), parents, context)
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(_key(row.values["name"]))
    return sorted((r for r in good if r.number in depths), key=lambda r: depths[r.number])


def _depth(name: str, parents: dict, context: _OrganizationContext) -> int:
    """How far below the top the organization will be, following the file's parents first and
    the database's for organizations the file does not list."""
    chain = [name]
    while True:
        parent = _parent_of(chain[-1], parents, context)
        if parent is None:
            return len(chain) - 1
        if parent in chain:
            loop = " → ".join(chain[chain.index(parent) :] + [parent])
            raise DomainError(f"上级党组织形成循环：{loop}", "parent_cycle", field="parent")
        chain.append(parent)


def _parent_of(name: str, parents: dict, context: _OrganizationContext) -> str | None:
    if name in parents:
        return _key(parents[name]) if parents[name] else None
    org = context.existing.get(name)
    return _key(org.parent.name) if org and org.parent else None


def _plan_organization(row: ParsedRow, context: _OrganizationContext, user) -> PlannedRow:
    values, name = row.values, _key(row.values["name"])
    existing = context.existing.get(name)
    if existing is not None and not context.manageable.covers_path(existing.path):
        raise DomainError("已有同名党组织，且不在您的管理范围内", "name_taken", field="name")
    parent = _planned_parent(row, context)
    fields = services.ORGANIZATION_FIELDS
    current = {k: getattr(existing, k) if existing else None for k in fields}
    given = _organization_given(values, existing, context)
    moved = existing is None or parent != existing.parent
    if moved:
        given["parent"] = parent
    if existing is not None and all(given[k] == current[k] for k in given):
        context.planned[name] = existing
        return PlannedRow(row.number, current, existing)
    data = services.clean_organization({**current, **given}, instance=existing)
    _check_short_name(data, existing, context)
    if moved and (parent is None or parent.pk):  # a parent the file creates: placed by its row
        services.check_placement(user, parent)
    context.planned[name] = _as_planned(existing, data)
    if existing is None:
        return PlannedRow(row.number, data)
    changed = [FIELD_COLUMNS.get(f, f) for f in fields if data[f] != current[f]]
    old, new = organization_texts(current), organization_texts(data)
    return PlannedRow(row.number, data, existing, _changes(changed, ORGANIZATION_HEADERS, old, new))


def _planned_parent(row: ParsedRow, context: _OrganizationContext) -> Organization | None:
    """The parent as the import leaves it: an organization of the file (saved or not yet), or
    one of the database."""
    name = context.parent_name(row)
    if name is None:
        return None
    key = _key(name)
    if key in context.failed:
        raise DomainError(f"上级党组织“{name}”所在的行有问题", "parent_invalid", field="parent")
    return context.planned.get(key) or context.existing[key]


def _organization_given(values: dict, existing, context: _OrganizationContext) -> dict:
    """The fields the file gives (non-blank cells); an existing organization keeps its name as
    stored, however the file spaces or brackets it."""
    given = {k: values[k] for k in ORGANIZATION_TEXTS if values.get(k)}
    if existing is not None:
        given = _unless_same_text(given, existing)
        given["name"] = existing.name
    if values.get("is_two_new"):
        given["is_two_new"] = values["is_two_new"] == "yes"
    if values.get("sector"):
        given["sector"] = _sector(values["sector"], context)
    if values.get("unit"):
        given |= _unit(values["unit"], context)
    for key in ("founded_on", "term_ends_on"):
        day = values.get(key)
        if day is not None and not (existing and _knows_less(day, getattr(existing, key))):
            given[key] = day.date
    return given


def _sector(text: str, context: _OrganizationContext) -> Sector:
    sector = context.sectors.get(_key(text))
    if sector is None:
        names = "、".join(s.name for s in Sector.objects.all())
        raise DomainError(f"找不到领域“{text}”，可填：{names}", "sector_not_found", field="sector")
    return sector


def _unit(text: str, context: _OrganizationContext) -> dict:
    units = context.units.get(_key(text), [])
    if not units:
        raise DomainError(
            f"找不到单位“{text}”，请先登记该部门、社区、企业或单位", "unit_not_found", field="unit"
        )
    if len(units) > 1:
        raise DomainError(
            f"有多个单位名为“{text}”，请在党组织页面选择", "unit_ambiguous", field="unit"
        )
    field_name = {
        Department: "department",
        Community: "community",
        Enterprise: "enterprise",
        Institution: "institution",
    }[type(units[0])]
    return {f: (units[0] if f == field_name else None) for f in Organization.UNIT_FIELDS}


def _check_short_name(data: dict, existing, context: _OrganizationContext) -> None:
    holder = context.short_names.get(data["short_name"]) if data["short_name"] else None
    if holder is not None and holder != existing:
        raise DomainError("已有党组织使用该简称", "short_name_taken", field="short_name")


def _as_planned(existing, data: dict) -> Organization:
    """The organization as the import leaves it, for checking its children's rows."""
    planned = copy.copy(existing) if existing else Organization()
    for name, value in data.items():
        setattr(planned, name, value)
    return planned


def organization_texts(values: dict) -> dict[str, str]:
    unit = next((values[f] for f in Organization.UNIT_FIELDS if values.get(f)), None)
    return {
        "name": values["name"],
        "short_name": values["short_name"],
        "kind": _label(Organization.Kind, values["kind"]),
        "sector": values["sector"].name if values["sector"] else "",
        "parent": values["parent"].name if values["parent"] else "",
        "unit": unit.name if unit else "",
        "is_two_new": "是" if values["is_two_new"] else "否",
        "founded_on": _day_text(values["founded_on"]),
        "term_ends_on": _day_text(values["term_ends_on"]),
    }


def commit_organization_import(plan: OrganizationPlan, *, user, filename: str, data: bytes) -> dict:
    """Write a plan without problems in one transaction, parents first, with one audit entry
    for the import (each organization keeps its own created / updated entry)."""
    _refuse_with_problems(plan)
    counts = plan.counts
    with transaction.atomic():
        written: dict[str, Organization] = {}
        for row in plan.rows:
            if row.action != "unchanged":
                written[row.data["name"]] = _at_row(row, _write_organization, row, written, by=user)
        audit.record(
            "orgs.organization.imported",
            actor=user,
            details={"source": filename, "sha256": _sha256(data), **counts},
        )
    return counts


def _write_organization(row: PlannedRow, written: dict, *, by) -> Organization:
    data = dict(row.data)
    parent = data["parent"]
    if parent is not None:  # as it is now: earlier rows may have created or moved it
        data["parent"] = written.get(parent.name) or Organization.objects.get(name=parent.name)
    if row.existing is None:
        return services.create_organization(by=by, **data)
    org = Organization.objects.select_related("secretary").get(pk=row.existing.pk)
    return services.update_organization(org, by=by, **data)
