"""The demo ledger of practical deeds (我为群众办实事台账) for the seed article's Eco-City.

The article's own deeds: the 雅境园 parking problem the administrative committee's director took
up on site on 2021-03-08 (现场查看、现场办公、现场解决) and the new car park's milestones; the
science and technology bureau's party day that helped 天津中科生物科技有限公司 towards national
high-tech status; the HR bureau's policy visits to two enterprises on 2021-03-17. Around them,
a few dozen plausible deeds of every department across the twelve communities, in every state
of the lifecycle, each closed-out outcome among them.

Built through the services on the demo district and activities (`orgs.demo`, `campaigns.demo`),
deterministically; a deed that exists (by title) is left alone, so a second run adds nothing.
The campaign's deeds of 2021 are mostly closed out. The demo is looked at years later, so the
deeds still open have deadlines relative to the day it is loaded: some due within days (blue),
some overdue (orange, red), some comfortably ahead, and the escalation colours show.
"""

import datetime as dt
import random
from dataclasses import dataclass
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from dangjian.campaigns.models import Activity
from dangjian.deeds import services
from dangjian.deeds.demo_plans import (  # noqa: F401 (names the tests use)
    HR_ACTIVITY,
    HR_VISITS,
    NAMED,
    PARTY_DAY,
    PLANS,
    SEED,
    TZ,
    YAJINGYUAN,
    ZHONGKE,
    Day,
    Plan,
    VisitPlan,
)
from dangjian.deeds.models import Deed, SiteVisit
from dangjian.orgs.models import Community, Department, Enterprise

# ---------------------------------------------------------------- loading


@dataclass
class _World:
    today: dt.date
    departments: dict[str, Department]
    communities: dict[str, Community]
    enterprises: dict[str, Enterprise]
    others: list[Enterprise]  # enterprises other than the article's, in creation order

    @classmethod
    def read(cls, today: dt.date) -> "_World":
        enterprises = list(Enterprise.objects.order_by("id"))
        return cls(
            today=today,
            departments={d.short_name: d for d in Department.objects.all()},
            communities={c.name.removesuffix("社区"): c for c in Community.objects.all()},
            enterprises={e.name: e for e in enterprises},
            others=[e for e in enterprises if e.name not in NAMED],
        )

    def day(self, value: Day) -> dt.date:
        return value if isinstance(value, dt.date) else self.today + dt.timedelta(days=value)

    def moment(self, value: dt.datetime | int) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        day = self.day(-abs(value))
        return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)

    def enterprise(self, key: str | int) -> Enterprise:
        return self.enterprises[key] if isinstance(key, str) else self.others[key]


def load(*, today: dt.date | None = None) -> dict:
    """Build (or complete) the demo ledger. Returns counts of what exists afterwards."""
    world = _World.read(today or timezone.localdate())
    if not world.departments:
        return {"deeds": 0, "visits": 0, "closed": 0}
    with transaction.atomic():
        existing = set(Deed.objects.values_list("title", flat=True))
        for index, plan in enumerate(PLANS):
            if plan.title not in existing:
                _build(plan, world, random.Random(SEED + index))
    return {
        "deeds": Deed.objects.count(),
        "visits": SiteVisit.objects.count(),
        "closed": Deed.objects.filter(status=Deed.Status.CLOSED).count(),
    }


def _build(plan: Plan, w: _World, rng: random.Random) -> Deed:
    owner = w.departments[plan.owner]
    activity = Activity.objects.filter(title=plan.activity).first() if plan.activity else None
    deed = services.create_deed(
        by=None,
        title=plan.title,
        source=plan.source,
        owner=owner,
        deadline=w.day(plan.deadline),
        description=plan.description,
        leader=plan.leader,
        beneficiaries=plan.beneficiaries,
        activity=activity,
        communities=[w.communities[name] for name in plan.communities],
        enterprises=[w.enterprise(key) for key in plan.enterprises],
        co_departments=[(w.departments[short], task) for short, task in plan.co],
        owner_task=plan.owner_task,
    )
    if plan.state == "proposed":
        return deed
    if plan.state == "cancelled" and not plan.progress:
        return services.cancel_deed(deed, by=None, reason=plan.reason)
    deed = services.commit_deed(deed, by=None)
    for visit in plan.visits:
        _visit(deed, visit, w, rng)
    for title, planned, done, department in plan.milestones:
        milestone = services.add_milestone(
            deed,
            by=None,
            title=title,
            planned_on=w.day(planned),
            department=w.departments[department or plan.owner],
        )
        if done is not None:
            services.complete_milestone(milestone, by=None, done_on=w.day(done))
    _report_progress(deed, plan, w)
    if plan.supervision:
        message, answer = plan.supervision
        notice = services.issue_supervision(deed, by=None, message=message)
        if answer:
            services.answer_supervision(notice, by=None, answer=answer)
    return _finish(deed, plan, rng)


def _visit(deed: Deed, visit: VisitPlan, w: _World, rng: random.Random) -> None:
    photos = [
        SimpleUploadedFile(f"现场照片{i + 1}.png", _site_photo(rng), content_type="image/png")
        for i in range(visit.photos)
    ]
    services.record_visit(
        deed,
        by=None,
        department=w.departments[visit.department or deed.owner.short_name],
        visited_at=w.moment(visit.at),
        place=visit.place,
        visitors=visit.visitors,
        observed=visit.observed,
        decided=visit.decided,
        photos=photos,
    )


def _report_progress(deed: Deed, plan: Plan, w: _World) -> None:
    """Each department reports on its part: as planned, or all done for a fixed deed."""
    done = plan.state in ("fixed", "awaiting") and not plan.progress
    for part in deed.parts.select_related("department"):
        if done:
            progress, note = 100, "已完成。"
        elif part.department.short_name in plan.progress:
            progress, note = plan.progress[part.department.short_name]
        else:
            continue
        services.update_part(part, by=None, version=part.version, progress=progress, note=note)


def _finish(deed: Deed, plan: Plan, rng: random.Random) -> Deed:
    if plan.state == "cancelled":
        return services.cancel_deed(deed, by=None, reason=plan.reason)
    if plan.state not in ("awaiting", *Deed.Outcome.values):
        return deed
    files = [
        SimpleUploadedFile(f"销号照片{i + 1}.png", _site_photo(rng), content_type="image/png")
        for i in range(plan.evidence_photos)
    ]
    deed = services.submit_close_out(deed, by=None, evidence=plan.evidence, files=files)
    if plan.state == "awaiting":
        return deed
    reason = plan.reason if plan.state == Deed.Outcome.NOT_FIXED else ""
    return services.review_close_out(deed, by=None, outcome=plan.state, reason=reason)


def _site_photo(rng: random.Random) -> bytes:
    """A drawn stand-in for a photo taken on site: a car park seen from above."""
    image = Image.new("RGB", (960, 640), (120, 124, 128))
    draw = ImageDraw.Draw(image)
    for row in range(3):
        y = 60 + row * 200
        for bay in range(12):
            x = 40 + bay * 74
            draw.rectangle((x, y, x + 70, y + 130), outline=(240, 240, 240), width=3)
            if rng.random() < 0.7:
                colour = tuple(rng.randint(30, 230) for _ in range(3))
                draw.rounded_rectangle((x + 12, y + 14, x + 58, y + 116), 10, fill=colour)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
