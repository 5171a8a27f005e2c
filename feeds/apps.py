from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Client groups, matters and data feeds"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from feeds import panels

        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="feeds-client-panel")
