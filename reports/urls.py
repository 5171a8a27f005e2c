from reports.urls_dashboard import urlpatterns as dashboard_urlpatterns

urlpatterns = [*dashboard_urlpatterns]
