"""REST API routes of this app, registered by config.urls."""

from reports.dashboard.api import routes as dashboard_routes
from reports.pdf.api import routes as pdf_routes

routes: list = [*pdf_routes, *dashboard_routes]
