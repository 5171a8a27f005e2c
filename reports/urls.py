from reports.urls_dashboard import urlpatterns as dashboard_urlpatterns
from reports.urls_pdf import pdf_urlpatterns

urlpatterns = [*pdf_urlpatterns, *dashboard_urlpatterns]
