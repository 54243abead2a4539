"""The briefing on the demo data (the seed article's Eco-City): the article's own period tells
the article's activities and deeds with the article's figures, phrased from the data; another
period tells other things; more attendance changes the phrase.

The demo is loaded once for the module (it takes seconds) inside a transaction that is rolled
back at the end; each test runs in a savepoint of it, so what one test adds the next does not
see."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from dangjian.accounts.models import User
from dangjian.campaigns import services as campaigns
from dangjian.campaigns.models import Activity, CheckIn
from dangjian.orgs.models import Member
from dangjian.reports.briefings import draft
from dangjian.reports.registry import Period
from dangjian.reports.scopes import scope_of

pytestmark = pytest.mark.django_db
ARTICLE = Period(dt.date(2021, 2, 24), dt.date(2021, 3, 17))
LATER = Period(dt.date(2021, 5, 1), dt.date(2021, 6, 30))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    logins = tmp_path_factory.mktemp("demo") / "logins.txt"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("load_demo", logins_file=str(logins), stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _operator_draft(period: Period):
    return draft(period, scope_of(User.objects.get(username="operator")))


def _paragraph(result, start: str, contains: str):
    """The one paragraph that starts with a date and names something."""
    found = [p for p in result.paragraphs if p.text.startswith(start) and contains in p.text]
    assert len(found) == 1, [p.text for p in result.paragraphs]
    return found[0]


def _values(paragraph) -> list:
    return [f.value for f in paragraph.figures]


def test_the_articles_period_tells_the_articles_activities_in_its_words(demo):
    result = _operator_draft(ARTICLE)
    assert result.title == "全区扎实推进党史学习教育和“我为群众办实事”实践活动"
    launch = _paragraph(result, "2月24日，", "启动仪式暨“猜灯谜、学党史”竞答活动")
    assert "100余个党组织近600人参加了活动" in launch.text
    assert _values(launch) == [108, 586]  # the exact figures behind the phrase
    visit = _paragraph(result, "3月3日，", "张园")
    assert "参观《奠基岁月——天津市军管会和中共天津市委在张园》主题展览" in visit.text
    training = _paragraph(result, "3月9日，", "集中教育培训")
    assert "80余人" in training.text and 85 in _values(training)
    members = _paragraph(result, "全区", "名党员")
    assert "3700余名党员" in members.text
    assert _values(members)[-1] == Member.objects.active().count()


def test_the_articles_period_tells_the_directors_on_site_visit_at_yajingyuan(demo):
    deed = _paragraph(_operator_draft(ARTICLE), "3月8日，", "雅境园")
    assert deed.part == "deeds"
    assert "管委会主任带队" in deed.text
    assert "践行“一线工作法”" in deed.text
    assert "调研雅境园小区停车难问题" in deed.text
    assert "现场查看、现场办公、现场解决，推动新建停车场尽快投入使用。" in deed.text


def test_another_period_names_other_activities_and_figures(demo):
    article, later = _operator_draft(ARTICLE), _operator_draft(LATER)
    assert "2月24日" not in later.body
    assert "张园" not in later.body and "雅境园" not in later.body
    named = {f.key for f in later.figures if f.key.startswith("campaigns.activity.")}
    assert named and named.isdisjoint(f.key for f in article.figures)
    held = Activity.objects.filter(starts_at__date__gte=LATER.start, starts_at__date__lte=LATER.end)
    ids = {int(key.split(".")[2]) for key in named}
    assert ids <= set(held.values_list("pk", flat=True))
    assert "5月12日，" in later.body  # the 和畅路 parking deed's visit


def test_thirty_more_at_the_launch_make_nearly_600_into_600_odd(demo):
    launch = Activity.objects.get(title__contains="猜灯谜、学党史")
    present = CheckIn.objects.filter(activity=launch).values("member")
    for member in Member.objects.active().exclude(pk__in=present).order_by("pk")[:30]:
        campaigns.check_in(
            launch, member, method=CheckIn.Method.ROLL_CALL, by=None, at=launch.starts_at
        )
    paragraph = _paragraph(_operator_draft(ARTICLE), "2月24日，", "启动仪式")
    assert "600余人参加了活动" in paragraph.text
    assert "近600人" not in paragraph.text
    assert _values(paragraph)[1] == 616
