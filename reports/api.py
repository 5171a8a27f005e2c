"""REST API routes of this app, registered by config.urls."""

from reports.api_dashboard import routes as dashboard_routes

routes: list = [*dashboard_routes]
