from importlib import import_module

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

APPS = ["accounts", "stakeholders", "planning", "health", "reports"]

api_router = DefaultRouter()
for app in APPS:
    for prefix, viewset, basename in import_module(f"{app}.api").routes:
        api_router.register(prefix, viewset, basename=basename)

admin.site.site_header = "Keyline administration"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api_router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *[path("", include(f"{app}.urls")) for app in APPS],
]
