"""After the activity: the organizer's summary and photos, through the services, the pages and
the API."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, ActivityPhoto
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import photo_bytes, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(make_activity):
    """Bob's branch's activity that ended an hour ago."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    return make_activity(open=False, starts_at=starts_at, hours=2, title="支部党史学习交流会")


def login(client, user):
    client.logout()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- services


def test_a_summary_is_saved_trimmed_and_audited(held, people):
    services.save_summary(held, "  支部12名党员参加，交流学习体会。 \n", by=people["bob"])
    held.refresh_from_db()
    assert held.summary == "支部12名党员参加，交流学习体会。"
    assert held.summary_updated_by == people["bob"] and held.summary_updated_at is not None
    entry = AuditEntry.objects.get(action="campaigns.activity.summary_saved")
    assert entry.actor == people["bob"]

    services.save_summary(held, "支部12名党员参加，交流学习体会。", by=people["bob"])
    assert AuditEntry.objects.filter(action="campaigns.activity.summary_saved").count() == 1


def test_no_summary_or_photo_before_the_start_or_for_a_cancelled_activity(make_activity):
    upcoming = make_activity()
    for attempt in (
        lambda a: services.save_summary(a, "提前写好的总结", by=None),
        lambda a: services.add_photo(a, photo_upload(), by=None),
    ):
        with pytest.raises(DomainError, match="活动尚未开始"):
            attempt(upcoming)
    services.cancel_activity(upcoming, by=None, reason="场地调整")
    with pytest.raises(DomainError, match="活动已取消"):
        services.save_summary(upcoming, "总结", by=None)
    upcoming.refresh_from_db()
    assert upcoming.summary == "" and not ActivityPhoto.objects.exists()


def test_a_summary_over_5000_characters_is_refused(held):
    with pytest.raises(DomainError, match="不能超过5000字") as refused:
        services.save_summary(held, "学" * 5001, by=None)
    assert refused.value.field == "summary"
    held.refresh_from_db()
    assert held.summary == ""


def test_a_photo_is_stored_upright_without_metadata(held, people):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "Camera 12"
    upload = photo_upload(size=(80, 40), exif=exif)

    photo, created = services.add_photo(held, upload, by=people["bob"], caption=" 合影 ")

    assert created and photo.caption == "合影"
    with default_storage.open(photo.image.name) as stored:
        image = Image.open(BytesIO(stored.read()))
        assert (image.format, image.size) == ("JPEG", (40, 80))
        assert len(image.getexif()) == 0
    assert AuditEntry.objects.filter(action="campaigns.activity.photo_added").count() == 1


def test_the_same_file_twice_is_one_photo(held):
    data = photo_bytes(color=(10, 20, 30))
    first, created = services.add_photo(held, SimpleUploadedFile("a.jpg", data), by=None)
    again, created_again = services.add_photo(held, SimpleUploadedFile("b.jpg", data), by=None)
    assert created and not created_again and again.pk == first.pk
    assert ActivityPhoto.objects.count() == 1


def test_photos_per_activity_are_capped(held, settings):
    settings.PHOTOS_PER_ACTIVITY = 2
    for shade in (1, 2):
        services.add_photo(held, photo_upload(color=(shade, 0, 0)), by=None)
    with pytest.raises(DomainError, match="每个活动最多上传2张照片"):
        services.add_photo(held, photo_upload(color=(3, 0, 0)), by=None)
    assert ActivityPhoto.objects.count() == 2


def test_removing_a_photo_deletes_its_file(held, people, django_capture_on_commit_callbacks):
    photo, _ = services.add_photo(held, photo_upload(), by=None)
    name = photo.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row has
        services.remove_photo(photo, by=people["bob"])
    assert not ActivityPhoto.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEntry.objects.filter(action="campaigns.activity.photo_removed").exists()


# ---------------------------------------------------------------- pages


