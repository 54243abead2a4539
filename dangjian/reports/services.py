"""Writing briefings: the first version from a draft, each later version, and the record of a
download. Every write is audited in its transaction."""

from django.db import transaction
from django.db.models import Max

from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.reports.briefings import Draft, draft, figure_records
from dangjian.reports.models import Briefing, BriefingVersion, scope_key
from dangjian.reports.registry import Period, Scope

TITLE_MAX = BriefingVersion._meta.get_field("title").max_length
BODY_MAX = 50_000


def create_briefing(
    *, by, period: Period, scope: Scope, title: str, body: str, generated: Draft | None = None
) -> Briefing:
    """A briefing and its version 1: the text as edited, with the figures of the draft it was
    edited from (generated again here unless given)."""
    title, body = _checked(title, body)
    generated = generated or draft(period, scope)
    with transaction.atomic():
        briefing = Briefing.objects.create(
            starts_on=period.start,
            ends_on=period.end,
            scope=scope.as_dict(),
            scope_key=scope_key(scope),
            scope_label=scope.label[:200],
            created_by=by,
        )
        version = BriefingVersion.objects.create(
            briefing=briefing,
            number=1,
            title=title,
            body=body,
            figures=figure_records(generated.figures),
            note="根据数据生成",
            created_by=by,
        )
        audit.record(
            "reports.briefing.created",
            briefing,
            actor=by,
            details={"period": period.label, "scope": scope.label, "title": version.title},
        )
    return briefing


def save_version(
    briefing: Briefing, *, by, title: str, body: str, based_on: int | None = None
) -> BriefingVersion:
    """The next version of the text. Its figures are those of the version it was edited from:
    the text still quotes them, and the page keeps flagging those that have changed.
    `based_on`: the version number the editor opened; if another version was saved since,
    the save is refused rather than silently overwriting the other person's text."""
    title, body = _checked(title, body)
    return _next_version(briefing, by=by, title=title, body=body, based_on=based_on)


def regenerate(briefing: Briefing, *, by) -> BriefingVersion:
    """A new version drafted again from the data as it stands, with today's figures."""
    generated = draft(briefing.period, briefing.the_scope)
    return _next_version(
        briefing,
        by=by,
        title=generated.title[:TITLE_MAX],
        body=generated.body,
        figures=figure_records(generated.figures),
        note="根据最新数据重新生成",
    )


def _next_version(briefing, *, by, title, body, based_on=None, figures=None, note=""):
    with transaction.atomic():
        locked = Briefing.objects.select_for_update().get(pk=briefing.pk)
        latest = locked.versions.order_by("-number").first()
        if based_on is not None and latest is not None and latest.number != based_on:
            raise DomainError(
                f"该简报已由他人保存了第{latest.number}版，请刷新页面后在最新版本上修改",
                "briefing_version_conflict",
                field="body",
            )
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BriefingVersion.objects.create(
            briefing=locked,
            number=number,
            title=title,
            body=body,
            figures=figures if figures is not None else (latest.figures if latest else []),
            note=note,
            created_by=by,
        )
        audit.record(
            "reports.briefing.version_saved",
            locked,
            actor=by,
            details={"version": number, "title": title, "note": note},
        )
    briefing._latest = version
    return version


def record_download(briefing: Briefing, version: BriefingVersion, *, by, fmt: str) -> None:
    """A download is an export: who took which version, in which format."""
    audit.record(
        "reports.briefing.exported",
        briefing,
        actor=by,
        details={"version": version.number, "format": fmt, "title": version.title},
    )


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise DomainError("请填写简报标题", "briefing_title_required", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"标题不能超过{TITLE_MAX}个字", "briefing_title_too_long", field="title")
    if not body:
        raise DomainError("请填写简报正文", "briefing_body_required", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(f"正文不能超过{BODY_MAX}个字", "briefing_body_too_long", field="body")
    return title, body
