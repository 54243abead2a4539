from django.conf import settings
from django.core.management.base import BaseCommand

from dangjian.deeds.request_services import forget_requesters


class Command(BaseCommand):
    help = "删除办结满保存期限的群众诉求中的诉求人姓名、手机号、IP 和照片（每天运行一次）"

    def handle(self, *args, **options):
        count = forget_requesters()
        years = settings.REQUEST_RETENTION_YEARS
        self.stdout.write(f"已删除 {count} 件办结满 {years} 年的诉求的诉求人信息")
