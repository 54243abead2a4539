from django.urls import path

from dangjian.accounts import views

urlpatterns: list = [
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.api_token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path(
        "members/<int:pk>/account/activate",
        views.member_account_activate,
        name="member_account_activate",
    ),
    path("members/<int:pk>/account/reset", views.member_account_reset, name="member_account_reset"),
]