def test_bob_writes_the_summary_and_uploads_a_photo_on_the_pages(client, people, held):
    login(client, people["bob"])
    detail = reverse("activity_detail", args=[held.pk])
    assert "填写总结" in client.get(detail).content.decode()

    response = client.post(reverse("activity_summary", args=[held.pk]), {"summary": "收获很大。"})
    assert response.status_code == 302
    upload = photo_upload(name="现场.jpg")
    response = client.post(
        reverse("activity_photo_add", args=[held.pk]), {"image": upload, "caption": "交流发言"}
    )
    assert response.status_code == 302

    page = client.get(detail).content.decode()
    photo = ActivityPhoto.objects.get()
    assert "收获很大。" in page and "交流发言" in page
    assert reverse("activity_photo", args=[held.pk, photo.pk]) in page

    remove = client.post(reverse("activity_photo_remove", args=[held.pk, photo.pk]))
    assert remove.status_code == 302 and not ActivityPhoto.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_on_the_field(client, people, held):
    login(client, people["bob"])
    fake = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = client.post(reverse("activity_photo_add", args=[held.pk]), {"image": fake})
    assert response.status_code == 400
    assert "照片：文件不是有效的图片" in response.content.decode()
    assert not ActivityPhoto.objects.exists()

    missing = client.post(reverse("activity_photo_add", args=[held.pk]), {"caption": "无"})
    assert missing.status_code == 400 and "请选择照片" in missing.content.decode()


def test_a_summary_before_the_start_is_refused_on_the_page(client, people, make_activity):
    upcoming = make_activity()
    login(client, people["bob"])
    response = client.post(reverse("activity_summary", args=[upcoming.pk]), {"summary": "写早了"})
    assert response.status_code == 400
    assert "活动尚未开始" in response.content.decode()
    assert Activity.objects.get(pk=upcoming.pk).summary == ""


def test_photos_are_shown_to_who_may_see_the_activity_and_to_no_one_else(client, people, held):
    photo, _ = services.add_photo(held, photo_upload(), by=None)
    url = reverse("activity_photo", args=[held.pk, photo.pk])
    erin = login(client, people["erin"]).get(url)  # a member of the organizing branch
    assert erin.status_code == 200 and erin["Content-Type"] == "image/jpeg"
    assert b"".join(erin.streaming_content).startswith(b"\xff\xd8")
    assert login(client, people["charlie"]).get(url).status_code == 404
    other = make_other_photo(held)
    mismatched = reverse("activity_photo", args=[held.pk, other.pk])
    assert login(client, people["alice"]).get(mismatched).status_code == 404


def make_other_photo(held):
    """A photo of another activity: not reachable under `held`'s URL."""
    other = Activity.objects.create(
        campaign=held.campaign,
        type=held.type,
        title="另一个活动",
        starts_at=held.starts_at,
        ends_at=held.ends_at,
    )
    other.organizers.set(held.organizers.all())
    photo, _ = services.add_photo(other, photo_upload(color=(1, 2, 3)), by=None)
    return photo


def test_a_member_sees_no_summary_buttons(client, people, held):
    page = login(client, people["erin"]).get(reverse("activity_detail", args=[held.pk]))
    assert "填写总结" not in page.content.decode()
    response = client.post(reverse("activity_summary", args=[held.pk]), {"summary": "我来写"})
    assert response.status_code == 403


# ---------------------------------------------------------------- API


def test_the_api_saves_a_summary_and_adds_lists_serves_and_removes_photos(client, people, held):
    login(client, people["bob"])
    base = f"/api/v1/activities/{held.pk}"
    saved = client.put(
        f"{base}/summary", {"summary": "共12人参加。"}, content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["summary"] == "共12人参加。"

    data = photo_bytes(color=(9, 9, 9))
    first = client.post(f"{base}/photos", {"image": SimpleUploadedFile("a.jpg", data)})
    again = client.post(f"{base}/photos", {"image": SimpleUploadedFile("a.jpg", data)})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]

    detail = client.get(base).json()
    assert detail["summary"] == "共12人参加。"
    assert [p["id"] for p in detail["photos"]] == [first.json()["id"]]
    image = client.get(detail["photos"][0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    bad = client.post(f"{base}/photos", {"image": SimpleUploadedFile("x.jpg", b"not an image")})
    assert bad.status_code == 400
    assert bad.json()["code"] == "photo_invalid" and bad.json()["field"] == "image"

    gone = client.delete(f"{base}/photos/{first.json()['id']}")
    assert gone.status_code == 204 and not ActivityPhoto.objects.exists()


def test_the_api_refuses_a_summary_for_an_upcoming_activity(client, people, make_activity):
    upcoming = make_activity()
    login(client, people["bob"])
    response = client.put(
        f"/api/v1/activities/{upcoming.pk}/summary",
        {"summary": "写早了"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "activity_not_held"
