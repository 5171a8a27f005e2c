from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from stakeholders import panels

        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="stakeholders-client-panel")
