from django.urls import path

from reports.dashboard import views

urlpatterns = [
    path("home/", views.partner_home, name="partner-home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/charts/", views.dashboard_charts, name="dashboard-charts"),
    path("dashboard/export.csv", views.dashboard_export, {"fmt": "csv"}, name="dashboard-export-csv"),
    path(
        "dashboard/export.xlsx",
        views.dashboard_export,
        {"fmt": "xlsx"},
        name="dashboard-export-xlsx",
    ),
    path("dashboard/views/", views.saved_view_save, name="saved-view-save"),
    path("dashboard/columns/", views.column_preference_save, name="dashboard-columns"),
    path("dashboard/views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("whitespace/", views.whitespace_view, name="whitespace"),
    path("overview/", views.overview_view, name="overview"),
    path("home/actions/<int:pk>/complete/", views.action_complete, name="dashboard-action-complete"),
    path("home/alerts/<int:pk>/read/", views.alert_read, name="dashboard-alert-read"),
    path("settings/digest/", views.digest_settings, name="digest-settings"),
]
