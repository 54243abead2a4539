"""Files kept on the server between two requests: an uploaded workbook between its preview and
the confirmation, or a problem report until it is downloaded. Each lives in its own folder
under VAR_DIR/imports/<random token>, belongs to the user who uploaded it, and expires after
an hour. The confirmation *takes* the file (load and delete in one step), so one upload is
imported at most once, whatever the user clicks.

The folder is on the local disk: several app servers need VAR_DIR on shared storage (or sticky
sessions) for a confirmation to find its file."""

import datetime as dt
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TTL = dt.timedelta(hours=1)
TOKEN_RE = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Upload:
    token: str
    kind: str  # what the bytes are: "members", "organizations", "report"
    filename: str
    data: bytes


def stash(data: bytes, *, owner, kind: str, filename: str) -> str:
    """Keep `data` for `owner`; returns the token that finds it again."""
    sweep()
    token = secrets.token_hex(16)
    folder = _root() / token
    folder.mkdir(parents=True)
    (folder / "data").write_bytes(data)
    meta = {"owner": owner.pk, "kind": kind, "filename": filename, "created": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, *, owner, kind: str) -> Upload | None:
    """The owner's unexpired file of this kind, or None (unknown, expired or someone else's)."""
    folder = _folder(token)
    meta = _meta(folder) if folder else None
    if not meta or meta["owner"] != owner.pk or meta["kind"] != kind or _expired(meta):
        return None
    try:
        data = (folder / "data").read_bytes()
    except FileNotFoundError:  # taken meanwhile
        return None
    return Upload(token=token, kind=kind, filename=meta["filename"], data=data)


def take(token: str, *, owner, kind: str) -> Upload | None:
    """Load and delete in one step: of two requests with one token, only one gets the file."""
    upload = load(token, owner=owner, kind=kind)
    if upload is None:
        return None
    folder = _root() / token
    taken = folder.with_name(f"{token}.taken")
    try:
        folder.rename(taken)  # atomic; the loser's rename fails
    except OSError:
        return None
    shutil.rmtree(taken, ignore_errors=True)
    return upload


def sweep() -> None:
    """Delete expired files (and folders left by an interrupted take)."""
    root = _root()
    if not root.exists():
        return
    deadline = time.time() - TTL.total_seconds()
    for folder in root.iterdir():
        try:
            stale = folder.stat().st_mtime < deadline or folder.name.endswith(".taken")
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


def _root() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _folder(token: str) -> Path | None:
    """The token's folder; a token of the wrong shape never reaches the file system."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    return _root() / token


def _meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None


def _expired(meta: dict) -> bool:
    return time.time() - meta.get("created", 0) > TTL.total_seconds()
