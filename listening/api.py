"""Client listening has no API endpoints yet: its pages call the services directly."""

routes: list = []
