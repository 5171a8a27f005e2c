from reports.dashboard.urls import urlpatterns as dashboard_urlpatterns
from reports.pdf.urls import urlpatterns as pdf_urlpatterns

urlpatterns = [*pdf_urlpatterns, *dashboard_urlpatterns]
