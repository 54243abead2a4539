import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from dangjian.core import uploads

pytestmark = pytest.mark.django_db


def _age(token: str, seconds: float) -> None:
    folder = Path(settings.VAR_DIR) / "imports" / token
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "created": time.time() - seconds}))
    old = time.time() - seconds
    os.utime(folder, (old, old))


def test_an_upload_is_found_by_its_owner_and_kind_only(people):
    token = uploads.stash(b"abc", owner=people["alice"], kind="members", filename="名册.xlsx")
    upload = uploads.load(token, owner=people["alice"], kind="members")
    assert (upload.data, upload.filename) == (b"abc", "名册.xlsx")
    assert uploads.load(token, owner=people["bob"], kind="members") is None
    assert uploads.load(token, owner=people["alice"], kind="organizations") is None


def test_a_taken_upload_is_gone(people):
    token = uploads.stash(b"abc", owner=people["alice"], kind="members", filename="a.xlsx")
    assert uploads.take(token, owner=people["alice"], kind="members").data == b"abc"
    assert uploads.take(token, owner=people["alice"], kind="members") is None


def test_expired_uploads_are_not_found_and_swept_by_the_next_stash(people):
    token = uploads.stash(b"abc", owner=people["alice"], kind="members", filename="a.xlsx")
    _age(token, uploads.TTL.total_seconds() + 60)
    assert uploads.load(token, owner=people["alice"], kind="members") is None
    uploads.stash(b"new", owner=people["alice"], kind="members", filename="b.xlsx")
    assert not (Path(settings.VAR_DIR) / "imports" / token).exists()


@pytest.mark.parametrize("token", ["../secret_key", "", "A" * 32, "0" * 31, None])
def test_a_token_of_the_wrong_shape_never_reaches_the_file_system(people, token):
    assert uploads.load(token, owner=people["alice"], kind="members") is None
