from django.urls import path

from reports import views_pdf

pdf_urlpatterns = [
    path("reports/", views_pdf.report_list, name="report-list"),
    path("reports/<uuid:pk>/", views_pdf.report_detail, name="report-detail"),
    path("reports/<uuid:pk>/download/", views_pdf.report_download, name="report-download"),
    path("reports/<uuid:pk>/retry/", views_pdf.report_retry, name="report-retry"),
]
