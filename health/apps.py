from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"

    def ready(self) -> None:
        from accounts.signals import client_detail_panels
        from health import signals
        from health.panels import client_health_panel

        signals.connect()
        client_detail_panels.connect(client_health_panel, dispatch_uid="health-client-panel")
