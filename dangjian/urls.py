from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangjian.core.views import healthz

admin.site.site_header = "党建工作平台 · 管理后台"
admin.site.site_title = "党建工作平台"
admin.site.index_title = "后台维护"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("dangjian.accounts.urls")),
    path("", include("dangjian.orgs.urls")),
]
