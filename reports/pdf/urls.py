from django.urls import path

from reports.pdf import views

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/<uuid:pk>/", views.report_detail, name="report-detail"),
    path("reports/<uuid:pk>/download/", views.report_download, name="report-download"),
    path("reports/<uuid:pk>/retry/", views.report_retry, name="report-retry"),
]
