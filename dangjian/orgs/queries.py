"""Reads of organizations and members that more than a view needs. Every function here runs a
fixed number of queries, whatever the number of rows."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from dangjian.orgs.models import Member, Organization, Sector

ACTIVE = Q(members__status__in=Member.ACTIVE_STATUSES)
BATCH = 500  # values in one `IN (…)`: databases cap the parameters of one statement


def chunks(values: Iterable, size: int = BATCH) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def members_by_id_number(id_numbers: Iterable[str]) -> dict[str, Member]:
    """Members (with their organization) by ID number, in batches: a roster import's lookup."""
    found = {}
    for chunk in chunks(set(id_numbers)):
        for member in Member.objects.filter(id_number__in=chunk).select_related("organization"):
            found[member.id_number] = member
    return found


def phone_holders(phones: Iterable[str]) -> dict[str, str]:
    """Phone → the ID number of the member who has it, in batches."""
    found = {}
    for chunk in chunks(set(phones)):
        found.update(Member.objects.filter(phone__in=chunk).values_list("phone", "id_number"))
    return found


@dataclass
class TreeNode:
    organization: Organization
    direct_members: int
    total_members: int = 0
    children: list["TreeNode"] = field(default_factory=list)


def organization_tree(orgs: QuerySet[Organization]) -> list[TreeNode]:
    """The given organizations as a forest (an organization whose parent is not among them is a
    root), each node with its own and its subtree's active members. One query; subtree totals
    are summed in Python from the leaves up."""
    orgs = (
        orgs.select_related("sector", "department", "community", "enterprise", "institution")
        .annotate(direct_members=Count("members", filter=ACTIVE))
        .order_by("depth", "order", "id")
    )
    nodes = {o.pk: TreeNode(o, o.direct_members) for o in orgs}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.organization.parent_id)
        (parent.children if parent else roots).append(node)
    for root in roots:
        _sum_totals(root)
    return roots


def _sum_totals(node: TreeNode) -> int:
    node.total_members = node.direct_members + sum(_sum_totals(c) for c in node.children)
    return node.total_members


def flatten(nodes: list[TreeNode]) -> list[TreeNode]:
    """Depth-first order, for rendering the tree as an indented list."""
    out = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def members_by_sector(members: QuerySet[Member]) -> list[tuple[Sector | None, int]]:
    """Active members per sector (the sector of their organization), every sector listed."""
    counts = dict(
        members.active()
        .values_list("organization__sector")
        .annotate(n=Count("id"))
        .values_list("organization__sector", "n")
    )
    rows = [(s, counts.get(s.pk, 0)) for s in Sector.objects.all()]
    if counts.get(None):
        rows.append((None, counts[None]))
    return rows


def district_counts(orgs: QuerySet[Organization], members: QuerySet[Member]) -> dict:
    return {
        "organizations": orgs.count(),
        "branches": orgs.filter(kind=Organization.Kind.BRANCH).count(),
        "members": members.active().count(),
        "probationary": members.filter(status=Member.Status.PROBATIONARY).count(),
    }


LAST4_RE = re.compile(r"\d{3}[\dXx]|\d{4}")
PINYIN_RE = re.compile(r"[A-Za-z]+")


def search_members(
    q: str = "",
    *,
    base: QuerySet[Member] | None = None,
    organization: Organization | None = None,
    sector: Sector | None = None,
    status: str = "",
) -> QuerySet[Member]:
    """Members matching a name, pinyin (full or initials: 张三丰 → zsf) or the last 4 ID
    digits, filtered by organization subtree, sector and status (active members by default).
    `base` is the user's visible members (`Member.objects.visible_to(user)`)."""
    members = (base if base is not None else Member.objects.all()).select_related(
        "organization__sector"
    )
    q = q.strip()
    if q:
        members = members.filter(_text_filter(q))
    if organization is not None:
        members = members.filter(organization__path__startswith=organization.path)
    if sector is not None:
        members = members.filter(organization__sector=sector)
    if status == "all":
        pass
    elif status:
        members = members.filter(status=status)
    else:
        members = members.active()
    return members.order_by("name_pinyin", "id")


def _text_filter(q: str) -> Q:
    condition = Q(name__contains=q)
    if PINYIN_RE.fullmatch(q):
        low = q.lower()
        condition |= Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low)
    if LAST4_RE.fullmatch(q):
        condition |= Q(id_number__endswith=q.upper())
    return condition


def ancestors(org: Organization) -> list[Organization]:
    """From the root down to the parent of `org`, in one query."""
    ids = [int(p) for p in org.path.strip("/").split("/")[:-1] if p]
    by_id = Organization.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
