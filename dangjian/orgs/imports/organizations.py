"""The organization tree import (rules in the package's docstring)."""

import copy
import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from dangjian.accounts.permissions import MANAGE_ORGANIZATIONS, VIEW_ORGS, scope_for
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.imports import Column, ParsedRow, parse_day, parse_table
from dangjian.core.spreadsheets import read_table
from dangjian.orgs import services
from dangjian.orgs.imports.common import (
    FIELD_COLUMNS,
    OrganizationNames,
    Plan,
    PlannedRow,
    at_row,
    changed_fields,
    choice_label,
    choice_parser,
    codes_by_label,
    day_label,
    knows_less,
    name_key,
    not_found,
    refuse_with_problems,
    text_parser,
    unless_same_text,
    without_duplicates,
)
from dangjian.orgs.models import (
    Community,
    Department,
    Enterprise,
    Institution,
    Organization,
    Sector,
)

KINDS = {**codes_by_label(Organization.Kind), "党工委": "committee", "总支": "general_branch"}
YES_NO = {"是": "yes", "否": "no"}


ORGANIZATION_COLUMNS = [
    Column(
        "name",
        "名称",
        ("党组织名称", "组织名称"),
        text_parser(100),
        required=True,
        note="必填，全称",
    ),
    Column("short_name", "简称", ("党组织简称",), text_parser(50), note="各党组织的简称不能相同"),
    Column(
        "kind",
        "类型",
        ("党组织类型", "组织类型"),
        choice_parser(KINDS),
        note="党委、党总支或党支部",
    ),
    Column("sector", "领域", ("所属领域",), text_parser(20), note="党支部必填，或随上级党组织"),
    Column(
        "parent",
        "上级党组织",
        ("上级组织",),
        text_parser(100),
        note="全称或简称；可以是本文件中后面的行",
    ),
    Column(
        "unit",
        "所属单位",
        ("所在单位",),
        text_parser(100),
        note="已登记的部门、社区、企业或单位的名称",
    ),
    Column(
        "is_two_new",
        "“两新”组织",
        ("两新组织", '"两新"组织', "是否“两新”组织"),
        choice_parser(YES_NO),
        note="是或否",
    ),
    Column("founded_on", "成立日期", ("成立时间",), parse_day, note="如2012-07-01"),
    Column("term_ends_on", "届满日期", ("届满时间",), parse_day, note="如2023-06-30"),
]


ORGANIZATION_HEADERS = {c.key: c.header for c in ORGANIZATION_COLUMNS}


class OrganizationPlan(Plan):
    def texts(self, values: dict) -> dict[str, str]:
        return organization_texts(values)


ORGANIZATION_TEXTS = ("name", "short_name", "kind")


def plan_organization_import(data: bytes, filename: str, *, user) -> OrganizationPlan:
    """Everything the organization import would do, parents before children; writes nothing."""
    table = read_table(data, filename=filename)
    parsed = parse_table(table, ORGANIZATION_COLUMNS)
    plan = OrganizationPlan(table=table, parsed=parsed, problems=list(parsed.problems))
    rows = without_duplicates(plan, parsed.rows, "name", "党组织名称")
    rows = without_duplicates(plan, rows, "short_name", "简称")
    context = _OrganizationContext.load(user, rows)
    for row in _parents_first(plan, rows, context):
        try:
            plan.rows.append(_plan_organization(row, context, user))
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(name_key(row.values["name"]))
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
        existing = {name_key(o.name): o for o in orgs}
        names = OrganizationNames(o for o in orgs if visible.covers_path(o.path))
        for row in rows:
            stored = existing.get(name_key(row.values["name"]))
            names.add(stored.name if stored else row.values["name"], row.values.get("short_name"))
        sectors = {name_key(s.name): s for s in Sector.objects.all()}
        sectors |= {s.code: s for s in sectors.values()}
        return cls(
            existing=existing,
            short_names={name_key(o.short_name): o for o in orgs if o.short_name},
            names=names,
            manageable=scope_for(user, MANAGE_ORGANIZATIONS),
            sectors=sectors,
            units=_units() if any(r.values.get("unit") for r in rows) else {},
        )

    def parent_name(self, row: ParsedRow) -> str | None:
        """The full name of the row's parent as the import leaves it (None: top level)."""
        text = row.values.get("parent")
        if not text:
            current = self.existing.get(name_key(row.values["name"]))
            return current.parent.name if current and current.parent else None
        found = self.names.find(text)
        if found is None:
            raise not_found(text, "parent")
        return found


