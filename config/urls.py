from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views_login
from identity import views_login as identity_login

APPS = [
    "accounts",
    "stakeholders",
    "planning",
    "health",
    "listening",
    "reports",
    "capture",
    "stewardship",
    "feeds",
    "workflow",
    "audit",
]

api_router = DefaultRouter()
for app in APPS:
    for prefix, viewset, basename in import_module(f"{app}.api").routes:
        api_router.register(prefix, viewset, basename=basename)

admin.site.site_header = "Keyline administration"

urlpatterns = [
    path("login/", identity_login.IdentityLoginView.as_view(), name="login"),
    path("password_reset/", views_login.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api_router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    *[path("", include(f"{app}.urls")) for app in APPS],
    path("", include("identity.urls")),
]

handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
