import importlib

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.core.middleware import RequestContextMiddleware
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _recording_view(request):
    audit.record("test.request")
    return HttpResponse("ok")


# used by @pytest.mark.urls(__name__): a view that records, behind the real middleware stack
urlpatterns = [path("record/", _recording_view)]


@pytest.fixture
def actor():
    return User.objects.create_user(username="wangfang", password="pw-123456", name="王芳")


@pytest.fixture
def target():
    return User.objects.create_user(username="lilei", password="pw-123456", name="李雷")


@pytest.fixture
def entry(actor, target):
    return audit.record("accounts.activate", target, actor=actor)


def record_through_middleware(**meta) -> AuditEntry:
    """Run a request through RequestContextMiddleware to a view that records an entry."""
    recorded = []

    def view(request):
        recorded.append(audit.record("x.y"))
        return HttpResponse("ok")

    request = RequestFactory().get("/anything", **meta)
    RequestContextMiddleware(view)(request)
    return recorded[0]


def test_record_stores_action_actor_and_object(actor, target):
    entry = audit.record("x.y", target, actor=actor, details={"reason": "测试"})
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.action == "x.y"
    assert entry.actor == actor
    assert entry.actor_label == "王芳"
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(target.pk)
    assert entry.object_repr == "李雷"
    assert entry.outcome == AuditEntry.Outcome.SUCCESS
    assert entry.details == {"reason": "测试"}
    assert entry.at is not None


def test_record_labels_actor_without_name_by_username(target):
    nameless = User.objects.create_user(username="zhao", password="pw-123456")
    assert audit.record("x.y", target, actor=nameless).actor_label == "zhao"


@pytest.mark.parametrize("who", [None, AnonymousUser()])
def test_record_without_logged_in_actor_is_labelled_system(who):
    entry = audit.record("x.y", actor=who)
    assert entry.actor is None
    assert entry.actor_label == "系统"
    assert entry.object_type == entry.object_id == entry.object_repr == ""


def test_record_stores_failure_outcome(actor):
    entry = audit.record("x.y", actor=actor, outcome=AuditEntry.Outcome.DENIED)
    assert AuditEntry.objects.get(pk=entry.pk).outcome == "denied"


def test_record_truncates_long_object_repr(actor):
    target = User.objects.create_user(username="long", password="pw-123456", name="长" * 50)
    target.name = "长" * 300  # unsaved: only str(obj) matters
    assert audit.record("x.y", target, actor=actor).object_repr == "长" * 200


def test_record_takes_ip_from_contextvar():
    token = audit.current_ip.set("198.51.100.4")
    try:
        entry = audit.record("x.y")
    finally:
        audit.current_ip.reset(token)
    assert AuditEntry.objects.get(pk=entry.pk).ip == "198.51.100.4"


def test_record_outside_a_request_has_no_ip():
    assert audit.record("x.y").ip is None


def test_middleware_gives_record_the_client_ip():
    assert record_through_middleware(REMOTE_ADDR="203.0.113.7").ip == "203.0.113.7"


def test_middleware_ignores_x_real_ip_unless_a_proxy_is_trusted():
    entry = record_through_middleware(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.9")
    assert entry.ip == "10.0.0.2"


def test_middleware_prefers_x_real_ip_and_ignores_x_forwarded_for(settings):
    settings.TRUST_X_REAL_IP = True
    entry = record_through_middleware(
        REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert entry.ip == "203.0.113.9"
    entry = record_through_middleware(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert entry.ip == "10.0.0.2"


def test_middleware_forgets_the_ip_after_the_request():
    record_through_middleware(REMOTE_ADDR="203.0.113.7")
    assert audit.current_ip.get() is None
    assert audit.record("x.y").ip is None


@pytest.mark.urls(__name__)
def test_request_through_the_project_middleware_records_the_client_ip(client):
    response = client.get("/record/", REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="test.request").ip == "203.0.113.8"


def test_saved_audit_entry_cannot_be_saved_again(entry):
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "accounts.activate"


def test_audit_entry_cannot_be_overwritten_by_reusing_its_primary_key(entry):
    with pytest.raises(PermissionError):
        AuditEntry(pk=entry.pk, action="forged").save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "accounts.activate"


def test_audit_entries_cannot_be_updated_in_bulk(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    entry.action = "forged"
    # bulk_update runs in atomic(savepoint=False); a savepoint keeps the test's transaction usable
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "accounts.activate"


def test_audit_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_with_audit_entries_is_refused(entry, actor):
    with pytest.raises(ProtectedError):
        actor.delete()
    assert AuditEntry.objects.filter(pk=entry.pk, actor=actor).exists()


def test_settings_use_argon2():
    # conftest swaps in a fast hasher for tests, so read the settings module itself
    production = importlib.import_module("dangjian.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hasher_is_usable():
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("correct-horse-battery", hasher.salt())
    assert encoded.startswith("argon2$")
    assert hasher.verify("correct-horse-battery", encoded)
    assert not hasher.verify("wrong-horse-battery", encoded)


def test_every_action_the_code_writes_has_a_chinese_name():
    """Every `audit.record("…")` in the application code names its action in Chinese."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    codes = set()
    for source in root.rglob("*.py"):
        if "tests" not in source.parts:
            text = source.read_text(encoding="utf-8")
            codes |= set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', text))
    assert len(codes) > 20
    assert sorted(c for c in codes if audit.action_label(c) == c) == []
    assert audit.action_label("orgs.member.transferred") == "组织关系转接"
