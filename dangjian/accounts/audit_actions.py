"""Chinese names of the audit actions this app writes, for the audit page."""

AUDIT_ACTIONS = {
    "accounts.api_token.created": "创建 API 令牌",
    "accounts.api_token.revoked": "吊销 API 令牌",
    "accounts.grant.created": "授权",
    "accounts.grant.revoked": "撤销授权",
    "accounts.login.failed": "登录失败",
    "accounts.login.locked_out": "账号锁定",
    "accounts.login.succeeded": "登录",
    "accounts.logout": "退出登录",
    "accounts.member_account.activated": "开通党员账号",
    "accounts.member_account.password_reset": "重置党员密码",
    "accounts.password.changed": "修改密码",
    "accounts.user.created": "新建用户",
    "accounts.user.password_set": "设置密码",
}
