from reports.urls_pdf import pdf_urlpatterns

urlpatterns = [*pdf_urlpatterns]
