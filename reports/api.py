"""REST API routes of this app, registered by config.urls."""

from reports.api_pdf import pdf_routes

routes: list = [*pdf_routes]
