"""Shared test personas and a small district built through the real services.

Personas (healthchecks style): alice is the district operator, bob a branch secretary, dora a
department officer, pat an operator holding the personal-data right, erin a member with an
account, and charlie an outsider from another organization who must see nothing of theirs."""

import datetime as dt
import random
import threading
import time
from dataclasses import dataclass, field

from django.db import connections

from dangjian.accounts.models import Grant, Role, User
from dangjian.core import synthetic
from dangjian.orgs import services
from dangjian.orgs.models import Department, Member, Organization, Sector

PASSWORD = "correct-horse-battery"  # tests use the fast hasher; never a real password


@dataclass
class District:
    root: Organization
    branches: list[Organization]
    department: Department
    other_root: Organization
    members: list[Member] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))


def make_user(username: str, role: str | None = None, *, name: str = "", extra=(), **scope) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, name=name or username)
    if role:
        Grant.objects.create(user=user, role=role, extra_capabilities=list(extra), **scope)
    return user


def build_district() -> District:
    sectors = {s.code: s for s in Sector.objects.all()}
    department = services.create_department(by=None, name="党群工作部", runs_campaign=True)
    root = services.create_organization(
        by=None, name="测试区党工委", short_name="区党工委", kind=Organization.Kind.COMMITTEE
    )
    branches = [
        services.create_organization(
            by=None,
            name=f"测试{label}党支部",
            short_name=f"{label}支部",
            kind=Organization.Kind.BRANCH,
            parent=root,
            sector=sectors[code],
        )
        for code, label in [
            ("government", "机关"),
            ("enterprise", "企业"),
            ("community", "社区"),
            ("school", "学校"),
        ]
    ]
    branches[0] = services.update_organization(branches[0], by=None, department=department)
    other_root = services.create_organization(
        by=None, name="外区党委", short_name="外区", kind=Organization.Kind.COMMITTEE
    )
    return District(root=root, branches=branches, department=department, other_root=other_root)


def member_data(rng: random.Random, *, today: dt.date | None = None) -> dict:
    """Fields for one valid member (a name from a fixed list, a unique-enough ID and phone)."""
    today = today or dt.date(2021, 3, 1)
    male = rng.random() < 0.5
    born = synthetic.birth_date(rng, min_age=25, max_age=60, today=today)
    return {
        "name": rng.choice(["张", "王", "李", "赵", "刘", "陈"])
        + rng.choice(["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰"])
        + rng.choice(["", "华", "明", "丽", "军"]),
        "gender": "M" if male else "F",
        "id_number": synthetic.id_number(rng, born=born, male=male),
        "phone": synthetic.mobile(rng),
        "joined_on": _years_later(born, 22),
    }


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # born on 29 February
        return day.replace(year=day.year + years, day=28)


def add_members(district: District, count: int) -> list[Member]:
    """Add `count` members spread over the branches (and so the sectors)."""
    added = []
    for i in range(count):
        org = district.branches[i % len(district.branches)]
        added.append(services.create_member(by=None, organization=org, **member_data(district.rng)))
    district.members.extend(added)
    return added


def personas(district: District) -> dict[str, User]:
    """The users of the tests. erin is a member of branches[0] (bob's branch) with an account;
    she may see her own record and nothing else."""
    from dangjian.accounts.services import create_account

    erin_member = services.create_member(
        by=None,
        organization=district.branches[0],
        **{**member_data(random.Random(2024)), "name": "尔琳"},
    )
    return {
        "erin": create_account(
            by=None,
            username="erin",
            name="尔琳",
            password=PASSWORD,
            role=Role.MEMBER,
            member=erin_member,
            organization=district.branches[0],
        ),
        "alice": make_user("alice", Role.OPERATOR, name="区级管理员"),
        "bob": make_user("bob", Role.SECRETARY, name="支部书记", organization=district.branches[0]),
        "dora": make_user(
            "dora", Role.OFFICER, name="部门工作人员", department=district.department
        ),
        "pat": make_user(
            "pat", Role.OPERATOR, name="可查看个人信息的管理员", extra=["can_view_personal_data"]
        ),
        "charlie": make_user(
            "charlie", Role.SECRETARY, name="外区书记", organization=district.other_root
        ),
    }


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the real form in Chromium, as a person would."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def photo_bytes(size=(64, 48), color=(200, 30, 30), fmt="JPEG", exif=None) -> bytes:
    """A small picture as a phone would send it; `exif` (a PIL Exif) travels along."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(out, fmt, **kwargs)
    return out.getvalue()


def photo_upload(name="photo.jpg", **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


def run_together(call, arguments):
    """Run `call(argument)` for every argument in its own thread, all released at once by a
    barrier. Returns the results; asserts that no thread failed and that they overlapped."""
    barrier = threading.Barrier(len(arguments))
    results, errors, started, ended = {}, {}, {}, {}

    def worker(index, argument):
        try:
            barrier.wait()
            started[index] = time.monotonic()
            results[index] = call(argument)
            ended[index] = time.monotonic()
        except Exception as exc:  # recorded and asserted on below
            errors[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == {}
    assert not any("database is locked" in e for e in errors.values())
    assert len(results) == len(arguments)
    assert max(started.values()) < min(ended.values()), "the threads did not overlap"
    return [results[i] for i in range(len(arguments))]
