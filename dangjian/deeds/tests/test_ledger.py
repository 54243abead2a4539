"""The ledger's rules: lifecycle and close-out, what counts as done, escalation colours,
parts, and lost updates prevented by versions."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.deeds import queries, services
from dangjian.deeds.models import Deed

pytestmark = pytest.mark.django_db


def close(deed, outcome, reason=""):
    services.submit_close_out(deed, by=None, evidence="已完成，附验收照片。")
    return services.review_close_out(deed, by=None, outcome=outcome, reason=reason)


def test_close_out_needs_evidence_and_writes_nothing_without_it(make_deed):
    deed = make_deed()
    for evidence in ("", "   "):
        with pytest.raises(DomainError, match="须提供销号材料") as refused:
            services.submit_close_out(deed, by=None, evidence=evidence)
        assert refused.value.field == "evidence"
    deed.refresh_from_db()
    assert deed.status == Deed.Status.COMMITTED and deed.evidence == ""
    with pytest.raises(DomainError, match="只有待销号的实事项目可以审核销号"):
        services.review_close_out(deed, by=None, outcome=Deed.Outcome.FIXED)


def test_closed_without_a_fix_needs_a_reason(make_deed):
    deed = make_deed()
    services.submit_close_out(deed, by=None, evidence="协调未果。")
    with pytest.raises(DomainError, match="未解决的须说明原因"):
        services.review_close_out(deed, by=None, outcome=Deed.Outcome.NOT_FIXED)
    closed = services.review_close_out(
        deed, by=None, outcome=Deed.Outcome.NOT_FIXED, reason="涉及规划调整，年内无法实施"
    )
    assert closed.status == Deed.Status.CLOSED and closed.outcome_reason.startswith("涉及规划")


def test_counts_never_call_closed_without_a_fix_done(make_deed):
    today = timezone.localdate()
    for _ in range(3):
        close(make_deed(), Deed.Outcome.FIXED)
    close(make_deed(), Deed.Outcome.PARTLY)
    for _ in range(2):
        close(make_deed(), Deed.Outcome.NOT_FIXED, reason="不具备实施条件")
    services.submit_close_out(make_deed(), by=None, evidence="施工完毕")  # awaiting
    make_deed(deadline=today - dt.timedelta(days=2))  # committed, overdue
    make_deed()  # committed, on time
    make_deed(commit=False)  # proposed: not on the list
    services.cancel_deed(make_deed(), by=None, reason="并入其他项目")

    counts = queries.deed_counts(Deed.objects.all(), today)

    assert counts == queries.Counts(
        committed=9,
        in_progress=2,
        awaiting=1,
        closed=6,
        done=4,
        fixed=3,
        partly=1,
        not_fixed=2,
        overdue=1,
        cancelled=1,
    )


def test_a_returned_close_out_goes_back_to_work(make_deed):
    deed = make_deed()
    services.submit_close_out(deed, by=None, evidence="已完成")
    returned = services.return_close_out(deed, by=None, reason="缺少验收照片")
    assert returned.status == Deed.Status.IN_PROGRESS
    entry = AuditEntry.objects.filter(action="deeds.close_out.returned").get()
    assert entry.details["reason"] == "缺少验收照片"


@pytest.mark.parametrize(
    ("days_to_deadline", "colour"),
    [
        (30, ""),
        (4, ""),
        (3, "blue"),
        (2, "blue"),
        (0, "blue"),
        (-1, "orange"),
        (-7, "orange"),
        (-8, "red"),
        (-40, "red"),
    ],
)
def test_escalation_colours_by_the_deadline(make_deed, days_to_deadline, colour):
    today = dt.date(2021, 3, 10)  # a fixed clock
    deed = make_deed(deadline=today + dt.timedelta(days=days_to_deadline))
    assert queries.escalation_of(deed, today) == colour
    annotated = queries.with_escalation(Deed.objects.filter(pk=deed.pk), today).get()
    assert annotated.escalation == colour


def test_ended_deeds_have_no_colour(make_deed):
    today = dt.date(2021, 3, 10)
    deed = close(make_deed(deadline=dt.date(2021, 1, 1)), Deed.Outcome.FIXED)
    assert queries.escalation_of(deed, today) == ""
    assert queries.with_escalation(Deed.objects.filter(pk=deed.pk), today).get().escalation == ""


def test_parts_report_progress_and_the_deed_shows_their_mean(make_deed, departments):
    deed = make_deed()
    owner_part, co_part = deed.parts.order_by("id")
    services.update_part(
        owner_part, by=None, version=owner_part.version, progress=80, note="已选址"
    )
    services.update_part(co_part, by=None, version=co_part.version, progress=30)
    deed.refresh_from_db()
    assert deed.status == Deed.Status.IN_PROGRESS
    assert queries.progress_of(deed) == 55
    assert queries.with_progress(Deed.objects.filter(pk=deed.pk)).get().progress == 55
    with pytest.raises(DomainError, match="0到100"):
        services.update_part(co_part, by=None, version=2, progress=101)


def test_a_stale_part_version_is_refused(make_deed):
    part = make_deed().parts.first()
    services.update_part(part, by=None, version=1, progress=10)
    with pytest.raises(DomainError) as refused:
        services.update_part(part, by=None, version=1, progress=90)
    assert refused.value.code == "part_version_conflict"
    part.refresh_from_db()
    assert part.progress == 10


def test_a_stale_deed_version_is_refused_and_the_attempt_audited(make_deed, people):
    deed = make_deed()
    services.update_deed(deed, by=people["alice"], version=deed.version, leader="王主任")
    with pytest.raises(DomainError) as refused:
        services.update_deed(deed, by=people["dora"], version=deed.version, leader="李局长")
    assert refused.value.code == "deed_version_conflict"
    deed.refresh_from_db()
    assert deed.leader == "王主任"
    outcomes = list(
        AuditEntry.objects.filter(action="deeds.deed.updated").values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == ["failure", "success"]


def test_milestones_and_visits_belong_to_a_party_of_the_deed(make_deed, departments):
    deed = make_deed()
    with pytest.raises(DomainError, match="不是此实事项目的责任或协办单位"):
        services.add_milestone(
            deed,
            by=None,
            title="完成设计",
            planned_on=dt.date(2021, 4, 1),
            department=departments["other"],
        )
    milestone = services.add_milestone(
        deed,
        by=None,
        title="完成设计",
        planned_on=dt.date(2021, 4, 1),
        department=departments["co"],
    )
    services.complete_milestone(milestone, by=None, done_on=dt.date(2021, 3, 28))
    visit = services.record_visit(
        deed,
        by=None,
        department=departments["owner"],
        visited_at=timezone.now() - dt.timedelta(hours=1),
        place="雅境园小区",
        visitors="管委会主任及建设局、城管局负责同志",
        observed="车位缺口约300个，夜间占道停车严重",
        decided="利用小区东侧空地建设临时停车场",
    )
    assert visit.deed == deed
    timeline = AuditEntry.objects.filter(object_type="deeds.deed", object_id=str(deed.pk))
    assert {"deeds.milestone.added", "deeds.milestone.completed", "deeds.visit.recorded"} <= set(
        timeline.values_list("action", flat=True)
    )


def test_supervision_records_the_colour_and_the_answer(make_deed):
    deed = make_deed(deadline=timezone.localdate() - dt.timedelta(days=9))
    notice = services.issue_supervision(deed, by=None, message="请于三日内报送进展")
    assert notice.level == "red"
    services.answer_supervision(notice, by=None, answer="已完成施工招标，4月底完工")
    with pytest.raises(DomainError, match="已反馈"):
        services.answer_supervision(notice, by=None, answer="再次反馈")
