"""The signed codes of QR check-in.

A *screen code* is shown on the projector at the venue and changes every 30 seconds:
`<activity>-<period>-<mac>`, where period counts 30-second steps since the epoch. It is
accepted in its own period and the next one, so a code photographed and forwarded is useless a
minute later. A *member code* is on the member's phone page and scanned by staff:
`<member>-<version>-<mac>`; re-issuing it bumps the stored version and the old one is revoked.

The mac is 10 characters of an HMAC-SHA256 under a key derived from SECRET_KEY, one key per
kind, in base32 (letters and the digits 2-7), so a code can also be typed: case and spaces do
not matter, and in the mac the digits 0, 1 and 8, which base32 lacks, are read as the letters
O, I and B they are mistaken for. 50 bits cannot be guessed through an authenticated, audited
endpoint."""

import base64
import datetime as dt
import hmac
import re

from django.utils import timezone
from django.utils.crypto import salted_hmac

from dangjian.core.errors import DomainError

SCREEN_PERIOD = 30  # seconds a screen code is shown before the next one
MAC_LENGTH = 10
CODE_RE = re.compile(rf"^(\d{{1,12}})-(\d{{1,12}})-([A-Z2-7]{{{MAC_LENGTH}}})$")

LOOK_ALIKES = str.maketrans("018", "OIB")

INVALID = ("签到码无效或已被篡改", "code_invalid")
EXPIRED = ("签到码已过期，请扫描现场屏幕上的最新二维码", "code_expired")
OTHER_ACTIVITY = ("这是其他活动的签到码", "code_other_activity")
REVOKED = ("党员码已失效（已重新生成），请打开手机上最新的党员码", "member_code_revoked")


def _mac(kind: str, payload: str) -> str:
    digest = salted_hmac(f"dangjian.campaigns.codes.{kind}", payload, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:MAC_LENGTH]


def _sign(kind: str, first: int, second: int) -> str:
    payload = f"{first}-{second}"
    return f"{payload}-{_mac(kind, payload)}"


def _parse(kind: str, code: str) -> tuple[int, int]:
    """The two numbers of a well-formed code whose mac holds; else the tampered refusal."""
    normalized = re.sub(r"\s+", "", code or "").upper()
    head, _, mac = normalized.rpartition("-")
    match = CODE_RE.match(f"{head}-{mac.translate(LOOK_ALIKES)}")
    if not match:
        raise DomainError(*INVALID, field="code")
    first, second, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(kind, f"{int(first)}-{int(second)}")):
        raise DomainError(*INVALID, field="code")
    return int(first), int(second)


# ---------------------------------------------------------------- screen codes


def period_of(at: dt.datetime) -> int:
    return int(at.timestamp()) // SCREEN_PERIOD


def screen_code(activity_id: int, at: dt.datetime | None = None) -> str:
    return _sign("screen", activity_id, period_of(at or timezone.now()))


def seconds_left(at: dt.datetime | None = None) -> int:
    """Until the screen code changes."""
    return SCREEN_PERIOD - int((at or timezone.now()).timestamp()) % SCREEN_PERIOD


def check_screen_code(code: str, activity_id: int, at: dt.datetime) -> None:
    """Refuse a screen code that is tampered, for another activity, or older than the previous
    period (a code from the future is tampered with as far as anyone can tell)."""
    code_activity, period = _parse("screen", code)
    if code_activity != activity_id:
        raise DomainError(*OTHER_ACTIVITY, field="code")
    now = period_of(at)
    if period > now:
        raise DomainError(*INVALID, field="code")
    if period < now - 1:
        raise DomainError(*EXPIRED, field="code")


# ---------------------------------------------------------------- member codes


def member_code(member_id: int, version: int) -> str:
    return _sign("member", member_id, version)


def read_member_code(code: str) -> tuple[int, int]:
    """(member id, version) of an untampered member code; the caller checks the version."""
    return _parse("member", code)
