from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from health import panels, signals

        signals.connect()
        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="health-client-panel")