def _units() -> dict[str, list]:
    """Every department (by name and short name), community, enterprise and institution, by
    name as name_key compares it (the file's text is NFKC, the database's may be full-width): one
    query each."""
    found: dict[str, list] = {}
    for department in Department.objects.all():
        for name in {name_key(department.name), name_key(department.short_name)} - {""}:
            found.setdefault(name, []).append(department)
    for model in (Community, Enterprise, Institution):
        for unit in model.objects.only("id", "name"):
            found.setdefault(name_key(unit.name), []).append(unit)
    return found


def _parents_first(plan: Plan, rows: list[ParsedRow], context: _OrganizationContext) -> list:
    """The rows in tree order; an unknown parent or a cycle is a problem for the row."""
    parents: dict[str, str | None] = {}
    good = []
    for row in rows:
        try:
            parents[name_key(row.values["name"])] = context.parent_name(row)
            good.append(row)
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(name_key(row.values["name"]))
    depths = {}
    for row in good:
        try:
            depths[row.number] = _depth(name_key(row.values["name"]), parents, context)
        except DomainError as exc:
            plan.add_problem(row, exc)
            context.failed.add(name_key(row.values["name"]))
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
        return name_key(parents[name]) if parents[name] else None
    org = context.existing.get(name)
    return name_key(org.parent.name) if org and org.parent else None


def _plan_organization(row: ParsedRow, context: _OrganizationContext, user) -> PlannedRow:
    values, name = row.values, name_key(row.values["name"])
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
    return PlannedRow(
        row.number, data, existing, changed_fields(changed, ORGANIZATION_HEADERS, old, new)
    )


def _planned_parent(row: ParsedRow, context: _OrganizationContext) -> Organization | None:
    """The parent as the import leaves it: an organization of the file (saved or not yet), or
    one of the database."""
    name = context.parent_name(row)
    if name is None:
        return None
    key = name_key(name)
    if key in context.failed:
        raise DomainError(f"上级党组织“{name}”所在的行有问题", "parent_invalid", field="parent")
    return context.planned.get(key) or context.existing[key]


def _organization_given(values: dict, existing, context: _OrganizationContext) -> dict:
    """The fields the file gives (non-blank cells); an existing organization keeps its name as
    stored, however the file spaces or brackets it."""
    given = {k: values[k] for k in ORGANIZATION_TEXTS if values.get(k)}
    if existing is not None:
        given = unless_same_text(given, existing)
        given["name"] = existing.name
    if values.get("is_two_new"):
        given["is_two_new"] = values["is_two_new"] == "yes"
    if values.get("sector"):
        given["sector"] = _sector(values["sector"], context)
    if values.get("unit"):
        given |= _unit(values["unit"], context)
    for key in ("founded_on", "term_ends_on"):
        day = values.get(key)
        if day is not None and not (existing and knows_less(day, getattr(existing, key))):
            given[key] = day.date
    return given


def _sector(text: str, context: _OrganizationContext) -> Sector:
    sector = context.sectors.get(name_key(text))
    if sector is None:
        names = "、".join(dict.fromkeys(s.name for s in context.sectors.values()))
        raise DomainError(f"找不到领域“{text}”，可填：{names}", "sector_not_found", field="sector")
    return sector


def _unit(text: str, context: _OrganizationContext) -> dict:
    units = context.units.get(name_key(text), [])
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
    holder = context.short_names.get(name_key(data["short_name"])) if data["short_name"] else None
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
        "kind": choice_label(Organization.Kind, values["kind"]),
        "sector": values["sector"].name if values["sector"] else "",
        "parent": values["parent"].name if values["parent"] else "",
        "unit": unit.name if unit else "",
        "is_two_new": "是" if values["is_two_new"] else "否",
        "founded_on": day_label(values["founded_on"]),
        "term_ends_on": day_label(values["term_ends_on"]),
    }


def commit_organization_import(plan: OrganizationPlan, *, user, filename: str, data: bytes) -> dict:
    """Write a plan without problems in one transaction, parents first, with one audit entry
    for the import (each organization keeps its own created / updated entry)."""
    refuse_with_problems(plan)
    counts = plan.counts
    with transaction.atomic():
        written: dict[str, Organization] = {}
        for row in plan.rows:
            if row.action != "unchanged":
                written[row.data["name"]] = at_row(row, _write_organization, row, written, by=user)
        audit.record(
            "orgs.organization.imported",
            actor=user,
            details={"source": filename, "sha256": hashlib.sha256(data).hexdigest(), **counts},
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
