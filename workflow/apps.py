from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Playbooks, comments, documents and channels"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from workflow import panels, receivers

        receivers.connect()
        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="workflow-client-panel")
