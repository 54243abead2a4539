from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField


class APITokenForm(forms.Form):
    name = forms.CharField(
        label="令牌名称",
        max_length=100,
        help_text="写明用途，例如“统计报表脚本”，便于以后辨认和吊销",
    )


class LoginForm(AuthenticationForm):
    """One field for every identifier; one message whether the name or the password is wrong,
    so the page does not tell who has an account."""

    username = UsernameField(label="手机号 / 身份证号 / 账号")
    error_messages = {
        "invalid_login": "账号或密码不正确",
        "inactive": "账号或密码不正确",
    }
