import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in. Members get one only when activated; most residents never do."""

    name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()


class Role(models.TextChoices):
    OPERATOR = "operator", "区级管理员（党群工作部）"
    SECRETARY = "secretary", "党组织书记"
    OFFICER = "officer", "部门工作人员"
    MEMBER = "member", "党员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class Grant(models.Model):
    """A role given to a user over a part of the district (an organization subtree, a
    department or a community). Capabilities come from the role plus any extras."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=20, choices=Role)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="党组织",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    community = models.ForeignKey(
        "orgs.Community",
        verbose_name="社区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    extra_capabilities = models.JSONField("附加权限", default=list, blank=True)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"

    def __str__(self) -> str:
        scope = self.organization or self.department or self.community or "全区"
        return f"{self.user} · {self.get_role_display()} · {scope}"


class APIToken(models.Model):
    """A secret that lets a program act as its user through the API. Only the SHA-256 of the
    secret is stored; the secret itself is shown once, when the token is created."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=8)
    token_hash = models.CharField("摘要", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
