from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"

    def ready(self) -> None:
        from accounts.signals import client_detail_panels

        client_detail_panels.connect(stakeholder_panel, dispatch_uid="stakeholders-client-panel")


def stakeholder_panel(sender, client, user, **kwargs) -> dict:
    """The stakeholder section of the client page: gaps, key people, the quick log form, recent touchpoints."""
    from accounts.access import may_edit_client
    from stakeholders.views.client_pages import panel_context

    return {"order": 20, "template": "stakeholders/panel.html",
            **panel_context(client, user, may_edit_client(user, client))}
