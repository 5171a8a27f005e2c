"""REST API routes of this app, registered by config.urls."""

routes: list = []
