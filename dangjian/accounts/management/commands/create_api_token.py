from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.core.errors import DomainError


class Command(BaseCommand):
    help = "为用户创建 API 令牌，只输出令牌本身（只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号")
        parser.add_argument("name", help="令牌名称")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在")
        try:
            _, secret = services.create_api_token(user, name, by=None)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(secret)
