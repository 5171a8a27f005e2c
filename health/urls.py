from django.urls import path

from health import views

urlpatterns = [
    path("clients/<int:pk>/health/what-if/", views.what_if, name="health-what-if"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notifications_mark_read, name="notifications-mark-read"),
    path("health/portfolio/", views.portfolio_signals, name="health-portfolio"),
    path("health/scorecard/", views.scorecard_edit, name="health-scorecard"),
    path("health/jobs/<int:pk>/", views.job_progress, name="health-job"),
    path("health/measurements/import/", views.measurement_import, name="health-measurement-import"),
]
