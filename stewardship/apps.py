from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "stewardship"
    verbose_name = "CRP stewardship"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from stewardship import panels

        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="stewardship-client-panel")
