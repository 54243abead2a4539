from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in Chinese: Django 5.2's zh-Hans catalogue lacks the new
    "This password is too short" message, so people would read English."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要{self.min_length}个字符。"
