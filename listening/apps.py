from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Client listening"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from listening import panels, receivers
        from stakeholders.models import Stakeholder
        from stakeholders.signals import stakeholder_detail_panels

        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="listening-client-panel")
        stakeholder_detail_panels.connect(
            panels.stakeholder_panel, sender=Stakeholder, dispatch_uid="listening-stakeholder-panel"
        )
        receivers.connect()
