import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dangjian.campaigns import demo as campaign_demo
from dangjian.deeds import demo as deed_demo
from dangjian.deeds import demo_requests as request_demo
from dangjian.orgs import demo
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "加载演示数据：中新天津生态城（可重复执行，不会重复添加）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="只在数据库中还没有党组织时加载"
        )
        parser.add_argument("--logins-file", default=str(settings.VAR_DIR / "demo-logins.txt"))
        parser.add_argument(
            "--without-activities",
            action="store_true",
            help="只加载组织和党员，不加载活动和实事项目（测试用，更快）",
        )

    def handle(self, *args, if_empty=False, logins_file="", without_activities=False, **options):
        logins = Path(logins_file)
        if if_empty and Organization.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据加载。")
        else:
            started = time.monotonic()
            counts = demo.load()
            self.stdout.write(
                f"演示数据已就绪：党组织 {counts['organizations']} 个，"
                f"党员 {counts['members']} 名，"
                f"社区 {counts['communities']} 个，企业 {counts['enterprises']} 家"
                f"（用时 {time.monotonic() - started:.1f} 秒）。"
            )
            if without_activities:
                return self._logins(logins)
            started = time.monotonic()
            counts = campaign_demo.load()
            self.stdout.write(
                f"演示活动已就绪：活动 {counts['activities']} 场，"
                f"签到 {counts['check_ins']} 人次"
                f"（用时 {time.monotonic() - started:.1f} 秒）。"
            )
            started = time.monotonic()
            counts = deed_demo.load()  # after the activities: party-day deeds name theirs
            self.stdout.write(
                f"演示实事项目已就绪：实事项目 {counts['deeds']} 项，"
                f"已销号 {counts['closed']} 项，现场办公 {counts['visits']} 次"
                f"（用时 {time.monotonic() - started:.1f} 秒）。"
            )
            started = time.monotonic()
            counts = request_demo.load()  # after the ledger: two requests link to its deed
            self.stdout.write(
                f"演示群众诉求已就绪：诉求 {counts['requests']} 件，"
                f"已办结 {counts['closed']} 件，已评价 {counts['rated']} 件，"
                f"2021年节假日安排 {counts['calendar_days']} 天"
                f"（用时 {time.monotonic() - started:.1f} 秒）。"
            )
        self._logins(logins)

    def _logins(self, logins: Path) -> None:
        if Organization.objects.filter(name=demo.ROOT).exists():
            accounts = demo.ensure_accounts(_read_logins(logins))
            request_demo.credit_phone_ratings("operator")  # recorded before the accounts existed
            _write_logins(logins, accounts)
            self.stdout.write(_format_logins(accounts, logins))


def _read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    known = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            known[parts[0]] = parts[1]
    return known


def _write_logins(path: Path, accounts) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{u}\t{p}\t{r}\n" for u, p, r in accounts), encoding="utf-8")
    path.chmod(0o600)


def _format_logins(accounts, path: Path) -> str:
    lines = ["", f"演示账号（密码为本机随机生成，已保存到 {path}）："]
    lines += [f"  {role:<16}账号 {u:<10} 密码 {p}" for u, p, role in accounts]
    return "\n".join(lines)
