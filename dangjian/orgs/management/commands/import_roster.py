from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_perm
from dangjian.core.errors import DomainError
from dangjian.core.spreadsheets import SpreadsheetError
from dangjian.orgs import imports

DEFAULT_USER = "operator"  # the demo's district operator


class Command(BaseCommand):
    """Import a member roster as the page does: the same checks, report and single transaction.
    The rows are checked against the scope of --user, who is also the audit log's actor."""

    help = "导入党员名册（.xlsx 或 .csv）：先检查全部行，有问题则列出并退出，不写入任何数据"
    capability = MANAGE_MEMBERS
    plan = staticmethod(imports.plan_member_import)
    commit = staticmethod(imports.commit_member_import)

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查和预览，不写入")
        parser.add_argument(
            "--user",
            default="",
            help=f"以哪个账号导入（按其管理范围检查，记入审计日志）；默认 {DEFAULT_USER}",
        )

    def handle(self, *args, file: str, dry_run: bool = False, user: str = "", **options):
        actor = self._actor(user)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{file}”：{exc.strerror}") from None
        try:
            plan = self.plan(data, path.name, user=actor)
        except SpreadsheetError as exc:
            raise CommandError(exc.message) from None
        self._report(plan)
        if plan.problems:
            raise CommandError(f"发现 {len(plan.problems)} 处问题，未导入任何数据。")
        if dry_run:
            self.stdout.write("试运行（--dry-run）：未写入任何数据。")
            return
        try:
            counts = self.commit(plan, user=actor, filename=path.name, data=data)
        except DomainError as exc:
            raise CommandError(f"{exc.message}。未导入任何数据。") from None
        self.stdout.write(self.style.SUCCESS(f"导入完成：{_counts(counts)}。"))

    def _actor(self, username: str):
        users = get_user_model().objects
        user = users.filter(username=username or DEFAULT_USER, is_active=True).first()
        if user is None:
            if not username:
                raise CommandError("请用 --user 指定执行导入的账号（按该账号的管理范围检查）")
            raise CommandError(f"找不到账号“{username}”")
        if not has_perm(user, self.capability):
            raise CommandError(f"账号“{user.username}”没有导入权限")
        return user

    def _report(self, plan) -> None:
        if plan.parsed.unknown_columns:
            ignored = "、".join(plan.parsed.unknown_columns)
            self.stdout.write(f"以下列未能识别，已忽略：{ignored}")
        for problem in plan.problems:
            self.stdout.write(str(problem))
        if plan.problems:
            return
        self.stdout.write(_counts(plan.counts))
        for row in plan.updates:
            changes = "；".join(
                f"{h}：{old or '（空）'} → {new or '（空）'}" for h, old, new in row.changes
            )
            self.stdout.write(f"第{row.number}行 {row.data['name']}：{changes}")


def _counts(counts: dict) -> str:
    return f"新增 {counts['created']}，更新 {counts['updated']}，不变 {counts['unchanged']}"
