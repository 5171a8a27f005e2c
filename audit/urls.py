from django.urls import path

from audit import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit-export"),
]
