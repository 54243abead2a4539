"""Two people save one deed at the same moment, on real connections (SQLite and PostgreSQL)."""

import time

import pytest

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import run_together
from dangjian.deeds import services
from dangjian.deeds.models import Deed

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_saves_one_wins_the_other_is_told_to_reload(
    make_deed, people, monkeypatch
):
    deed = make_deed()
    version = deed.version
    locked = services._locked

    def slow_lock(d):  # hold the row a moment so that the two saves surely overlap
        row = locked(d)
        time.sleep(0.05)
        return row

    monkeypatch.setattr(services, "_locked", slow_lock)

    def save(change):
        user, leader = change
        try:
            return services.update_deed(deed, by=people[user], version=version, leader=leader)
        except DomainError as exc:
            return exc

    results = run_together(save, [("alice", "王主任"), ("dora", "李局长")])

    winners = [r for r in results if isinstance(r, Deed)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code == "deed_version_conflict"
    assert "已被他人修改" in losers[0].message
    stored = Deed.objects.get(pk=deed.pk)
    assert stored.leader == winners[0].leader
    assert stored.version == version + 1
    attempts = AuditEntry.objects.filter(action="deeds.deed.updated", object_id=str(deed.pk))
    assert sorted(attempts.values_list("outcome", flat=True)) == ["failure", "success"]
    assert {e.actor.username for e in attempts} == {"alice", "dora"}
