"""REST API routes of this app, registered by config.urls."""

from reports.api_dashboard import routes as dashboard_routes
from reports.api_pdf import pdf_routes

routes: list = [*pdf_routes, *dashboard_routes]
