"""The health section of the client page (added through accounts' client_detail_panels signal)."""


def client_health_panel(sender, client, user, **kwargs):
    return None
