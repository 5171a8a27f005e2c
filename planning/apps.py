from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Account planning"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Assignment, Client
        from accounts.signals import client_detail_panels
        from planning import panels, receivers

        post_save.connect(
            receivers.start_onboarding_checklist,
            sender=Assignment,
            dispatch_uid="planning-onboarding-checklist",
        )
        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="planning-client-panel")
