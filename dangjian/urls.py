from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangjian.accounts.views import LoginView
from dangjian.api import api
from dangjian.core.views import audit_log, healthz

admin.site.site_header = "党建工作平台 · 管理后台"
admin.site.site_title = "党建工作平台"
admin.site.index_title = "后台维护"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("audit/", audit_log, name="audit_log"),
    path("api/", api.urls),
    path("", include("dangjian.accounts.urls")),
    path("", include("dangjian.campaigns.urls")),
    path("", include("dangjian.deeds.urls")),
    path("", include("dangjian.orgs.urls")),
    path("", include("dangjian.reports.urls")),
    path("", include("dangjian.reports.briefing_urls")),
]
